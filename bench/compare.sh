#!/usr/bin/env bash
# The cross-language comparison of docs/PERFORMANCE.md (make bench-compare):
# in one run on one machine, times the payload files of testdata/bench/
# through Go's models.Unmarshal (bench/gobench), pydantic's
# model_validate_json on the models of the original specification
# (bench/python) and ajv 8 with JSON.parse on the schema files (bench/node),
# then prints a Markdown table of the medians and the ratios Go/pydantic and
# Go/ajv (bench/table.go).
#
# The runtimes take turns: each of ROUNDS rounds runs Go, then pydantic, then
# ajv, each timing REPS repetitions of a loop of about TARGET_MS per payload,
# so that a slow spell of a busy machine does not fall on one runtime only.
# Every runner first checks each payload's verdict (and, for the invalid ones,
# the violations of testdata/bench/expected_invalid.json) and stops the run
# if it differs.
#
# Go is required. A column whose runtime is missing is skipped with a message:
# python3 with pydantic v2 for pydantic; node for ajv, whose packages are
# installed with `npm ci` from bench/node/package-lock.json when
# bench/node/node_modules is missing.
#
# Environment: ROUNDS (default 3), REPS (5), TARGET_MS (50), PYTHON (python3),
# NODE (node), NPM (npm).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
REPS=${REPS:-5}
TARGET_MS=${TARGET_MS:-50}
PYTHON=${PYTHON:-python3}
NODE=${NODE:-node}
NPM=${NPM:-npm}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
samples=$work/samples.jsonl
: >"$samples"

skip() {
	printf '{"runtime":"%s","skip":"%s"}\n' "$1" "$2" >>"$samples"
	echo "bench/compare.sh: the $1 column is skipped: $2" >&2
}

go build -o "$work/gobench" ./bench/gobench

have_python=0
if ! command -v "$PYTHON" >/dev/null 2>&1; then
	skip pydantic "$PYTHON not found"
elif ! "$PYTHON" -c 'import sys, pydantic; sys.exit(not pydantic.VERSION.startswith("2."))' >/dev/null 2>&1; then
	skip pydantic "pydantic v2 is not installed for $PYTHON"
else
	have_python=1
fi

have_node=0
node_ready() { [ -f bench/node/node_modules/ajv/package.json ] && [ -f bench/node/node_modules/ajv-formats/package.json ]; }
if ! command -v "$NODE" >/dev/null 2>&1; then
	skip ajv "$NODE not found"
else
	if ! node_ready && command -v "$NPM" >/dev/null 2>&1; then
		echo "bench/compare.sh: installing ajv from bench/node/package-lock.json (npm ci)" >&2
		(cd bench/node && "$NPM" ci --no-audit --no-fund >&2) || true
	fi
	if node_ready; then
		have_node=1
	else
		skip ajv "bench/node/node_modules is missing and npm ci did not install it (run: cd bench/node && npm ci)"
	fi
fi

for round in $(seq "$ROUNDS"); do
	echo "bench/compare.sh: round $round of $ROUNDS" >&2
	"$work/gobench" -dir testdata/bench -reps "$REPS" -target "${TARGET_MS}ms" >>"$samples"
	if [ "$have_python" = 1 ]; then
		"$PYTHON" bench/python/bench.py --dir testdata/bench --reps "$REPS" --target-ms "$TARGET_MS" >>"$samples"
	fi
	if [ "$have_node" = 1 ]; then
		"$NODE" bench/node/bench.mjs --dir testdata/bench --schemas schema --reps "$REPS" --target-ms "$TARGET_MS" >>"$samples"
	fi
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -sm), ${cpu:-unknown CPU}, $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') cores; $ROUNDS rounds of $REPS repetitions of about $TARGET_MS ms per payload and runtime."
echo
go run bench/table.go "$samples"
