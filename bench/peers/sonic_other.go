//go:build !((amd64 || arm64) && !go1.28)

package main

// Where sonic would fall back to encoding/json, its columns are skipped.
func init() {
	skipped = append(skipped, result{Runtime: "sonic", Skip: "sonic runs its JIT only on amd64 and arm64"})
}
