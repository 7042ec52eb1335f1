//go:build (amd64 || arm64) && !go1.28

package main

import "github.com/bytedance/sonic"

// sonic runs its JIT only on amd64 and arm64 (and on the Go versions it
// knows); elsewhere it falls back to encoding/json and is left out.
func init() {
	decoders = append(decoders,
		decoder{name: "sonic", about: "github.com/bytedance/sonic Unmarshal (ConfigDefault: no UTF-8 check, strings share the input)",
			module: "github.com/bytedance/sonic", unmarshal: sonic.Unmarshal, plain: true},
		decoder{name: "sonic-std", about: "github.com/bytedance/sonic ConfigStd.Unmarshal (UTF-8 checked, strings copied)",
			module: "github.com/bytedance/sonic", unmarshal: sonic.ConfigStd.Unmarshal, plain: true},
	)
}
