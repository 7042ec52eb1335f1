package mcptasks

import (
	"encoding/json"
	"net/http"
	"sync"
)

// SSEInjector lets the server write notifications go-sdk cannot send (such
// as notifications/tasks/status) into a session's standalone SSE stream
// (the GET stream of streamable HTTP). It wraps the GET response writer
// and serialises writes; this is safe because go-sdk writes every SSE
// event with a single Write call (event.go:44-66, writeEvent) and flushes
// through http.ResponseController, which finds FlushError first.
type SSEInjector struct {
	mu      sync.Mutex
	streams map[string]map[*injectWriter]struct{}
}

// Wrap returns next with GET streams registered by Mcp-Session-Id.
func (in *SSEInjector) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sid := r.Header.Get("Mcp-Session-Id")
		if r.Method != http.MethodGet || sid == "" {
			next.ServeHTTP(w, r)
			return
		}
		iw := &injectWriter{ResponseWriter: w}
		in.mu.Lock()
		if in.streams == nil {
			in.streams = map[string]map[*injectWriter]struct{}{}
		}
		if in.streams[sid] == nil {
			in.streams[sid] = map[*injectWriter]struct{}{}
		}
		in.streams[sid][iw] = struct{}{}
		in.mu.Unlock()
		defer func() {
			in.mu.Lock()
			delete(in.streams[sid], iw)
			if len(in.streams[sid]) == 0 {
				delete(in.streams, sid)
			}
			in.mu.Unlock()
			iw.mu.Lock()
			iw.closed = true
			iw.mu.Unlock()
		}()
		next.ServeHTTP(iw, r)
	})
}

// Notify writes a notification to every open GET stream of the session.
// It reports whether one stream took it; false means the client has no
// GET stream open, which the specification allows.
func (in *SSEInjector) Notify(sessionID, method string, params any) (bool, error) {
	p, err := json.Marshal(params)
	if err != nil {
		return false, err
	}
	data, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": json.RawMessage(p)})
	if err != nil {
		return false, err
	}
	event := append(append([]byte("event: message\ndata: "), data...), '\n', '\n')
	in.mu.Lock()
	var ws []*injectWriter
	for w := range in.streams[sessionID] {
		ws = append(ws, w)
	}
	in.mu.Unlock()
	sent := false
	for _, w := range ws {
		if w.inject(event) == nil {
			sent = true
		}
	}
	return sent, nil
}

type injectWriter struct {
	http.ResponseWriter
	mu      sync.Mutex
	started bool // go-sdk has written the SSE headers
	closed  bool
}

func (w *injectWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.started = code == http.StatusOK
	w.ResponseWriter.WriteHeader(code)
}

func (w *injectWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ResponseWriter.Write(p)
}

func (w *injectWriter) FlushError() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *injectWriter) inject(event []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.started || w.closed {
		return http.ErrHandlerTimeout
	}
	if _, err := w.ResponseWriter.Write(event); err != nil {
		return err
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}
