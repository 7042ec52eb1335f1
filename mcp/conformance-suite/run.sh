#!/usr/bin/env bash
# Runs scenarios of the official MCP conformance suite (pinned in
# package-lock.json, with the Node 22 it needs) against the fixture server
# mcp/examples/conformance over streamable HTTP on loopback, and prints each
# scenario's checks as passed / failed / skipped / warnings, then runs
# ext-tasks-check.mjs (the validators of @modelcontextprotocol/ext-tasks). A scenario the
# suite itself skips (all its checks SKIPPED) is reported as skipped. Exits
# non-zero when any check failed or a scenario did not run.
#
# Usage (from the repository root, after npm ci in this directory):
#   bash mcp/conformance-suite/run.sh [scenario ...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
node="$here/node_modules/node/bin/node"
suite="$here/node_modules/@modelcontextprotocol/conformance/dist/index.js"
[ -x "$node" ] && [ -f "$suite" ] || { echo "run 'npm ci' in $here first (make conformance-mcp does)" >&2; exit 2; }

scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
  # Every tasks-* scenario the suite lists, then the generic ones.
  mapfile -t scenarios < <("$node" "$suite" list --server 2>/dev/null | sed -n 's/^  - \(tasks-[a-z0-9-]*\) .*/\1/p')
  [ ${#scenarios[@]} -ge 10 ] || { echo "the suite lists ${#scenarios[@]} tasks-* scenarios, expected at least 10" >&2; exit 2; }
  scenarios+=(server-stateless http-header-validation tools-list tools-call-with-progress dns-rebinding-protection json-schema-2020-12)
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

go -C "$root/mcp" build -o "$work/fixture" ./examples/conformance
port=${CONFORMANCE_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18932)}
url="http://127.0.0.1:$port/mcp"
"$work/fixture" -http "127.0.0.1:$port" >"$work/fixture.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$port/mcp" 2>/dev/null; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/fixture.log" >&2; exit 2; }
  sleep 0.1
done

total_p=0; total_f=0; total_s=0; total_w=0; bad=0
printf '%-34s %6s %6s %7s %8s\n' scenario passed failed skipped warnings
for s in "${scenarios[@]}"; do
  out="$work/out-$s"
  mkdir -p "$out"
  set +e
  "$node" "$suite" server --url "$url" --scenario "$s" -o "$out" >"$work/$s.log" 2>&1
  rc=$?
  set -e
  checks=$(find "$out" -name checks.json | head -1)
  if [ -z "$checks" ]; then
    if grep -q '^SKIPPED: ' "$work/$s.log"; then
      printf '%-34s %6s %6s %7s %8s  (skipped by the suite: %s)\n' "$s" 0 0 all 0 "$(sed -n 's/^SKIPPED: //p' "$work/$s.log" | head -1)"
      total_s=$((total_s+1)); continue
    fi
    printf '%-34s did not run (exit %d):\n' "$s" "$rc"; sed 's/^/    /' "$work/$s.log" | tail -20
    bad=1; continue
  fi
  read -r p f sk w < <("$node" -e '
    const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const n = (st) => c.filter((x) => x.status === st).length;
    console.log(n("SUCCESS"), n("FAILURE"), n("SKIPPED"), n("WARNING"));' "$checks")
  note=""
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$sk" -gt 0 ]; then note="  (skipped by the suite)"; fi
  printf '%-34s %6d %6d %7d %8d%s\n' "$s" "$p" "$f" "$sk" "$w" "$note"
  if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
    bad=1
    "$node" -e '
      const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      for (const x of c.filter((x) => x.status === "FAILURE")) console.log("    FAILED " + x.id + ": " + (x.errorMessage || "").slice(0, 600));' "$checks"
  fi
  total_p=$((total_p+p)); total_f=$((total_f+f)); total_s=$((total_s+sk)); total_w=$((total_w+w))
done
# The tasks extension's own TypeScript package judges the wire as a client
# of the extension (ext-tasks-check.mjs).
set +e
"$node" "$here/ext-tasks-check.mjs" "$url" >"$work/ext-tasks.log" 2>&1
rc=$?
set -e
read -r p f < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$work/ext-tasks.log" | tail -1)
p=${p:-0}; f=${f:-1}
printf '%-34s %6d %6d %7d %8d\n' "ext-tasks-client" "$p" "$f" 0 0
if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then bad=1; grep '^FAIL' "$work/ext-tasks.log" | sed 's/^/    /' | cut -c1-700; fi
total_p=$((total_p+p)); total_f=$((total_f+f))

echo
echo "conformance-mcp: $total_p passed, $total_f failed, $total_s skipped"
exit $bad
