// Command server is the example MCP server of package mcptasks: a tool
// "slow" that runs longer than its one-second timeout and reports
// progress, a tool "fast", the polling tools, and MCP Tasks (2025-11-25).
//
// From the repository root:
//
//	go -C mcp run ./examples/server                          # stdio
//	go -C mcp run ./examples/server -http 127.0.0.1:8931     # streamable HTTP at http://127.0.0.1:8931/mcp
//
// The README of the repository shows how a client polls it.
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
	"strings"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/mcp/internal/demo"
)

func main() {
	addr := flag.String("http", "", "serve streamable HTTP on this loopback address (such as 127.0.0.1:8931) instead of stdio")
	timeout := flag.Duration("timeout", time.Second, "timeout fallback of the slow tool")
	origins := flag.String("origins", "", "comma-separated origins (such as https://app.example.com) whose browser requests are accepted; empty: loopback origins only, any other Origin gets 403")
	flag.Parse()
	var allowed []string
	if *origins != "" {
		allowed = strings.Split(*origins, ",")
	}
	if err := run(*addr, *timeout, allowed); err != nil {
		log.Fatal(err)
	}
}

func run(addr string, timeout time.Duration, origins []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	srv, err := demo.New(demo.Options{SlowTimeout: timeout, AllowedOrigins: origins})
	if err != nil {
		return err
	}
	defer srv.Runner().Close(context.Background())
	if addr == "" {
		// mcptasks.StdioTransport answers a malformed line instead of
		// ending the session as go-sdk's StdioTransport does.
		ss, err := srv.Connect(ctx, &mcptasks.StdioTransport{}, nil)
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
		return fmt.Errorf("-http %s: the example listens on loopback addresses only", addr)
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", srv.HTTPHandler(nil, 0))
	hs := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = hs.Shutdown(context.Background())
	}()
	log.Printf("taskschema example MCP server: http://%s/mcp", addr)
	if err := hs.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}
