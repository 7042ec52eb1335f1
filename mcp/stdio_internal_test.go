package mcptasks

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// FuzzFilterLines: whatever the input, filterLines forwards only lines
// that are one JSON-RPC message, answers every other non-blank line with
// one JSON-RPC error of id null that does not echo it, and ends.
func FuzzFilterLines(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"ping"}` + "\n" + `garbage` + "\n\n" + `[1]` + "\r\n" + `{"jsonrpc":"2.0","method":"x"}`))
	f.Add([]byte("{\"a\":\n1}\n\"s\"\n" + strings.Repeat("x", 300) + "\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		const limit = 256
		pr, pw := io.Pipe()
		var forwarded []byte
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); forwarded, _ = io.ReadAll(pr) }()
		var answers bytes.Buffer
		filterLines(bytes.NewReader(in), pw, &lockedWriter{w: &answers}, limit)
		wg.Wait()
		want := 0 // non-blank input lines
		for _, l := range bytes.Split(in, []byte("\n")) {
			if len(bytes.TrimSpace(l)) > 0 {
				want++
			}
		}
		got := 0
		sc := bufio.NewScanner(bytes.NewReader(forwarded))
		sc.Buffer(nil, len(in)+2)
		for sc.Scan() {
			got++
			if _, err := jsonrpc.DecodeMessage(sc.Bytes()); err != nil {
				t.Fatalf("forwarded a line that is not a JSON-RPC message: %q", sc.Bytes())
			}
		}
		sc = bufio.NewScanner(&answers)
		for sc.Scan() {
			got++
			var a struct {
				ID    json.RawMessage `json:"id"`
				Error struct {
					Code int64 `json:"code"`
				} `json:"error"`
			}
			if json.Unmarshal(sc.Bytes(), &a) != nil || string(a.ID) != "null" || (a.Error.Code != -32700 && a.Error.Code != -32600) || len(sc.Bytes()) > 200 {
				t.Fatalf("answer %q", sc.Bytes())
			}
		}
		if got != want {
			t.Fatalf("%d non-blank lines in, %d forwarded or answered", want, got)
		}
	})
}
