package mcptasks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/mcp-refcache/taskschema/tasks/redisstore"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/redis/go-redis/v9"
)

// peer sends one request and returns its result or its error, as JSON.
type peer interface {
	rpc(method string, params any) (result, rpcErr json.RawMessage)
}

// memPeer is a session on an in-memory transport.
type memPeer struct{ c *rawClient }

func (p memPeer) rpc(method string, params any) (json.RawMessage, json.RawMessage) {
	r := p.c.call(method, params)
	if r.Error != nil {
		b, err := json.Marshal(r.Error)
		if err != nil {
			p.c.t.Fatal(err)
		}
		return nil, b
	}
	return r.Result, nil
}

// httpPeer is a session over streamable HTTP; its error is the bytes the
// server wrote.
type httpPeer struct{ c *benchClient }

func (p httpPeer) rpc(method string, params any) (json.RawMessage, json.RawMessage) {
	body := p.c.post(method, params)
	msgs := decodeMsgs(body)
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("event:")) || bytes.Contains(body, []byte("\ndata: ")) {
		msgs = sseMessages(body)
	}
	for _, m := range msgs {
		if len(m.ID) > 0 && (m.Result != nil || m.Error != nil) {
			return m.Result, m.Error
		}
	}
	p.c.tb.Fatalf("%s: no response in %s", method, body)
	return nil, nil
}

// newHTTPPeer opens a 2025-11-25 session on url, with a bearer token
// when token is not "".
func newHTTPPeer(t *testing.T, url, token string) httpPeer {
	c := &benchClient{tb: t, hc: &http.Client{Timeout: 20 * time.Second}, url: url, token: token}
	c.post("initialize", map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "owner", "version": "0"}})
	c.postRaw([]byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))
	return httpPeer{c}
}

// createTask makes a task-augmented call of the gated tool.
func createTask(t *testing.T, p peer) string {
	t.Helper()
	res, e := p.rpc("tools/call", map[string]any{"name": "gated", "arguments": map[string]any{}, "task": map[string]any{"ttl": 60000}})
	var r struct {
		Task mcptasks.Task `json:"task"`
	}
	if e != nil || json.Unmarshal(res, &r) != nil || r.Task.TaskID == "" {
		t.Fatalf("task-augmented call: %s %s", res, e)
	}
	return r.Task.TaskID
}

// unknownLike is an ID of the same length and prefix as id that names no
// task.
func unknownLike(id string) string {
	i := strings.LastIndexByte(id, '-') + 1
	return id[:i] + strings.Repeat("0", len(id)-i)
}

// checkForeign checks that other cannot reach owner's task id: every
// method and polling tool answers it byte for byte as it answers an
// unknown ID (the ID aside), nothing is cancelled, lists leave it out,
// and owner still gets and lists it.
func checkForeign(t *testing.T, owner, other peer, id string) {
	t.Helper()
	unknown := unknownLike(id)
	same := func(what string, got, want []byte) {
		t.Helper()
		g := bytes.ReplaceAll(got, []byte(id), []byte("<ID>"))
		w := bytes.ReplaceAll(want, []byte(unknown), []byte("<ID>"))
		if !bytes.Equal(g, w) {
			t.Errorf("%s: a foreign task is not answered as an unknown one:\nforeign %s\nunknown %s", what, got, want)
		}
	}
	for _, m := range []string{"tasks/get", "tasks/result", "tasks/cancel"} {
		res, foreign := other.rpc(m, map[string]any{"taskId": id})
		_, unk := other.rpc(m, map[string]any{"taskId": unknown})
		if foreign == nil {
			t.Errorf("%s of a foreign task answered %s", m, res)
			continue
		}
		if !bytes.Contains(foreign, []byte(`-32602`)) {
			t.Errorf("%s of a foreign task: %s, want -32602", m, foreign)
		}
		same(m, foreign, unk)
	}
	for _, tool := range []string{mcptasks.ToolGetTaskStatus, mcptasks.ToolGetTaskResult, mcptasks.ToolCancelTask} {
		foreign, e1 := other.rpc("tools/call", map[string]any{"name": tool, "arguments": map[string]any{"ref_id": id}})
		unk, e2 := other.rpc("tools/call", map[string]any{"name": tool, "arguments": map[string]any{"ref_id": unknown}})
		if e1 != nil || e2 != nil || !bytes.Contains(foreign, []byte(`"isError":true`)) {
			t.Errorf("%s of a foreign task: %s %s", tool, foreign, e1)
			continue
		}
		same(tool, foreign, unk)
	}
	if res, e := other.rpc("tasks/list", map[string]any{}); e != nil || bytes.Contains(res, []byte(id)) {
		t.Errorf("tasks/list of another requestor shows the task: %s %s", res, e)
	}
	if res, e := other.rpc("tools/call", map[string]any{"name": mcptasks.ToolListTasks, "arguments": map[string]any{}}); e != nil || bytes.Contains(res, []byte(id)) {
		t.Errorf("list_tasks of another requestor shows the task: %s %s", res, e)
	}
	// The owner: not cancelled, and retrievable by tasks/get, so listed by
	// tasks/list (MCP 2025-11-25: "If a task is retrievable via tasks/get
	// for a requestor, it MUST be retrievable via tasks/list").
	res, e := owner.rpc("tasks/get", map[string]any{"taskId": id})
	var task mcptasks.Task
	if e != nil || json.Unmarshal(res, &task) != nil || task.Status != mcptasks.StatusWorking {
		t.Errorf("owner's tasks/get after the other's attempts: %s %s", res, e)
	}
	if res, e := owner.rpc("tasks/list", map[string]any{}); e != nil || !bytes.Contains(res, []byte(id)) {
		t.Errorf("owner's tasks/list leaves out its task: %s %s", res, e)
	}
}

