package mcptasks

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// notifications/tasks on the subscriptions/listen stream (SEP-2663, "Task
// Status Notifications"), over streamable HTTP.
//
// go-sdk's subscriptions/listen knows no taskIds (it decodes
// params.notifications into NotificationSubscriptions, protocol.go:2083,
// and drops the member), and a ServerSession cannot send a notification
// go-sdk does not know. So the router answers a subscriptions/listen that
// asks only for taskIds itself: the acknowledgement names the task IDs it
// agreed to (the requestor's tasks; unknown and foreign ones are left
// out), then each change of an agreed task is sent as notifications/tasks
// with the full DetailedTask, read from the store (so a task running on
// another replica is followed too), and the stream ends with the
// SubscriptionsListenResult once every agreed task has finished. A listen
// that asks for taskIds and other notifications goes to go-sdk without
// the taskIds: its acknowledgement agrees to no task.

// listenRequest is what the router reads of a subscriptions/listen body.
type listenRequest struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params struct {
		Meta          map[string]any             `json:"_meta"`
		Notifications map[string]json.RawMessage `json:"notifications"`
	} `json:"params"`
}

// taskListen reports whether body is a subscriptions/listen asking for
// taskIds; only says whether it asks for nothing else. stripped is the
// body without the taskIds.
func taskListen(body []byte) (req listenRequest, taskIDs []string, only bool, stripped []byte, ok bool) {
	if err := json.Unmarshal(body, &req); err != nil || req.Method != "subscriptions/listen" {
		return req, nil, false, nil, false
	}
	raw, has := req.Params.Notifications["taskIds"]
	if !has {
		return req, nil, false, nil, false
	}
	if err := json.Unmarshal(raw, &taskIDs); err != nil {
		return req, nil, false, nil, false // go-sdk answers the malformed request
	}
	only = true
	for k, v := range req.Params.Notifications {
		if k != "taskIds" && !bytes.Equal(bytes.TrimSpace(v), []byte("false")) && !bytes.Equal(bytes.TrimSpace(v), []byte("[]")) && !bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			only = false
		}
	}
	var generic map[string]any
	if json.Unmarshal(body, &generic) == nil {
		if p, _ := generic["params"].(map[string]any); p != nil {
			if n, _ := p["notifications"].(map[string]any); n != nil {
				delete(n, "taskIds")
			}
		}
		stripped, _ = json.Marshal(generic)
	}
	return req, taskIDs, only, stripped, true
}

// serveTaskListen answers a subscriptions/listen that asks only for
// taskIds.
func (s *Server) serveTaskListen(w http.ResponseWriter, r *http.Request, req listenRequest, ids []string) {
	if !declaresExtMeta(req.Params.Meta) {
		writeRPCErrorData(w, http.StatusBadRequest, req.ID, CodeMissingRequiredClientCapability, listenNeedsExt, missingExtData)
		return
	}
	mreq := &mcp.ServerRequest[*mcp.SubscriptionsListenParams]{Params: &mcp.SubscriptionsListenParams{Meta: req.Params.Meta},
		Extra: &mcp.RequestExtra{TokenInfo: auth.TokenInfoFromContext(r.Context()), Header: r.Header}}
	ctx := withRequestor(r.Context(), s.requestorOf(r.Context(), mreq))
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	s.followTasks(ctx, ids, json.RawMessage(req.ID), func(msg any) bool {
		b, err := json.Marshal(msg)
		if err != nil {
			return false
		}
		if _, err := w.Write(append(append([]byte("event: message\ndata: "), b...), '\n', '\n')); err != nil {
			return false
		}
		return rc.Flush() == nil
	})
}

