package mcptasks_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// StdioTransport answers a line that is not a JSON-RPC message and goes
// on, where go-sdk's StdioTransport would end the session.
func ExampleStdioTransport() {
	ctx := context.Background()
	runner, err := tasks.NewRunner(tasks.Options{})
	if err != nil {
		panic(err)
	}
	defer runner.Close(ctx)
	srv, err := mcptasks.New(mcp.NewServer(&mcp.Implementation{Name: "stdio", Version: "v1"}, nil), mcptasks.Options{Runner: runner})
	if err != nil {
		panic(err)
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ss, err := srv.Connect(ctx, &mcptasks.StdioTransport{In: inR, Out: outW}, nil) // In, Out: nil means os.Stdin, os.Stdout
	if err != nil {
		panic(err)
	}
	defer ss.Close()
	out := bufio.NewScanner(outR)
	for _, line := range []string{"not json", `{"jsonrpc":"2.0","id":1,"method":"ping"}`} {
		fmt.Fprintln(inW, line)
		out.Scan()
		fmt.Println(out.Text())
	}
	// Output:
	// {"error":{"code":-32700,"message":"line of 8 bytes skipped: not JSON"},"id":null,"jsonrpc":"2.0"}
	// {"jsonrpc":"2.0","id":1,"result":{}}
}

// Behind go-sdk's bearer-token middleware, a task belongs to the token's
// user (TokenInfo.UserID): other users get "not found" for it, as for an
// unknown task, and do not see it in tasks/list. Without authentication
// it belongs to the session; Options.SharedTasks lets every requestor see
// every task. HTTPHandler refuses an Origin header that is not in
// AllowedOrigins (nil: loopback origins) with 403.
func ExampleOptions_ownership() {
	runner, err := tasks.NewRunner(tasks.Options{
		// Each user may have at most 10 tasks in flight, across replicas
		// with redisstore.Options.MaxInFlightPerRequestor.
		Store: tasks.NewMemoryStore(tasks.MemoryOptions{MaxInFlightPerRequestor: 10}),
	})
	if err != nil {
		panic(err)
	}
	defer runner.Close(context.Background())
	srv, err := mcptasks.New(mcp.NewServer(&mcp.Implementation{Name: "owned", Version: "v1"}, nil), mcptasks.Options{
		Runner:         runner,
		AllowedOrigins: []string{"https://app.example.com"},
	})
	if err != nil {
		panic(err)
	}
	verify := func(ctx context.Context, token string, r *http.Request) (*auth.TokenInfo, error) {
		user, ok := strings.CutPrefix(token, "demo-token-of-") // a real verifier checks a signature
		if !ok {
			return nil, auth.ErrInvalidToken
		}
		return &auth.TokenInfo{UserID: user, Expiration: time.Now().Add(time.Hour)}, nil
	}
	handler := auth.RequireBearerToken(verify, nil)(srv.HTTPHandler(nil, 0))
	_ = handler // serve it: http.ListenAndServe("127.0.0.1:8931", handler)
	fmt.Println("ready")
	// Output: ready
}
