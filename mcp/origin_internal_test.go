package mcptasks

import (
	"net"
	"net/url"
	"strings"
	"testing"
)

// FuzzOriginCheck: no Origin value panics the check, and the default
// check (nil AllowedOrigins) accepts only http(s) origins whose host is
// localhost or a loopback address.
func FuzzOriginCheck(f *testing.F) {
	for _, s := range []string{"http://localhost:3000", "https://[::1]:8443", "http://127.0.0.2", "null", "http://evil.example",
		"http://localhost@evil.example", "http://localhost.evil.example", "file:///etc", "HTTP://LOCALHOST", "http://127.0.0.1/path"} {
		f.Add(s)
	}
	def, err := newOriginCheck(nil)
	if err != nil {
		f.Fatal(err)
	}
	list, err := newOriginCheck([]string{"https://app.example.com"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, origin string) {
		if list.ok(origin) {
			if c, _ := canonicalOrigin(origin); c != "https://app.example.com" {
				t.Fatalf("allow-list accepted %q (%q)", origin, c)
			}
		}
		if !def.ok(origin) {
			return
		}
		u, err := url.Parse(origin)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
			t.Fatalf("default accepted %q", origin)
		}
		host := strings.ToLower(u.Hostname())
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			t.Fatalf("default accepted %q: host %q is not loopback", origin, host)
		}
	})
}