// TestOwnershipSessions: without authentication a task belongs to the
// session that created it (task-augmented or by the timeout fallback);
// another session gets "not found", as for an unknown task.
func TestOwnershipSessions(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	a, b := connect(t, ts, "2025-11-25"), connect(t, ts, "2025-11-25")
	id := createTask(t, memPeer{a})
	checkForeign(t, memPeer{a}, memPeer{b}, id)

	r := a.tool("gated", map[string]any{}) // outlives its 50ms timeout
	var async struct {
		RefID string `json:"ref_id"`
	}
	if err := json.Unmarshal(r.StructuredContent, &async); err != nil || async.RefID == "" {
		t.Fatalf("fallback: %s", r.StructuredContent)
	}
	checkForeign(t, memPeer{a}, memPeer{b}, async.RefID)

	// The same over streamable HTTP: two sessions, no token.
	hs := loopbackServer(t, ts.HTTPHandler(nil, 0))
	h1, h2 := newHTTPPeer(t, hs.URL, ""), newHTTPPeer(t, hs.URL, "")
	checkForeign(t, h1, h2, createTask(t, h1))
	checkForeign(t, h2, memPeer{a}, createTask(t, h2))

	// With SharedTasks, the other session sees and cancels it.
	shared := newTestServer(t, serverOpts{shared: true})
	c, d := connect(t, shared, "2025-11-25"), connect(t, shared, "2025-11-25")
	id = createTask(t, memPeer{c})
	if res, e := (memPeer{d}).rpc("tasks/cancel", map[string]any{"taskId": id}); e != nil || !bytes.Contains(res, []byte(`"cancelled"`)) {
		t.Fatalf("shared: cancel from another session: %s %s", res, e)
	}
}

// bearer serves h behind go-sdk's auth.RequireBearerToken with tokens
// "alice-1" and "alice-2" (user alice) and "bob-1" (user bob).
func bearer(h http.Handler) http.Handler {
	verify := func(_ context.Context, token string, _ *http.Request) (*auth.TokenInfo, error) {
		user, _, ok := strings.Cut(token, "-")
		if !ok || (user != "alice" && user != "bob") {
			return nil, auth.ErrInvalidToken
		}
		return &auth.TokenInfo{UserID: user, Expiration: time.Now().Add(time.Hour)}, nil
	}
	return auth.RequireBearerToken(verify, nil)(h)
}

// TestOwnershipBearerHTTP: behind bearer-token authentication a task
// belongs to the token's user, over real HTTP: alice's second session
// sees, lists and awaits it; bob gets "not found" as for an unknown task.
func TestOwnershipBearerHTTP(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	hs := loopbackServer(t, bearer(ts.HTTPHandler(nil, 0)))
	alice, alice2, bob := newHTTPPeer(t, hs.URL, "alice-1"), newHTTPPeer(t, hs.URL, "alice-2"), newHTTPPeer(t, hs.URL, "bob-1")
	id := createTask(t, alice)
	checkForeign(t, alice, bob, id)
	checkForeign(t, alice2, bob, id)
	ts.gate.open()
	if res, e := alice2.rpc("tasks/result", map[string]any{"taskId": id}); e != nil || !bytes.Contains(res, []byte(`{"answer":42}`)) {
		t.Fatalf("tasks/result on alice's other session: %s %s", res, e)
	}
}

