package mcptasks

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// The streamable HTTP form of the client's seam. A connection of go-sdk's
// StreamableClientTransport cannot be wrapped: go-sdk tells it the
// session's state through an unexported method (mcp/transport.go,
// clientConnection.sessionUpdated; mcp/client.go calls it after
// initialize), which starts the standalone SSE stream that carries what the
// server sends after a CreateTaskResult (progress, notifications/tasks/status)
// and sets the protocol version header. So [ClientTransport] rewrites the
// HTTP bodies instead, in the transport's http.Client: the same two
// rewrites as on a connection, on a POST body (one message or a batch) and
// on its answer (application/json, or text/event-stream whose events each
// hold one message on one data line, as go-sdk writes them).

// taskRoundTripper is the http.RoundTripper of a ClientTransport over
// streamable HTTP.
type taskRoundTripper struct {
	base http.RoundTripper
}

func (rt taskRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || req.Body == nil || req.Body == http.NoBody {
		return rt.base.RoundTrip(req)
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	body, ids := lowerBody(body)
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	resp, err := rt.base.RoundTrip(r)
	if err != nil || len(ids) == 0 || resp.Body == nil {
		return resp, err
	}
	switch ct := resp.Header.Get("Content-Type"); {
	case strings.HasPrefix(ct, "application/json"):
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		data = raiseAnswers(data, ids)
		resp.Body = io.NopCloser(bytes.NewReader(data))
		resp.ContentLength = int64(len(data))
		resp.Header.Del("Content-Length")
	case strings.HasPrefix(ct, "text/event-stream"):
		resp.Body = raiseEvents(resp.Body, ids)
	}
	return resp, nil
}

// wireMessage is a JSON-RPC message as it is read and written here.
type wireMessage map[string]json.RawMessage

// lowerBody rewrites each task-augmented tools/call, and each request that
// opts in to the tasks extension, of a POST body and returns the IDs (as
// written) of the tools/call requests it rewrote.
func lowerBody(body []byte) ([]byte, map[string]bool) {
	ids := map[string]bool{}
	lower := func(m wireMessage) bool {
		var method string
		if json.Unmarshal(m["method"], &method) != nil || m["id"] == nil {
			return false
		}
		p, moved := lowerParams(method, m["params"])
		if moved {
			m["params"] = p
			if method == "tools/call" {
				ids[string(m["id"])] = true
			}
		}
		return moved
	}
	return rewrite(body, lower), ids
}

// raiseAnswers rewrites the CreateTaskResult answers to the given IDs.
func raiseAnswers(data []byte, ids map[string]bool) []byte {
	return rewrite(data, func(m wireMessage) bool {
		if !ids[string(m["id"])] || m["result"] == nil {
			return false
		}
		r, ok := raiseResult(m["result"])
		if ok {
			m["result"] = r
		}
		return ok
	})
}

// rewrite applies f to one message or to each of a batch, and writes the
// data again when f changed one.
func rewrite(data []byte, f func(wireMessage) bool) []byte {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var batch []wireMessage
		if json.Unmarshal(trimmed, &batch) != nil {
			return data
		}
		changed := false
		for _, m := range batch {
			changed = f(m) || changed
		}
		if !changed {
			return data
		}
		out, err := json.Marshal(batch)
		if err != nil {
			return data
		}
		return out
	}
	var m wireMessage
	if json.Unmarshal(trimmed, &m) != nil || !f(m) {
		return data
	}
	out, err := json.Marshal(m)
	if err != nil {
		return data
	}
	return out
}

// raiseEvents rewrites the data lines of an event stream as they arrive.
func raiseEvents(body io.ReadCloser, ids map[string]bool) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		r := bufio.NewReader(body)
		for {
			line, err := r.ReadBytes('\n')
			if rest, ok := bytes.CutPrefix(line, []byte("data:")); ok && len(ids) > 0 {
				nl := bytes.HasSuffix(rest, []byte("\n"))
				raised := raiseAnswers(bytes.TrimSpace(rest), ids)
				line = append(append([]byte("data: "), raised...), "\n"[:boolInt(nl)]...)
			}
			if len(line) > 0 {
				if _, werr := pw.Write(line); werr != nil {
					body.Close()
					return
				}
			}
			if err != nil {
				body.Close()
				if err == io.EOF {
					err = nil
				}
				pw.CloseWithError(err)
				return
			}
		}
	}()
	return &pipeBody{PipeReader: pr, body: body}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pipeBody closes the original body with the pipe, so that the goroutine of
// raiseEvents ends when go-sdk stops reading.
type pipeBody struct {
	*io.PipeReader
	body io.Closer
}

func (p *pipeBody) Close() error {
	p.PipeReader.Close()
	return p.body.Close()
}
