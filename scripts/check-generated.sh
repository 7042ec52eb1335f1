#!/usr/bin/env bash
# Regenerates and tells apart the two reasons `make check` fails on the
# generated files:
#   - regenerating changed PATHS: "generated files are out of date; run make
#     generate" (then commit the result);
#   - PATHS had uncommitted changes before regenerating and regenerating
#     changed nothing: the files are up to date but not committed, "commit or
#     stash your changes".
# The tree is compared by content (tracked and untracked files under PATHS)
# before and after the generator runs.
#
# Usage: scripts/check-generated.sh PATH...
# The generator is `go generate ./...`, or $TASKSCHEMA_GENERATE (for tests).
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: scripts/check-generated.sh PATH..." >&2; exit 2; }

snapshot() {
	git ls-files -z --cached --others --exclude-standard -- "$@" |
		sort -z | xargs -0 -r sha256sum 2>/dev/null || true
}

before_status=$(git status --porcelain -- "$@")
before=$(snapshot "$@")
${TASKSCHEMA_GENERATE:-go generate ./...}
after=$(snapshot "$@")

if [ "$before" != "$after" ]; then
	echo "generated files are out of date; run make generate (and commit the result). Regenerating changed:" >&2
	diff <(echo "$before") <(echo "$after") | sed -n 's/^> [0-9a-f]*  /  /p' >&2 || true
	exit 1
fi
if [ -n "$before_status" ]; then
	echo "the generated files are up to date, but these paths have uncommitted changes; commit or stash your changes:" >&2
	echo "$before_status" >&2
	exit 1
fi