// TestOwnershipAcrossReplicas: two replicas on one redis-server, behind
// bearer-token authentication: alice's task started on A is hers on B
// too, bob's requests on B find nothing, and the limit of tasks in
// flight per requestor holds across the replicas.
func TestOwnershipAcrossReplicas(t *testing.T) {
	addr := startRedis(t)
	newStore := func() tasks.Store {
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { rdb.Close() })
		return redisstore.New(rdb, redisstore.Options{Prefix: "owners:", MaxInFlightPerRequestor: 1})
	}
	a := newTestServer(t, serverOpts{store: newStore(), owner: "replica-a"})
	b := newTestServer(t, serverOpts{store: newStore(), owner: "replica-b"})
	ha := loopbackServer(t, bearer(a.HTTPHandler(nil, 0)))
	hb := loopbackServer(t, bearer(b.HTTPHandler(nil, 0)))
	aliceA, aliceB, bobB := newHTTPPeer(t, ha.URL, "alice-1"), newHTTPPeer(t, hb.URL, "alice-2"), newHTTPPeer(t, hb.URL, "bob-1")
	id := createTask(t, aliceA)
	checkForeign(t, aliceB, bobB, id)

	// Alice is at her limit of one task in flight, on B as on A.
	_, e := aliceB.rpc("tools/call", map[string]any{"name": "gated", "arguments": map[string]any{}, "task": map[string]any{}})
	if e == nil || !bytes.Contains(e, []byte(`-32600`)) || !bytes.Contains(e, []byte("you have 1 tasks in flight, the most one requestor may have is 1")) {
		t.Fatalf("alice's second task on B: %s, want the limit error", e)
	}
	bobID := createTask(t, bobB) // bob has his own limit
	a.gate.open()
	b.gate.open()
	if res, e := aliceB.rpc("tasks/result", map[string]any{"taskId": id}); e != nil || !bytes.Contains(res, []byte(`{"answer":42}`)) {
		t.Fatalf("tasks/result on B: %s %s", res, e)
	}
	createTask(t, aliceB) // her first task ended: room for another
	if _, e := aliceA.rpc("tasks/get", map[string]any{"taskId": bobID}); e == nil {
		t.Errorf("alice on A reads bob's task")
	}
}

// TestInFlightLimitFallback: a call without params.task that outlives
// its timeout while its requestor is at the limit is a tool error naming
// the limit, and its run is stopped.
func TestInFlightLimitFallback(t *testing.T) {
	ts := newTestServer(t, serverOpts{store: tasks.NewMemoryStore(tasks.MemoryOptions{MaxInFlightPerRequestor: 1})})
	c := connect(t, ts, "2025-11-25")
	createTask(t, memPeer{c})
	r := c.tool("gated", map[string]any{})
	if !r.IsError || !strings.Contains(r.text(), "you have 1 tasks in flight, the most one requestor may have is 1") {
		t.Fatalf("fallback at the limit: %+v", r)
	}
	for deadline := time.Now().Add(5 * time.Second); ts.stopped.Load() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the refused call's run was not stopped")
		}
	}
	other := connect(t, ts, "2025-11-25") // another session: its own limit
	createTask(t, memPeer{other})
}

