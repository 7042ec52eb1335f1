// Command proofserver serves the issue-10 proof server over streamable HTTP
// on a loopback address, for the TypeScript client in mcp/e2e:
//
//	go -C mcp run ./internal/proof/cmd/proofserver -addr 127.0.0.1:8931
package main

import (
	"flag"
	"log"
	"net"
	"net/http"

	"github.com/mcp-refcache/taskschema/mcp/internal/proof"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listening on http://%s/mcp", ln.Addr())
	mux := http.NewServeMux()
	mux.Handle("/mcp", proof.NewHTTPHandler())
	log.Fatal(http.Serve(ln, mux))
}
