// Package redistest starts a real redis-server for a test: a process of
// the test's own, on a free loopback port, with its files in a temporary
// directory and no persistence, killed when the test ends. It is what the
// tests of this repository's Redis store, MCP server and inspector use, and
// it serves the tests of any program built on the store the same way.
//
// It needs the redis-server binary on PATH (Debian: apt-get install
// redis-server); without it the test fails with a message that says so,
// rather than skipping, so that a missing server is never mistaken for a
// passing test.
package redistest

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Start starts a redis-server for t and returns its address
// (127.0.0.1:PORT) once it answers PING, waiting at most 10 seconds. The
// server is killed (SIGKILL) when t ends.
func Start(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is not on PATH (%v): this test needs a real Redis; install the Debian package redis-server (scripts/setup.sh does)", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", t.TempDir(),
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return addr
		}
		select {
		case <-done:
			t.Fatalf("redis-server on %s exited at start: %v", addr, err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not answer within 10s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