// followTasks serves a subscriptions/listen for the task IDs on any
// transport: send writes one JSON-RPC message and reports whether it went
// out. It acknowledges the IDs of the requestor's known tasks (ctx holds
// the requestor), sends notifications/tasks with the full task on each
// change, read from the store, and ends with the listen's result once
// every agreed task has finished, or when ctx is done.
func (s *Server) followTasks(ctx context.Context, ids []string, subID json.RawMessage, send func(any) bool) {
	agreed := []string{}
	for _, id := range ids {
		if _, err := s.lookup(ctx, id); err == nil {
			agreed = append(agreed, id)
		}
	}
	meta := map[string]any{"io.modelcontextprotocol/subscriptionId": subID}
	if !send(map[string]any{"jsonrpc": "2.0", "method": "notifications/subscriptions/acknowledged",
		"params": map[string]any{"notifications": map[string]any{"taskIds": agreed}, "_meta": meta}}) {
		return
	}
	last := map[string]string{}
	done := map[string]bool{}
	tick := time.NewTicker(max(s.opts.PollInterval/4, 20*time.Millisecond))
	defer tick.Stop()
	for len(done) < len(agreed) {
		for _, id := range agreed {
			if done[id] {
				continue
			}
			rec, err := s.lookup(ctx, id)
			if err != nil { // expired: nothing more will be said of it
				done[id] = true
				continue
			}
			t := s.extTaskOf(rec)
			b, err := encodeDetailed(t, "", meta)
			if err != nil {
				return
			}
			state := string(t.Status) + "\x00" + wireTime(t.LastUpdatedAt) + "\x00" + t.StatusMessage + "\x00" + string(t.InputRequests)
			if last[id] != state {
				last[id] = state
				if !send(map[string]any{"jsonrpc": "2.0", "method": "notifications/tasks", "params": json.RawMessage(b)}) {
					return
				}
			}
			if Terminal(t.Status) {
				done[id] = true
			}
		}
		if len(done) == len(agreed) {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
	send(map[string]any{"jsonrpc": "2.0", "id": subID, "result": map[string]any{"resultType": "complete", "_meta": meta}})
}

// declaresExtMeta reports whether the client capabilities in a request's
// _meta name the tasks extension.
func declaresExtMeta(meta map[string]any) bool {
	caps, _ := meta["io.modelcontextprotocol/clientCapabilities"].(map[string]any)
	ext, _ := caps["extensions"].(map[string]any)
	_, declared := ext[ExtensionID]
	return declared
}

var missingExtData, _ = json.Marshal(map[string]any{"requiredCapabilities": map[string]any{"extensions": map[string]any{ExtensionID: map[string]any{}}}})

const listenNeedsExt = "task status notifications need the client capability extensions[\"" + ExtensionID + "\"] on the request"

// stdioListen is the Conn's intercept on stdio and in-memory transports:
// it serves a 2026-07-28 subscriptions/listen asking only for taskIds on
// the connection itself (go-sdk's listen knows no taskIds), and strips the
// taskIds from one that asks for other notifications too.
func (s *Server) stdioListen(ctx context.Context, c *Conn, req *jsonrpc.Request) bool {
	lr, ids, only, stripped, ok := taskListen(mustJSON(req))
	if !ok {
		return false
	}
	if !only {
		var p struct {
			Params json.RawMessage `json:"params"`
		}
		if json.Unmarshal(stripped, &p) == nil {
			req.Params = p.Params
		}
		return false
	}
	if !declaresExtMeta(lr.Params.Meta) {
		_ = c.Connection.Write(ctx, &jsonrpc.Response{ID: req.ID, Error: &jsonrpc.Error{Code: CodeMissingRequiredClientCapability, Message: listenNeedsExt, Data: missingExtData}})
		return true
	}
	lctx, cancel := context.WithCancel(withRequestor(context.WithoutCancel(ctx), "session:"+c.sid))
	go func() {
		defer cancel()
		if c.gone != nil {
			go func() { // the listen ends when the peer leaves
				select {
				case <-c.gone:
					cancel()
				case <-lctx.Done():
				}
			}()
		}
		s.followTasks(lctx, ids, lr.ID, func(msg any) bool {
			b, err := json.Marshal(msg)
			if err != nil {
				return false
			}
			m, err := jsonrpc.DecodeMessage(b)
			if err != nil {
				return false
			}
			return c.Connection.Write(lctx, m) == nil
		})
	}()
	return true
}

func mustJSON(req *jsonrpc.Request) []byte {
	b, _ := jsonrpc.EncodeMessage(req)
	return b
}

func writeRPCErrorData(w http.ResponseWriter, status int, id json.RawMessage, code int64, msg string, data json.RawMessage) {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "error": map[string]any{"code": code, "message": msg, "data": data}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
