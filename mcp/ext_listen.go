package mcptasks

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
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
	caps, _ := req.Params.Meta["io.modelcontextprotocol/clientCapabilities"].(map[string]any)
	ext, _ := caps["extensions"].(map[string]any)
	if _, declared := ext[ExtensionID]; !declared {
		data, _ := json.Marshal(map[string]any{"requiredCapabilities": map[string]any{"extensions": map[string]any{ExtensionID: map[string]any{}}}})
		writeRPCErrorData(w, http.StatusBadRequest, req.ID, CodeMissingRequiredClientCapability,
			"task status notifications need the client capability extensions[\""+ExtensionID+"\"] on the request", data)
		return
	}
	mreq := &mcp.ServerRequest[*mcp.SubscriptionsListenParams]{Params: &mcp.SubscriptionsListenParams{Meta: req.Params.Meta},
		Extra: &mcp.RequestExtra{TokenInfo: auth.TokenInfoFromContext(r.Context()), Header: r.Header}}
	ctx := withRequestor(r.Context(), s.requestorOf(r.Context(), mreq))
	agreed := []string{}
	for _, id := range ids {
		if _, err := s.lookup(ctx, id); err == nil {
			agreed = append(agreed, id)
		}
	}
	subID := json.RawMessage(req.ID)
	meta := map[string]any{"io.modelcontextprotocol/subscriptionId": subID}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(msg any) bool {
		b, err := json.Marshal(msg)
		if err != nil {
			return false
		}
		if _, err := w.Write(append(append([]byte("event: message\ndata: "), b...), '\n', '\n')); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
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
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
	send(map[string]any{"jsonrpc": "2.0", "id": subID, "result": map[string]any{"resultType": "complete", "_meta": meta}})
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
