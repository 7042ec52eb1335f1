//go:build goexperiment.jsonv2

package main

import jsonv2 "encoding/json/v2"

// Under GOEXPERIMENT=jsonv2 the binary times encoding/json/v2 too. Its
// numbers form their own group: in this build encoding/json (v1) runs on the
// v2 implementation, and models.Unmarshal is timed again as their reference.
func init() {
	group = "jsonv2"
	only = []string{base, "json", "json/v2"}
	for i := range decoders {
		if decoders[i].name == "json" {
			decoders[i].about = "encoding/json (v1) Unmarshal, implemented on v2 under GOEXPERIMENT=jsonv2"
		}
	}
	decoders = append(decoders, decoder{name: "json/v2", about: "encoding/json/v2 Unmarshal (GOEXPERIMENT=jsonv2)",
		unmarshal: func(data []byte, v any) error { return jsonv2.Unmarshal(data, v) }, plain: true})
}
