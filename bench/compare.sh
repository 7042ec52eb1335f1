#!/usr/bin/env bash
# The comparison of docs/PERFORMANCE.md (make bench-compare): in one run on
# one machine, times the payload files of testdata/bench/ through
#
# - bench/peers (a nested Go module): models.Unmarshal next to encoding/json,
#   goccy/go-json and sonic, which fill plain structs of the same shape; and
#   the same program built with GOEXPERIMENT=jsonv2, which adds
#   encoding/json/v2 (and times models.Unmarshal again, as its reference);
# - pydantic's model_validate_json on the bytes, with the models of the
#   original specification (bench/python);
# - ajv 8 from the bytes: strict UTF-8 decoding, JSON.parse and the validator
#   with allErrors on the schema files (bench/node);
#
# bench/compare.go drives them: for each of ROUNDS rounds, each payload and
# each of REPS repetitions, every implementation in turn (in an order that
# rotates) times one loop of at least TARGET_MS, so that a slow spell of a busy
# machine falls on all of them alike. Every runner first checks each
# payload's verdict (and, for the invalid ones, the violations of
# testdata/bench/expected_invalid.json; bench/peers also that every peer
# decodes the valid payloads to the same values) and stops the run if it
# differs. bench/table.go then prints Markdown tables: medians, the ratios of
# models.Unmarshal over each peer paired round by round with their spread,
# allocations, and the targets of issue 11.
#
# Go is required. A column whose runtime is missing is skipped with a message:
# encoding/json/v2 when the Go toolchain has no GOEXPERIMENT=jsonv2; python3
# with pydantic v2 for pydantic; node for ajv, whose packages are installed
# with `npm ci` from bench/node/package-lock.json when bench/node/node_modules
# is missing.
#
# Environment: ROUNDS (default 10), REPS (3), TARGET_MS (20), PYTHON
# (python3), NODE (node), NPM (npm).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-10}
REPS=${REPS:-3}
TARGET_MS=${TARGET_MS:-20}
PYTHON=${PYTHON:-python3}
NODE=${NODE:-node}
NPM=${NPM:-npm}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
samples=$work/samples.jsonl
: >"$samples"

# skip RUNTIME REASON [GROUP] records why a column is missing.
skip() {
	printf '{"runtime":"%s","group":"%s","skip":"%s"}\n' "$1" "${3:-}" "$2" >>"$samples"
	echo "bench/compare.sh: the $1 column is skipped: $2" >&2
}

go -C bench/peers build -o "$work/peers" .
runners=("$work/peers -dir testdata/bench")
if GOEXPERIMENT=jsonv2 go -C bench/peers build -o "$work/peers-jsonv2" . 2>"$work/jsonv2.log"; then
	runners+=("$work/peers-jsonv2 -dir testdata/bench")
else
	skip json/v2 "GOEXPERIMENT=jsonv2 does not build with $(go env GOVERSION): $(head -c 200 "$work/jsonv2.log" | tr '\n"\\' '   ')" jsonv2
fi

if ! command -v "$PYTHON" >/dev/null 2>&1; then
	skip pydantic "$PYTHON not found"
elif ! "$PYTHON" -c 'import sys, pydantic; sys.exit(not pydantic.VERSION.startswith("2."))' >/dev/null 2>&1; then
	skip pydantic "pydantic v2 is not installed for $PYTHON"
else
	runners+=("$PYTHON bench/python/bench.py --dir testdata/bench")
fi

node_ready() { [ -f bench/node/node_modules/ajv/package.json ] && [ -f bench/node/node_modules/ajv-formats/package.json ]; }
if ! command -v "$NODE" >/dev/null 2>&1; then
	skip ajv "$NODE not found"
else
	if ! node_ready && command -v "$NPM" >/dev/null 2>&1; then
		echo "bench/compare.sh: installing ajv from bench/node/package-lock.json (npm ci)" >&2
		(cd bench/node && "$NPM" ci --no-audit --no-fund >&2) || true
	fi
	if node_ready; then
		runners+=("$NODE bench/node/bench.mjs --dir testdata/bench --schemas schema")
	else
		skip ajv "bench/node/node_modules is missing and npm ci did not install it (run: cd bench/node && npm ci)"
	fi
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
go run bench/compare.go -rounds "$ROUNDS" -reps "$REPS" -target "${TARGET_MS}ms" -- "${runners[@]}" >>"$samples"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') at commit $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(uname -sm), ${cpu:-unknown CPU}, $(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN) cores (nproc), load average $load_before before and $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') after; $(go env GOVERSION), node $("$NODE" --version 2>/dev/null || echo 'missing'), $("$PYTHON" --version 2>&1 || echo 'python missing'); $ROUNDS rounds of $REPS repetitions of about $TARGET_MS ms per payload and runtime."
echo
go run bench/table.go "$samples"
