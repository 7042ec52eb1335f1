package mcptasks_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// lineClient writes lines to a server's input and reads its output lines.
type lineClient struct {
	t   *testing.T
	in  *io.PipeWriter
	out chan string
}

func newLineClient(t *testing.T, ts *testServer, transport func(in io.Reader, out io.Writer) mcp.Transport) *lineClient {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ss, err := ts.Connect(context.Background(), transport(inR, outW), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inW.Close(); outR.Close(); ss.Close() })
	c := &lineClient{t: t, in: inW, out: make(chan string, 16)}
	go func() {
		sc := bufio.NewScanner(outR)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			c.out <- sc.Text()
		}
		close(c.out)
	}()
	return c
}

func (c *lineClient) write(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.in, line+"\n"); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// next returns the next output line, or io.EOF when the output ended,
// within 10 seconds.
func (c *lineClient) next() (string, error) {
	select {
	case l, ok := <-c.out:
		if !ok {
			return "", io.EOF
		}
		return l, nil
	case <-time.After(10 * time.Second):
		return "", errors.New("no output within 10s")
	}
}

const initLine = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"l","version":"0"}}}`

// TestStdioSurvivesMalformedLines: each line that is not one JSON-RPC
// message gets an error answer with id null (parse error for what is not
// JSON, invalid request otherwise) that does not echo it, and the session
// goes on.
func TestStdioSurvivesMalformedLines(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	c := newLineClient(t, ts, func(in io.Reader, out io.Writer) mcp.Transport {
		return &mcptasks.StdioTransport{In: in, Out: out, MaxLineLength: 4096}
	})
	c.write(initLine)
	if l, err := c.next(); err != nil || !strings.Contains(l, `"id":1,"result"`) {
		t.Fatalf("initialize: %q %v", l, err)
	}
	c.write(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	bad := []struct {
		line string
		code int64
	}{
		{`{"jsonrpc":"2.0","id":2,"method":`, -32700},
		{`not json at all SECRET`, -32700},
		{`{"hello":"SECRET"}`, -32600},
		{`[{"jsonrpc":"2.0","id":3,"method":"ping"}]`, -32600},
		{`"SECRET"`, -32600},
		{`{"jsonrpc":"2.0","id":4,"method":"ping","params":"` + strings.Repeat("S", 10000) + `"}`, -32600},
	}
	for _, b := range bad {
		c.write(b.line)
		l, err := c.next()
		if err != nil {
			t.Fatalf("after %.40q: %v (the session ended)", b.line, err)
		}
		var resp struct {
			ID    json.RawMessage `json:"id"`
			Error struct {
				Code    int64  `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal([]byte(l), &resp) != nil || string(resp.ID) != "null" || resp.Error.Code != b.code ||
			strings.Contains(l, "SECRET") || strings.Contains(l, "SSSS") || len(l) > 200 {
			t.Errorf("answer to %.40q: %s, want an error %d with id null that does not echo the line", b.line, l, b.code)
		}
	}
	c.write(`{"jsonrpc":"2.0","id":5,"method":"tools/list"}`)
	if l, err := c.next(); err != nil || !strings.Contains(l, `"id":5,"result"`) || !strings.Contains(l, `"gated"`) {
		t.Fatalf("tools/list after the malformed lines: %.200q %v", l, err)
	}
}

// TestSDKStdioEndsAtMalformedLine is the go-sdk behaviour that
// StdioTransport works around (go-sdk v1.8.0 mcp/transport.go:515-553):
// its IOTransport ends the session at the first line that is not JSON.
// When this test fails, go-sdk no longer does, and StdioTransport can go.
func TestSDKStdioEndsAtMalformedLine(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	c := newLineClient(t, ts, func(in io.Reader, out io.Writer) mcp.Transport {
		return &mcp.IOTransport{Reader: io.NopCloser(in), Writer: out.(io.WriteCloser)}
	})
	c.write(initLine)
	if l, err := c.next(); err != nil || !strings.Contains(l, `"id":1,"result"`) {
		t.Fatalf("initialize: %q %v", l, err)
	}
	c.write(`not json`)
	for {
		l, err := c.next()
		if errors.Is(err, io.EOF) {
			return // the session ended
		}
		if err != nil {
			t.Fatalf("go-sdk's transport neither answered nor ended: %v", err)
		}
		if strings.Contains(l, `"error"`) {
			t.Fatalf("go-sdk's transport answered the malformed line (%s): StdioTransport may be unneeded", l)
		}
	}
}
