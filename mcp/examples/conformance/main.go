// Command conformance is the fixture server for the official MCP
// conformance suite (@modelcontextprotocol/conformance): the tools its
// tasks-* scenarios (the tasks extension, SEP-2663, protocol revision
// 2026-07-28) and its generic 2026-07-28 scenarios name, served by package
// mcptasks with every task in the runner's store. 2025-11-25 sessions are
// served as by the example server.
//
// From the repository root:
//
//	go -C mcp run ./examples/conformance                          # stdio
//	go -C mcp run ./examples/conformance -http 127.0.0.1:8932     # streamable HTTP at http://127.0.0.1:8932/mcp
//
// make conformance-mcp starts it and runs the suite against it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/mcp-refcache/taskschema/mcp/internal/fixture"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func main() {
	addr := flag.String("http", "", "serve streamable HTTP at /mcp on this loopback address (such as 127.0.0.1:8932) instead of stdio")
	flag.Parse()
	if err := run(*addr); err != nil {
		log.Fatal(err)
	}
}

func run(addr string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	srv, err := fixture.New(fixture.Options{})
	if err != nil {
		return err
	}
	defer srv.Runner().Close(context.Background())
	if addr == "" {
		ss, err := srv.Connect(ctx, &mcp.StdioTransport{}, nil)
		if err != nil {
			return err
		}
		return ss.Wait()
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-http %s: the fixture server listens on loopback addresses only", addr)
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", srv.HTTPHandler(nil, 0))
	hs := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = hs.Shutdown(context.Background())
	}()
	log.Printf("taskschema MCP conformance fixture server: http://%s/mcp", addr)
	if err := hs.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}
