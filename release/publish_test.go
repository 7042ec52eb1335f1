package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPublish releases a throwaway clone of this repository's HEAD with
// release.sh (v0.1.0, then a bump to v0.1.1), serves the tags from a
// file-based module proxy whose zips golang.org/x/mod/zip made from `git
// archive` of each tag, and from a module outside the repository, with
// GOWORK=off and a module cache of its own: gets models, tasks,
// tasks/redisstore, tasks/otelmetrics and mcp by their tags alone, builds a program with a slow
// tool on a Redis store and runs it against a real redis-server, and
// installs cmd/taskschema and the example MCP server at the tag and runs
// them. It fails when a go.mod a user downloads has a replace line or
// requires a version that was not released with it.
//
// TASKSCHEMA_PUBLISH_REV names the revision to clone (default HEAD).
func TestPublish(t *testing.T) {
	if testing.Short() {
		t.Skip("the publishing test builds and installs the released modules (about a minute)")
	}
	for _, tool := range []string{"git", "go", "redis-server", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the publishing test needs %s on PATH (make test installs redis-server)", tool)
		}
	}
	tmp := t.TempDir()
	repo := filepath.Join(tmp, "repo")
	rev := os.Getenv("TASKSCHEMA_PUBLISH_REV")
	if rev == "" {
		rev = "HEAD"
	}
	run(t, "", nil, "git", "clone", "--quiet", "--no-checkout", "..", repo)
	run(t, repo, nil, "git", "checkout", "--quiet", "-B", "main", revOf(t, rev))

	gitEnv := []string{"GIT_AUTHOR_NAME=publish test", "GIT_AUTHOR_EMAIL=publish@test.invalid",
		"GIT_COMMITTER_NAME=publish test", "GIT_COMMITTER_EMAIL=publish@test.invalid"}
	script, err := filepath.Abs("release.sh")
	if err != nil {
		t.Fatal(err)
	}
	run(t, repo, gitEnv, "bash", script, "v0.1.0", repo)
	// A later release bumps every requirement on a sibling.
	if err := os.WriteFile(filepath.Join(repo, "models", "zz_publish_test.go"), []byte("package models\n\n// PublishTestMarker is added by the publishing test between two releases.\nconst PublishTestMarker = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, repo, gitEnv, "git", "add", "-A")
	run(t, repo, gitEnv, "git", "commit", "--quiet", "-m", "a change between releases")
	run(t, repo, gitEnv, "bash", script, "v0.1.1", repo)
	for _, dir := range []string{"tasks/redisstore", "tasks/otelmetrics", "mcp", "tests", "bench/peers"} {
		mod, err := os.ReadFile(filepath.Join(repo, dir, "go.mod"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(mod), "v0.1.0") || strings.Contains(string(mod), "replace") {
			t.Errorf("%s/go.mod after releasing v0.1.1 still requires v0.1.0 or has a replace line:\n%s", dir, mod)
		}
	}

	proxyDir := filepath.Join(tmp, "proxy")
	for _, v := range []string{"v0.1.0", "v0.1.1"} {
		stats, err := publish(repo, v, proxyDir)
		if err != nil {
			t.Fatalf("publish %s: %v", v, err)
		}
		for _, s := range stats {
			t.Logf("%-55s %8d bytes %5d files", s.Module, s.Bytes, s.Files)
		}
	}

	checkModelsImporterDownloads(t, tmp, proxyDir)

	env := modEnv(proxyDir, filepath.Join(tmp, "modcache"))
	env = append(env, "GOBIN="+filepath.Join(tmp, "bin"), "GOFLAGS=-modcacherw -mod=mod")
	user := filepath.Join(tmp, "consumer")
	if err := os.MkdirAll(user, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("testdata", "consumer", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(user, "main.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, user, env, "go", "mod", "init", "example.com/consumer")
	run(t, user, env, "go", "get",
		rootModule+"@v0.1.1",
		rootModule+"/tasks/redisstore@v0.1.1",
		rootModule+"/tasks/otelmetrics@v0.1.1",
		rootModule+"/mcp@v0.1.1")
	run(t, user, env, "go", "mod", "tidy")
	list := run(t, user, env, "go", "list", "-m", "all")
	for _, m := range []string{rootModule + " v0.1.1", rootModule + "/tasks/redisstore v0.1.1", rootModule + "/tasks/otelmetrics v0.1.1", rootModule + "/mcp v0.1.1"} {
		if !strings.Contains(list, m+"\n") {
			t.Errorf("the consumer's build list lacks %q:\n%s", m, list)
		}
	}
	bin := filepath.Join(tmp, "consumer-bin")
	run(t, user, env, "go", "build", "-o", bin, ".")

	addr := startRedis(t, tmp)
	out := run(t, user, nil, bin, addr)
	for _, want := range []string{"late: processing", "stored: complete", `result: {"slept":400}`} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("the consumer printed no %q line:\n%s", want, out)
		}
	}

	run(t, user, env, "go", "install", rootModule+"/cmd/taskschema@v0.1.1")
	run(t, user, env, "go", "install", rootModule+"/mcp/examples/server@v0.1.1")
	payload := filepath.Join(tmp, "task.json")
	if err := os.WriteFile(payload, []byte(`{"ref_id":"r1","status":"pending","started_at":1700000000}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, user, nil, filepath.Join(tmp, "bin", "taskschema"), "validate", "--type", "task_info", payload)
	checkServerAnswers(t, filepath.Join(tmp, "bin", "server"))
}

// revOf resolves rev in this repository (the clone has no working tree
// yet, so it cannot resolve names like HEAD of ours).
func revOf(t *testing.T, rev string) string {
	return strings.TrimSpace(run(t, "..", nil, "git", "rev-parse", rev+"^{commit}"))
}

// run runs a command in dir with env added to the test's environment and
// returns its standard output; it fails the test when the command fails.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s (in %s): %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), dir, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// freePort returns a free TCP port on 127.0.0.1.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startRedis starts a redis-server on a free loopback port, stopped when
// the test ends, and waits (at most 10 s) until it answers PING.
func startRedis(t *testing.T, tmp string) string {
	port := freePort(t)
	dir := filepath.Join(tmp, "redis")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.SetDeadline(time.Now().Add(time.Second))
			fmt.Fprint(c, "PING\r\n")
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if strings.HasPrefix(line, "+PONG") {
				return addr
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not answer within 10s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkServerAnswers starts the installed example server on a free loopback
// port and checks that it answers an MCP initialize request over
// streamable HTTP.
func checkServerAnswers(t *testing.T, bin string) {
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	cmd := exec.Command(bin, "-http", addr)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"publish-test","version":"1"}}}`
	deadline := time.Now().Add(20 * time.Second)
	for {
		req, _ := http.NewRequest("POST", "http://"+addr+"/mcp", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(b.String(), `"protocolVersion"`) {
				t.Fatalf("the installed example server answered initialize with %s:\n%s", resp.Status, b.String())
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the installed example server did not answer on %s within 20s: %v\n%s", addr, err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkModelsImporterDownloads builds, in a module of its own with an empty
// module cache, a program that imports only models, and checks what it
// downloads: `go get` and `go build` fetch the root module's zip alone;
// `go mod tidy` adds the zips of the root module's two requirements
// (santhosh-tekuri/jsonschema/v6 and golang.org/x/text, which only models'
// own tests import: tidy keeps the checksums that testing the imported
// packages needs) and nothing else: no Redis client, no MCP SDK, no
// benchmark peer.
func checkModelsImporterDownloads(t *testing.T, tmp, proxyDir string) {
	dir := filepath.Join(tmp, "models-user")
	cache := filepath.Join(tmp, "models-modcache")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := "package main\n\nimport (\n\t\"fmt\"\n\n\t\"" + rootModule + "/models\"\n)\n\nfunc main() {\n\tvar task models.TaskInfo\n\tfmt.Println(models.Unmarshal([]byte(`{\"ref_id\":\"r\",\"status\":\"pending\",\"started_at\":1}`), &task), task.Status)\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(modEnv(proxyDir, cache), "GOFLAGS=-modcacherw -mod=mod")
	zips := func() string {
		var out []string
		filepath.WalkDir(filepath.Join(cache, "cache", "download"), func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".zip") {
				rel, _ := filepath.Rel(filepath.Join(cache, "cache", "download"), p)
				out = append(out, strings.TrimSuffix(strings.Replace(filepath.ToSlash(rel), "/@v/", "@", 1), ".zip"))
			}
			return nil
		})
		return strings.Join(out, " ")
	}
	run(t, dir, env, "go", "mod", "init", "example.com/modelsuser")
	run(t, dir, env, "go", "get", rootModule+"@v0.1.1")
	if out := run(t, dir, env, "go", "run", "."); out != "<nil> pending\n" {
		t.Errorf("the models importer printed %q", out)
	}
	if got, want := zips(), rootModule+"@v0.1.1"; got != want {
		t.Errorf("go get and go run of an importer of models downloaded the zips %s, want only %s", got, want)
	}
	run(t, dir, env, "go", "mod", "tidy")
	want := "github.com/mcp-refcache/taskschema@v0.1.1 github.com/santhosh-tekuri/jsonschema/v6@v6.0.3 golang.org/x/text@v0.14.0"
	if got := zips(); got != want {
		t.Errorf("go mod tidy of an importer of models downloaded the zips %s, want %s", got, want)
	}
	if deps := run(t, dir, env, "go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "."); strings.Contains(deps, "santhosh") || strings.Contains(deps, "golang.org/x") {
		t.Errorf("an importer of models links more than the standard library and this module:\n%s", deps)
	}
}
