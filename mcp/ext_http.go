package mcptasks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// extRouter sends the HTTP requests of protocol revision 2026-07-28 (by
// their MCP-Protocol-Version header) to a stateless go-sdk handler serving
// the same server, and every other request to legacy. go-sdk serves
// 2026-07-28 over HTTP only in stateless mode (streamable.go: a stateful
// handler answers such a request with "unsupported protocol version"), and
// 2026-07-28 has no sessions: each request carries its version and the
// client's capabilities in params._meta.
//
// Before the stateless handler, a tasks/get, tasks/update or tasks/cancel
// whose Mcp-Name header disagrees with params.taskId is refused with HTTP
// 400 and -32020 (SEP-2663 routing headers; go-sdk checks Mcp-Name only for
// tools/call, resources/read and prompts/get, streamable_headers.go:359-400).
// A request without Mcp-Name is served: go-sdk's own client does not send
// it for these methods.
func (s *Server) extRouter(legacy http.Handler, opts *mcp.StreamableHTTPOptions, maxBody int64) http.Handler {
	var so mcp.StreamableHTTPOptions
	if opts != nil {
		so = *opts
	}
	so.Stateless = true
	so.EventStore = nil
	stateless := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s.mcp }, &so)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Mcp-Protocol-Version") < ExtProtocolVersion {
			legacy.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodPost && r.Body != nil {
			body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
			r.Body.Close()
			if err != nil {
				http.Error(w, "reading body: "+err.Error(), http.StatusBadRequest)
				return
			}
			if int64(len(body)) > maxBody {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			if id, msg, bad := taskNameMismatch(r.Header, body); bad {
				writeRPCError(w, http.StatusBadRequest, id, CodeHeaderMismatch, msg)
				return
			}
			if req, ids, only, stripped, ok := taskListen(body); ok {
				if only {
					s.serveTaskListen(w, r, req, ids) // ext_listen.go
					return
				}
				body = stripped
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		stateless.ServeHTTP(w, r)
	})
}

// taskNameMismatch reports whether body is one tasks/get, tasks/update or
// tasks/cancel request whose Mcp-Name header, when present, differs from
// params.taskId; it returns the request's id and the error message.
func taskNameMismatch(h http.Header, body []byte) (json.RawMessage, string, bool) {
	values, present := h[http.CanonicalHeaderKey("Mcp-Name")]
	if !present || len(values) == 0 {
		return nil, "", false
	}
	var req struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params struct {
			TaskID *string `json:"taskId"`
		} `json:"params"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, "", false // not one request: go-sdk answers it
	}
	switch req.Method {
	case "tasks/get", "tasks/update", "tasks/cancel":
	default:
		return nil, "", false
	}
	name := strings.Trim(values[0], " \t") // RFC 9110 5.5: optional white space is not part of the value
	if req.Params.TaskID != nil && name == *req.Params.TaskID {
		return nil, "", false
	}
	return req.ID, fmt.Sprintf("header mismatch: the Mcp-Name header of %s must equal params.taskId", req.Method), true
}

func writeRPCError(w http.ResponseWriter, status int, id json.RawMessage, code int64, msg string) {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "error": map[string]any{"code": code, "message": msg}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
