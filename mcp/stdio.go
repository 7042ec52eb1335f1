package mcptasks

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// StdioTransport is go-sdk's newline-delimited JSON transport (stdio by
// default) that survives a malformed line. go-sdk's ioConn decodes the
// stream with one json.Decoder and its read loop ends at the first
// decoding error (go-sdk v1.8.0 mcp/transport.go:515-553), and a line
// that is JSON but not a JSON-RPC message makes Read fail
// (transport.go:697-699, readBatch at 739-758); either ends the session.
// This transport reads the input line by line first: a line that is not
// one JSON-RPC message is answered with a JSON-RPC
// error (-32700 parse error, -32600 invalid request; id null, the
// message naming the line's length, never its text) and skipped; a line
// longer than MaxLineLength is answered and skipped the same way. The
// answers are written under the lock that also serialises go-sdk's
// writes, each of which is one Write call (transport.go:802-808).
type StdioTransport struct {
	// In is read; nil means os.Stdin.
	In io.Reader
	// Out is written; nil means os.Stdout.
	Out io.Writer
	// MaxLineLength is the longest line accepted, in bytes; 0 means
	// mcp.DefaultMaxLineLength (16 MiB).
	MaxLineLength int
}

// Connect implements mcp.Transport.
func (t *StdioTransport) Connect(ctx context.Context) (mcp.Connection, error) {
	in, out := t.In, t.Out
	if in == nil {
		in = os.Stdin
	}
	if out == nil {
		out = os.Stdout
	}
	limit := t.MaxLineLength
	if limit <= 0 {
		limit = mcp.DefaultMaxLineLength
	}
	w := &lockedWriter{w: out}
	pr, pw := io.Pipe()
	go filterLines(in, pw, w, limit)
	return (&mcp.IOTransport{Reader: pr, Writer: w, MaxLineLength: -1}).Connect(ctx)
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) Close() error { return nil }

// filterLines copies the JSON-RPC lines of in to pw and answers the others
// on w, until in ends (then pw gets EOF) or pw is closed.
func filterLines(in io.Reader, pw *io.PipeWriter, w io.Writer, limit int) {
	br := bufio.NewReaderSize(in, 64<<10)
	var line []byte
	for {
		line = line[:0]
		tooLong := false
		var err error
		for {
			var chunk []byte
			chunk, err = br.ReadSlice('\n')
			if !tooLong {
				if len(line)+len(chunk) > limit+2 { // the line and "\r\n"
					tooLong, line = true, line[:0]
				} else {
					line = append(line, chunk...)
				}
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				break
			}
		}
		switch {
		case tooLong:
			answer(w, jsonrpc.CodeInvalidRequest, fmt.Sprintf("line longer than %d bytes skipped", limit))
		default:
			if msg := bytes.TrimSpace(line); len(msg) > 0 {
				if code, why := checkLine(msg); code != 0 {
					answer(w, code, fmt.Sprintf("line of %d bytes skipped: %s", len(msg), why))
				} else if _, werr := pw.Write(append(msg, '\n')); werr != nil {
					return // the connection is closed
				}
			}
		}
		if err != nil { // io.EOF or a read error: the input has ended
			pw.CloseWithError(err)
			return
		}
	}
}

// checkLine returns 0 when line is one JSON-RPC message, else the
// JSON-RPC error code and why. Batches are refused too: go-sdk ends the
// session at a batch on protocol 2025-06-18 and later, and at a batch
// with a repeated ID (transport.go:705-707, 720-722); the protocol
// versions this package serves have no batches.
func checkLine(line []byte) (int64, string) {
	if !json.Valid(line) {
		return jsonrpc.CodeParseError, "not JSON"
	}
	if line[0] == '[' {
		return jsonrpc.CodeInvalidRequest, "a JSON-RPC batch (protocol 2025-06-18 and later has none)"
	}
	if _, err := jsonrpc.DecodeMessage(line); err != nil {
		return jsonrpc.CodeInvalidRequest, "not a JSON-RPC message"
	}
	return 0, ""
}

// answer writes a JSON-RPC error response with id null.
func answer(w io.Writer, code int64, msg string) {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": nil, "error": map[string]any{"code": code, "message": msg}})
	_, _ = w.Write(append(b, '\n'))
}
