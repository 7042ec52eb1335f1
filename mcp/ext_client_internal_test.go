package mcptasks

import (
	"encoding/json"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestDeclareExt(t *testing.T) {
	caps := `"` + mcp.MetaKeyClientCapabilities + `"`
	opt := `"` + extOptInKey + `":true`
	for _, c := range []struct{ in, want string }{
		// go-sdk's capabilities gain the extension; the opt-in key goes.
		{`{"taskId":"a","_meta":{` + opt + `,` + caps + `:{"elicitation":{}}}}`, `{"taskId":"a","_meta":{` + caps + `:{"elicitation":{},"extensions":{"` + ExtensionID + `":{}}}}}`},
		// other extensions are kept, a declared one is left as it is.
		{`{"_meta":{` + opt + `,` + caps + `:{"extensions":{"x":{"a":1}}}}}`, `{"_meta":{` + caps + `:{"extensions":{"x":{"a":1},"` + ExtensionID + `":{}}}}}`},
		{`{"_meta":{` + opt + `,` + caps + `:{"extensions":{"` + ExtensionID + `":{"v":2}}}}}`, `{"_meta":{` + caps + `:{"extensions":{"` + ExtensionID + `":{"v":2}}}}}`},
		// without capabilities (not a 2026-07-28 session) the key just goes.
		{`{"name":"x","_meta":{` + opt + `}}`, `{"name":"x"}`},
		{`{"name":"x","_meta":{"progressToken":1}}`, ""},
		{`{"_meta":{` + opt + `,` + caps + `:[1]}}`, ""},
		{`[1]`, ""},
	} {
		out, ok := declareExt(json.RawMessage(c.in))
		if ok != (c.want != "") || ok && !jsonEqual(t, string(out), c.want) {
			t.Errorf("declareExt(%s) = %s, %v; want %s", c.in, out, ok, c.want)
		}
	}
}

func TestExtTaskAsToolResult(t *testing.T) {
	created := `{"resultType":"task","taskId":"a","status":"working"}`
	for _, c := range []struct{ in, want string }{
		{created, `{"content":[],"_meta":{"` + extTaskMetaKey + `":` + created + `}}`},
		{`{"resultType":"complete","content":[]}`, ""},
		{`{"task":{"taskId":"a"}}`, ""},
		{`null`, ""},
	} {
		out, ok := extTaskAsToolResult(json.RawMessage(c.in))
		if ok != (c.want != "") || ok && !jsonEqual(t, string(out), c.want) {
			t.Errorf("extTaskAsToolResult(%s) = %s, %v; want %s", c.in, out, ok, c.want)
		}
	}
	// Over HTTP: the opt-in on any request, the raised answer for tools/call.
	body := []byte(`[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","_meta":{` + `"` + extOptInKey + `":true}}},{"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"taskId":"a","_meta":{"` + extOptInKey + `":true}}}]`)
	out, ids := lowerBody(body)
	if !ids["1"] || ids["2"] || !jsonEqual(t, string(out), `[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}},{"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"taskId":"a"}}]`) {
		t.Fatalf("body %s, ids %v", out, ids)
	}
	answer := raiseAnswers([]byte(`{"jsonrpc":"2.0","id":1,"result":`+created+`}`), ids)
	if !jsonEqual(t, string(answer), `{"jsonrpc":"2.0","id":1,"result":{"content":[],"_meta":{"`+extTaskMetaKey+`":`+created+`}}}`) {
		t.Fatalf("answer %s", answer)
	}
}

// FuzzDeclareExt: any params are left as they are or lose the opt-in key
// and, when they had capabilities, declare the extension; no panic.
func FuzzDeclareExt(f *testing.F) {
	f.Add([]byte(`{"_meta":{"` + extOptInKey + `":true,"` + mcp.MetaKeyClientCapabilities + `":{"extensions":{"x":{}}}}}`))
	f.Add([]byte(`{"_meta":{"` + extOptInKey + `":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, ok := declareExt(data)
		if !ok {
			if string(out) != string(data) {
				t.Fatal("changed without ok")
			}
			return
		}
		var p struct {
			Meta map[string]json.RawMessage `json:"_meta"`
		}
		if err := json.Unmarshal(out, &p); err != nil || p.Meta[extOptInKey] != nil {
			t.Fatalf("%s -> %s (%v)", data, out, err)
		}
		if raw, had := p.Meta[mcp.MetaKeyClientCapabilities]; had {
			var caps struct {
				Extensions map[string]json.RawMessage `json:"extensions"`
			}
			if err := json.Unmarshal(raw, &caps); err != nil || caps.Extensions[ExtensionID] == nil {
				t.Fatalf("%s -> %s: no extension declared (%v)", data, out, err)
			}
		}
	})
}
