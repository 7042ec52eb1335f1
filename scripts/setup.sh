#!/usr/bin/env bash
# Installs what `make test` needs beyond Go, git, python3 and Node.js:
#   - redis-server (the tasks/redisstore and mcp/ tests start their own on a
#     free loopback port) and curl (mcp/examples/server/poll.sh and its
#     test), Debian packages installed with apt-get when they are not on
#     PATH (apt-get update first; through sudo unless run as root);
#   - the TypeScript MCP client of the mcp/ end-to-end tests (npm ci in
#     mcp/e2e, from its package-lock.json) and the TypeScript client
#     package (npm ci and npm run build in clients/typescript).
#
# Usage: scripts/setup.sh [--no-npm] [COMMAND=PACKAGE...]
#
#   --no-npm         skip npm ci (CI calls make test, which runs it)
#   COMMAND=PACKAGE  also install the Debian PACKAGE when COMMAND is not on
#                    PATH (.ci/run: qemu-arm=qemu-user)
set -euo pipefail
cd "$(dirname "$0")/.."

npm=1
want=(redis-server=redis-server curl=curl)
for arg in "$@"; do
	case $arg in
	--no-npm) npm=0 ;;
	*=*) want+=("$arg") ;;
	*) echo "usage: scripts/setup.sh [--no-npm] [COMMAND=PACKAGE...]" >&2; exit 2 ;;
	esac
done

missing=()
for pair in "${want[@]}"; do
	command -v "${pair%%=*}" >/dev/null || missing+=("${pair#*=}")
done
if [ ${#missing[@]} -gt 0 ]; then
	if ! command -v apt-get >/dev/null; then
		echo "setup: install ${missing[*]} (not found on PATH; this script installs them only with apt-get)" >&2
		exit 1
	fi
	sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || { echo "setup: installing ${missing[*]} needs root or sudo" >&2; exit 1; }
		sudo=(sudo)
	fi
	echo "setup: installing ${missing[*]} with apt-get" >&2
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [ $npm -eq 1 ]; then
	for tool in node npm; do
		command -v $tool >/dev/null || { echo "setup: the mcp/ end-to-end tests need $tool (Node.js 20+) on PATH" >&2; exit 1; }
	done
	(cd mcp/e2e && npm ci --no-audit --no-fund)
	# mcp's TestTypeScriptCallTool runs the TypeScript client package's
	# callTool against the example server: it needs the package built.
	(cd clients/typescript && npm ci --no-audit --no-fund && npm run build)
fi
