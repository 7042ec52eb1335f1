package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/tasks/redisstore/redistest"
)

// need returns the path of tool, or skips the test outside CI (fails it
// with CI=true or TASKSCHEMA_E2E=1, as make test sets) when it is missing.
func need(t *testing.T, tool string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" || os.Getenv("TASKSCHEMA_E2E") == "1" {
			t.Fatalf("%s is not on PATH; scripts/setup.sh installs it", tool)
		}
		t.Skipf("%s is not on PATH", tool)
	}
	return path
}

// buildServer builds this command once per test into a temporary directory.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "server")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var listening = regexp.MustCompile(`server: (http://\S+/mcp) \(tasks (.*)\)`)

// startServer runs the built server on a free loopback port with args and
// env added, and returns its URL and the store it names; it stops the
// server after the test.
func startServer(t *testing.T, bin string, env []string, args ...string) (url, store string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-http", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	found := make(chan []string, 1)
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			t.Log(s.Text())
			if m := listening.FindStringSubmatch(s.Text()); m != nil {
				found <- m
			}
		}
		close(found)
	}()
	select {
	case m, ok := <-found:
		if !ok {
			t.Fatal("the server exited before listening")
		}
		return m[1], m[2]
	case <-time.After(20 * time.Second):
		t.Fatal("the server did not listen within 20s")
	}
	return "", ""
}

// poll runs poll.sh with its arguments and returns its output.
func poll(t *testing.T, ms int, args ...string) string {
	t.Helper()
	cmd := exec.Command("bash", append([]string{"poll.sh"}, args...)...)
	cmd.Env = append(os.Environ(), "MS="+strconv.Itoa(ms))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("poll.sh %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// checkPolled checks the output of poll.sh: the slow tool fell back to a
// task, which was polled on pollURL to complete and its result fetched.
func checkPolled(t *testing.T, out, pollURL string) {
	t.Helper()
	m := regexp.MustCompile(`"structuredContent":\{"ref_id":"(slow-[0-9a-f]+)","status":"processing"`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the slow tool did not answer with a task:\n%s", out)
	}
	for _, want := range []string{
		`# tools/call get_task_status {"ref_id":"` + m[1] + `"} on ` + pollURL,
		`"structuredContent":{"ref_id":"` + m[1] + `","status":"complete"`,
		`# tools/call get_task_result {"ref_id":"` + m[1] + `"} on ` + pollURL + ` (status complete)`,
		`"structuredContent":{"steps":4,"took_ms":`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("poll.sh's output has no %s:\n%s", want, out)
		}
	}
}

// TestPollScript: poll.sh carries the session and the ref_id from the
// fallback answer of the slow tool to its result.
func TestPollScript(t *testing.T) {
	need(t, "curl")
	need(t, "bash")
	bin := buildServer(t)
	url, store := startServer(t, bin, nil)
	if store != "in memory" {
		t.Errorf("without -redis the tasks are %s", store)
	}
	checkPolled(t, poll(t, 1500, url), url)
}

// TestReplicasOnRedis runs two example servers on one real redis-server,
// one given it by -redis and one by TASKSCHEMA_REDIS, as the README shows:
// a task started on A is polled to its result on B. The example has no
// authentication, so a task belongs to its session, which lives on A:
// the replicas share their tasks with -shared-tasks.
func TestReplicasOnRedis(t *testing.T) {
	need(t, "curl")
	need(t, "bash")
	addr := startRedis(t)
	bin := buildServer(t)
	a, storeA := startServer(t, bin, nil, "-redis", addr, "-shared-tasks")
	b, storeB := startServer(t, bin, []string{redisEnv + "=" + addr}, "-shared-tasks")
	for _, s := range []string{storeA, storeB} {
		if s != "on Redis at "+addr {
			t.Errorf("a replica keeps its tasks %s, want on Redis at %s", s, addr)
		}
	}
	checkPolled(t, poll(t, 1500, a, b), b)
}

// startRedis starts a redis-server of the test's own (redistest.Start).
func startRedis(t *testing.T) string { return redistest.Start(t) }
