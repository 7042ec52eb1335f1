package mcptasks

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// originCheck refuses requests whose Origin header is not allowed: MCP
// 2025-11-25, basic/transports, "Security Warning": servers MUST validate
// the Origin header on all incoming connections, and if it is present and
// invalid MUST respond with 403 Forbidden. go-sdk checks only the Host
// header of loopback requests (StreamableHTTPOptions.
// DisableLocalhostProtection), so the check is here.
type originCheck struct {
	any     bool
	allowed map[string]bool // canonical scheme://host[:port]
}

func newOriginCheck(list []string) (*originCheck, error) {
	c := &originCheck{allowed: map[string]bool{}}
	for _, o := range list {
		if o == "*" {
			c.any = true
			continue
		}
		canon, ok := canonicalOrigin(o)
		if !ok {
			return nil, fmt.Errorf("mcptasks: AllowedOrigins: %q is not an origin (scheme://host[:port])", o)
		}
		c.allowed[canon] = true
	}
	if list == nil {
		c.allowed = nil // loopback only
	}
	return c, nil
}

// canonicalOrigin lower-cases an origin's scheme and host; ok is false
// for anything but http(s)://host[:port] with nothing after it.
func canonicalOrigin(o string) (string, bool) {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host), true
}

func (c *originCheck) ok(origin string) bool {
	if c.any {
		return true
	}
	canon, ok := canonicalOrigin(origin)
	if !ok {
		return false // "null", garbage
	}
	if c.allowed != nil {
		return c.allowed[canon]
	}
	u, _ := url.Parse(canon)
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// wrap answers a request with a disallowed Origin with 403.
func (c *originCheck) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origins := r.Header.Values("Origin"); len(origins) > 0 {
			if len(origins) > 1 || !c.ok(origins[0]) {
				http.Error(w, "Forbidden: Origin not allowed", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
