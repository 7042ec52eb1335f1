package redistest_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/tasks/redisstore/redistest"
	"github.com/redis/go-redis/v9"
)

// TestStartAndStop checks that Start gives the address of a server that
// answers, on loopback, and that the server is gone once its test ended.
func TestStartAndStop(t *testing.T) {
	var addr string
	t.Run("inner", func(t *testing.T) {
		addr = redistest.Start(t)
		host, _, err := net.SplitHostPort(addr)
		if err != nil || host != "127.0.0.1" {
			t.Fatalf("Start gave %q, want 127.0.0.1:PORT", addr)
		}
		c := redis.NewClient(&redis.Options{Addr: addr})
		defer c.Close()
		if err := c.Set(context.Background(), "k", "v", 0).Err(); err != nil {
			t.Fatalf("SET on the started server: %v", err)
		}
	})
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("the server on %s still accepts connections after its test ended", addr)
	}
}
