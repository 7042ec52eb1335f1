package mcptasks_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
)

// tap wraps an HTTP handler and hands every JSON-RPC message the server
// writes (JSON bodies, SSE events on POST and GET streams, injected ones
// included) to the checker, with the method of the request it answers.
type tap struct {
	next  http.Handler
	check *checker

	mu      sync.Mutex
	methods map[string]string // session + id -> method
}

func newTap(next http.Handler, c *checker) *tap {
	return &tap{next: next, check: c, methods: map[string]string{}}
}

type wireMsg struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

func decodeMsgs(body []byte) []wireMsg {
	body = bytes.TrimSpace(body)
	var msgs []wireMsg
	if len(body) > 0 && body[0] == '[' {
		_ = json.Unmarshal(body, &msgs)
		return msgs
	}
	var m wireMsg
	if json.Unmarshal(body, &m) == nil {
		msgs = append(msgs, m)
	}
	return msgs
}

func (tp *tap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sid := r.Header.Get("Mcp-Session-Id")
	if r.Method == http.MethodPost {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		tp.mu.Lock()
		for _, m := range decodeMsgs(body) {
			if len(m.ID) > 0 && m.Method != "" {
				tp.methods[sid+string(m.ID)] = m.Method
			}
		}
		tp.mu.Unlock()
	}
	tw := &tapWriter{ResponseWriter: w, tp: tp, sid: sid}
	tp.next.ServeHTTP(tw, r)
	tw.finish()
}

func (tp *tap) handle(sid string, m wireMsg) {
	switch {
	case len(m.ID) > 0 && m.Result != nil:
		tp.mu.Lock()
		method := tp.methods[sid+string(m.ID)]
		tp.mu.Unlock()
		tp.check.response(method, m.Result)
	case m.Method != "" && len(m.ID) == 0:
		tp.check.notification(m.Method, m.Params)
	}
}

// tapWriter passes everything on and parses SSE events as they are
// written.
type tapWriter struct {
	http.ResponseWriter
	tp   *tap
	sid  string
	mu   sync.Mutex
	buf  bytes.Buffer
	json bool
}

func (w *tapWriter) WriteHeader(code int) {
	mt, _, _ := mime.ParseMediaType(w.Header().Get("Content-Type"))
	w.json = mt == "application/json"
	w.ResponseWriter.WriteHeader(code)
}

func (w *tapWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.buf.Write(p)
	if !w.json {
		w.events()
	}
	w.mu.Unlock()
	return w.ResponseWriter.Write(p)
}

// events hands on each complete SSE event in the buffer.
func (w *tapWriter) events() {
	for {
		b := w.buf.Bytes()
		i := bytes.Index(b, []byte("\n\n"))
		if i < 0 {
			return
		}
		ev := string(b[:i])
		w.buf.Next(i + 2)
		sc := bufio.NewScanner(strings.NewReader(ev))
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				for _, m := range decodeMsgs([]byte(data)) {
					w.tp.handle(w.sid, m)
				}
			}
		}
	}
}

func (w *tapWriter) finish() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.json {
		for _, m := range decodeMsgs(w.buf.Bytes()) {
			w.tp.handle(w.sid, m)
		}
	}
}

func (w *tapWriter) FlushError() error { return http.NewResponseController(w.ResponseWriter).Flush() }

func (w *tapWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
