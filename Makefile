SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Tool versions, pinned. go-jsonschema is pinned in gen/go.mod.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BENCHSTAT   := golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

FUZZTIME ?= 10s
BENCHCOUNT ?= 6

.PHONY: help
help: ## Show the targets.
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' \
		'{ name[NR] = $$1; text[NR] = $$2; if (length($$1) > w) w = length($$1) } \
		END { for (i = 1; i <= NR; i++) printf "  %-" w "s  %s\n", name[i], text[i] }'

.PHONY: generate
generate: ## Regenerate models/*_gen.go, docs/MODELS.md's field tables, the schema bundle and the client packages' generated files (clients/) from schema/.
	go generate ./...

.PHONY: check
check: ## Regenerate and fail on any difference; gofmt, go vet, staticcheck, every module tidy (release/ tidy).
	scripts/check-generated.sh models docs/MODELS.md schema gen clients
	@out=$$(gofmt -l . ); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...
	go -C tests vet ./...
	go -C gen vet ./...
	go -C docs vet ./...
	go -C tasks/redisstore vet ./...
	go -C tasks/otelmetrics vet ./...
	go -C bench/peers vet ./...
	go -C mcp vet ./...
	GOEXPERIMENT=jsonv2 go -C bench/peers vet ./...
	go vet bench/ratios.go
	go vet bench/table.go
	go vet bench/compare.go
	go run $(STATICCHECK) ./...
	cd tests && go run $(STATICCHECK) ./...
	cd tasks/redisstore && go run $(STATICCHECK) ./...
	cd tasks/otelmetrics && go run $(STATICCHECK) ./...
	go -C bench/peers run $(STATICCHECK) ./...
	cd mcp && go run $(STATICCHECK) ./...
	go -C release vet ./...
	cd release && go run $(STATICCHECK) ./...
	go -C release run . tidy -repo ..

.PHONY: test
test: ## Install what is missing (scripts/setup.sh: redis-server, npm ci), then run every test with the race detector.
	scripts/setup.sh
	go test -race -count=1 ./...
	go -C tests test -race -count=1 ./...
	go -C gen test -count=1 ./...
	go -C docs test -count=1 ./...
	go -C tasks/redisstore test -race -count=1 ./...
	go -C tasks/otelmetrics test -race -count=1 ./...
	TASKSCHEMA_E2E=1 go -C mcp test -race -count=1 ./...
	go -C release test -count=1 ./...

.PHONY: publish-test
publish-test: ## Release a throwaway clone of HEAD, serve its tags from a file module proxy and build, import and install from them (release/publish_test.go).
	go -C release test -count=1 -run TestPublish -v ./...

.PHONY: release
release: ## Tag a release of every module on one commit: make release VERSION=vX.Y.Z (release/release.sh; pushes nothing).
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=vX.Y.Z" >&2; exit 2; }
	release/release.sh $(VERSION)

.PHONY: compat
compat: ## Compare schema/ with the last release tag vX.Y.Z; fail on a breaking change that is neither a major version nor recorded in CHANGELOG.md (docs/SCHEMA-EVOLUTION.md).
	go run ./cmd/taskschema compat --repo . --schema schema --changelog CHANGELOG.md

.PHONY: clients
clients: ## Build and test the client packages: clients/typescript (npm ci, npm test) and clients/python (pip install without an index, unit tests).
	cd clients/typescript && npm ci --no-audit --no-fund && npm test
	python3 -m unittest discover -s clients/python/tests -v

.PHONY: conformance-mcp
conformance-mcp: ## Run the official MCP conformance suite (tasks-* and generic 2026-07-28 scenarios) against mcp/examples/conformance (npm ci from mcp/conformance-suite, Node 22 from npm; go, curl).
	@for tool in npm curl; do command -v $$tool >/dev/null || { echo "make conformance-mcp needs $$tool on PATH" >&2; exit 1; }; done
	cd mcp/conformance-suite && npm ci --no-audit --no-fund
	bash mcp/conformance-suite/run.sh

.PHONY: bench-mcp
bench-mcp: ## Requests per second over streamable HTTP on loopback: fast tool with and without the fallback wrapper, tasks/get.
	go -C mcp test -run='^$$' -bench=HTTP -benchmem -benchtime=2s -count=1 .

.PHONY: test-32bit
test-32bit: ## Run the models and internal tests as 32-bit ARM under qemu-arm (Debian's qemu-user).
	@command -v qemu-arm >/dev/null || { echo "make test-32bit needs qemu-arm (apt-get install qemu-user)" >&2; exit 1; }
	GOARCH=arm GOARM=7 go test -count=1 -exec qemu-arm ./models/ ./internal/...

.PHONY: conformance
conformance: ## Run the corpus through Python jsonschema, ajv and the pydantic reference models (python3, node 20+).
	@for tool in python3 node npm; do command -v $$tool >/dev/null || { echo "make conformance needs $$tool on PATH" >&2; exit 1; }; done
	cd conformance/node && npm ci --no-audit --no-fund
	cd clients/typescript && npm ci --no-audit --no-fund && npm run build
	TASKSCHEMA_CONFORMANCE=1 go -C tests test -count=1 -v -run 'Conformance|ClientsGuide' .

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME (default 10s) each.
	@for pkg in $$(go list ./...); do \
		for target in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$target"; \
			go test -run='^$$' -fuzz="^$$target$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s $$pkg; \
		done; \
	done
	@for pkg in $$(go -C mcp list ./...); do \
		for target in $$(go -C mcp test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$target"; \
			go -C mcp test -run='^$$' -fuzz="^$$target$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s $$pkg; \
		done; \
	done

.PHONY: bench
bench: ## Run the benchmarks (BENCHCOUNT times), summarise them with benchstat, print the ratios of issue 3.
	go test -run='^$$' -bench=. -benchmem -count=$(BENCHCOUNT) ./... | tee bench.txt
	go run $(BENCHSTAT) bench.txt
	go run bench/ratios.go bench.txt

.PHONY: bench-compare
bench-compare: ## Time testdata/bench/ through Unmarshal, goccy, sonic, encoding/json v1 and v2, pydantic and ajv, in rounds; see docs/PERFORMANCE.md.
	go -C bench/peers test -count=1 ./...
	bench/compare.sh
