// Command server is the example MCP server of package mcptasks: a tool
// "slow" that runs longer than its one-second timeout and reports
// progress, a tool "fast", the polling tools, and MCP Tasks (2025-11-25).
//
// From the repository root:
//
//	go -C mcp run ./examples/server                          # stdio
//	go -C mcp run ./examples/server -http 127.0.0.1:8931     # streamable HTTP at http://127.0.0.1:8931/mcp
//
// With -redis ADDR (or the environment variable TASKSCHEMA_REDIS=ADDR) the
// tasks live in the Redis server at ADDR instead of in memory, so that
// several replicas on one Redis answer for each other's tasks:
//
//	go -C mcp run ./examples/server -http 127.0.0.1:8931 -redis 127.0.0.1:6390 -shared-tasks
//	go -C mcp run ./examples/server -http 127.0.0.1:8932 -redis 127.0.0.1:6390 -shared-tasks
//
// A task belongs to the session that created it (the example has no
// authentication; see docs/SECURITY.md), and a session lives on one
// replica: -shared-tasks lets every session see every task, so that a
// client can poll on B what it started on A. -origins lists the browser
// origins accepted besides none (default: loopback origins only; any
// other Origin header gets 403). On stdio, a malformed line is answered
// with a JSON-RPC error and the session goes on.
//
// poll.sh, next to this file, calls the slow tool and polls it to its
// result over HTTP with curl; the README of the repository shows both.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/mcp/internal/demo"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/mcp-refcache/taskschema/tasks/redisstore"
	"github.com/redis/go-redis/v9"
)

// redisEnv is the environment variable that gives the Redis address when
// -redis is not set.
const redisEnv = "TASKSCHEMA_REDIS"

func main() {
	addr := flag.String("http", "", "serve streamable HTTP on this loopback address (such as 127.0.0.1:8931) instead of stdio")
	timeout := flag.Duration("timeout", time.Second, "timeout fallback of the slow tool")
	redisAddr := flag.String("redis", os.Getenv(redisEnv), "keep the tasks in the Redis server at this address (host:port), shared with other replicas; default $"+redisEnv+", or in memory when empty")
	shared := flag.Bool("shared-tasks", false, "let every session see, poll and cancel every task (by default a task belongs to the session that created it)")
	origins := flag.String("origins", "", "comma-separated origins (such as https://app.example.com) whose browser requests are accepted; empty: loopback origins only, any other Origin gets 403")
	flag.Parse()
	o := demo.Options{SlowTimeout: *timeout, SharedTasks: *shared}
	if *origins != "" {
		o.AllowedOrigins = strings.Split(*origins, ",")
	}
	if err := run(*addr, *redisAddr, o); err != nil {
		log.Fatal(err)
	}
}

// newRunner returns the runner of the tools: on a MemoryStore, or on the
// Redis server at redisAddr, named after this process so that replicas
// have different owners.
func newRunner(ctx context.Context, redisAddr, name string) (*tasks.Runner, error) {
	o := tasks.Options{ProgressInterval: 50 * time.Millisecond}
	if redisAddr != "" {
		rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
		if err := ping(ctx, rdb); err != nil {
			rdb.Close()
			return nil, fmt.Errorf("-redis %s: %w", redisAddr, err)
		}
		o.Store = redisstore.New(rdb, redisstore.Options{Prefix: "taskschema-example:"})
		host, _ := os.Hostname()
		o.Owner = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), name)
	}
	return tasks.NewRunner(o)
}

// ping waits up to 10 seconds for the Redis server to answer, so that a
// replica started together with its Redis does not fail at once.
func ping(ctx context.Context, rdb *redis.Client) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		err := rdb.Ping(ctx).Err()
		if err == nil || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func run(addr, redisAddr string, o demo.Options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var l net.Listener
	if addr != "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return err
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("-http %s: the example listens on loopback addresses only", addr)
		}
		// Port 0 picks a free port; the log line below names it.
		if l, err = net.Listen("tcp", addr); err != nil {
			return err
		}
		defer l.Close()
		addr = l.Addr().String()
	}
	runner, err := newRunner(ctx, redisAddr, addr)
	if err != nil {
		return err
	}
	defer runner.Close(context.Background())
	o.Runner = runner
	srv, err := demo.New(o)
	if err != nil {
		return err
	}
	if l == nil {
		// mcptasks.StdioTransport answers a malformed line instead of
		// ending the session as go-sdk's StdioTransport does.
		ss, err := srv.Connect(ctx, &mcptasks.StdioTransport{}, nil)
		if err != nil {
			return err
		}
		return ss.Wait()
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", srv.HTTPHandler(nil, 0))
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = hs.Shutdown(context.Background())
	}()
	store := "in memory"
	if redisAddr != "" {
		store = "on Redis at " + redisAddr
		if !o.SharedTasks {
			log.Printf("a task belongs to the session that created it: start every replica with -shared-tasks to poll on one what another started")
		}
	}
	log.Printf("taskschema example MCP server: http://%s/mcp (tasks %s)", addr, store)
	if err := hs.Serve(l); err != http.ErrServerClosed {
		return err
	}
	return nil
}