// TestErrorsEchoOnlyAPrefix: a 1 MB taskId, ref_id, cursor or tool name
// comes back in an error as at most a short prefix.
func TestErrorsEchoOnlyAPrefix(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	c := connect(t, ts, "2025-11-25")
	big := strings.Repeat("x", 1<<20)
	check := func(what string, b []byte) {
		t.Helper()
		if len(b) > 1024 || len(b) == 0 {
			t.Errorf("%s: answer of %d bytes (want an error under 1 KiB): %.200s", what, len(b), b)
		}
	}
	p := memPeer{c}
	for _, m := range []string{"tasks/get", "tasks/result", "tasks/cancel"} {
		_, e := p.rpc(m, map[string]any{"taskId": big})
		check(m, e)
		if !bytes.Contains(e, []byte(`xxxx`)) || !bytes.Contains(e, []byte("(1048576 bytes)")) {
			t.Errorf("%s: the error does not show the ID's start and length: %s", m, e)
		}
	}
	badCursor := "!" + big // not base64url
	_, e := p.rpc("tasks/list", map[string]any{"cursor": badCursor})
	check("tasks/list", e)
	for _, tool := range []string{mcptasks.ToolGetTaskStatus, mcptasks.ToolGetTaskResult, mcptasks.ToolCancelTask} {
		res, _ := p.rpc("tools/call", map[string]any{"name": tool, "arguments": map[string]any{"ref_id": big}})
		check(tool, res)
	}
	res, _ := p.rpc("tools/call", map[string]any{"name": mcptasks.ToolListTasks, "arguments": map[string]any{"cursor": badCursor}})
	check("list_tasks", res)
	res, e = p.rpc("tools/call", map[string]any{"name": big, "arguments": map[string]any{}})
	check("unknown tool", append(res, e...))
	res, e = p.rpc("tools/call", map[string]any{"name": big, "arguments": map[string]any{}, "task": map[string]any{}})
	check("unknown tool with a task", append(res, e...))
}

// TestOriginAllowList: MCP 2025-11-25 basic/transports: "If the Origin
// header is present and invalid, servers MUST respond with HTTP 403
// Forbidden." By default only loopback origins pass; AllowedOrigins
// replaces them; a request without Origin is served.
func TestOriginAllowList(t *testing.T) {
	init := []byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"o","version":"0"}}}`)
	status := func(url, origin string) int {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(init))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	def := loopbackServer(t, newTestServer(t, serverOpts{}).HTTPHandler(nil, 0))
	custom := loopbackServer(t, newTestServer(t, serverOpts{opts: func(o *mcptasks.Options) {
		o.AllowedOrigins = []string{"https://app.example.com"}
	}}).HTTPHandler(nil, 0))
	cases := []struct {
		url, origin string
		want        int
	}{
		{def.URL, "", 200},
		{def.URL, "http://localhost:6274", 200},
		{def.URL, "http://127.0.0.1", 200},
		{def.URL, "https://[::1]:8443", 200},
		{def.URL, "http://evil.example", 403},
		{def.URL, "http://localhost.evil.example", 403},
		{def.URL, "null", 403},
		{custom.URL, "https://app.example.com", 200},
		{custom.URL, "https://APP.example.com", 200},
		{custom.URL, "http://app.example.com", 403},
		{custom.URL, "http://localhost:6274", 403},
		{custom.URL, "", 200},
	}
	for _, c := range cases {
		if got := status(c.url, c.origin); got != c.want {
			t.Errorf("Origin %q on %s: HTTP %d, want %d", c.origin, map[bool]string{true: "default", false: "custom"}[c.url == def.URL], got, c.want)
		}
	}
	if _, err := mcptasks.New(newTestServer(t, serverOpts{}).MCP(), mcptasks.Options{Runner: newTestServer(t, serverOpts{}).Runner(), AllowedOrigins: []string{"app.example.com"}}); err == nil {
		t.Error("New accepted an allowed origin without a scheme")
	}
}

// TestIdleSessionsExpire: a session without requests for SessionTimeout
// is closed: its ID is then unknown (404).
func TestIdleSessionsExpire(t *testing.T) {
	ts := newTestServer(t, serverOpts{opts: func(o *mcptasks.Options) { o.SessionTimeout = 200 * time.Millisecond }})
	hs := loopbackServer(t, ts.HTTPHandler(nil, 0))
	p := newHTTPPeer(t, hs.URL, "")
	ping := func() int {
		req, _ := http.NewRequest(http.MethodPost, hs.URL, strings.NewReader(`{"jsonrpc":"2.0","id":9,"method":"ping"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Session-Id", p.c.session)
		req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := ping(); got != 200 {
		t.Fatalf("ping on a fresh session: HTTP %d", got)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if got := ping(); got == http.StatusNotFound {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("session still answers (HTTP %d) 10s after a 200ms idle timeout", got)
		}
		time.Sleep(300 * time.Millisecond) // idle for longer than the timeout
	}
	if mcptasks.DefaultSessionTimeout <= 0 {
		t.Errorf("DefaultSessionTimeout %v: idle sessions would never expire", mcptasks.DefaultSessionTimeout)
	}
}
