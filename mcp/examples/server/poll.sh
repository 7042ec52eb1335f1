#!/usr/bin/env bash
# Calls the example server's slow tool over streamable HTTP and polls the
# task to its result, as a client without MCP Tasks does: the session ID
# and the task's ref_id are carried from one request to the next. Needs
# bash, curl and sed.
#
# Usage: poll.sh [URL [POLL_URL]]
#
#   URL       the server that runs the tool (default http://127.0.0.1:8931/mcp)
#   POLL_URL  the server to poll (default URL): another replica on the same
#             Redis answers for the task too
#
# MS (default 3000) is how long the tool runs, in milliseconds. Each answer
# of the server is an SSE frame; the script prints its JSON-RPC message
# (the "data:" line) after a line that says what was asked.
set -euo pipefail
url=${1:-http://127.0.0.1:8931/mcp}
poll_url=${2:-$url}
ms=${MS:-3000}
hdr=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H 'Mcp-Protocol-Version: 2025-11-25')

# session URL: opens a session on URL and prints its Mcp-Session-Id.
session() {
	local sid
	# A server that is still starting gets 30 seconds to listen.
	sid=$(curl -sS --retry 30 --retry-delay 1 --retry-connrefused -D - -o /dev/null "${hdr[@]}" "$1" \
		-d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"poll.sh","version":"0"}}}' |
		tr -d '\r' | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')
	[ -n "$sid" ] || { echo "poll.sh: no Mcp-Session-Id from $1" >&2; return 1; }
	curl -sS -o /dev/null "${hdr[@]}" -H "Mcp-Session-Id: $sid" "$1" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
	echo "$sid"
}

# call URL SID ID TOOL ARGS: calls a tool and prints the JSON-RPC answer.
call() {
	curl -sS "${hdr[@]}" -H "Mcp-Session-Id: $2" "$1" \
		-d '{"jsonrpc":"2.0","id":'"$3"',"method":"tools/call","params":{"name":"'"$4"'","arguments":'"$5"'}}' |
		tr -d '\r' | sed -n 's/^data: //p'
}

sid=$(session "$url")
echo "# tools/call slow {\"ms\":$ms} on $url"
out=$(call "$url" "$sid" 2 slow "{\"ms\":$ms}")
echo "$out"
ref=$(echo "$out" | sed -n 's/.*"structuredContent":{[^}]*"ref_id":"\([^"]*\)".*/\1/p')
if [ -z "$ref" ]; then
	echo "# answered within the timeout: no task to poll"
	exit 0
fi

psid=$sid
[ "$poll_url" = "$url" ] || psid=$(session "$poll_url")
status=processing
# At most the tool's time plus a minute of polls, twice a second.
for ((i = 0; i < ms / 500 + 120; i++)); do
	sleep 0.5
	echo "# tools/call get_task_status {\"ref_id\":\"$ref\"} on $poll_url"
	out=$(call "$poll_url" "$psid" $((i + 3)) get_task_status "{\"ref_id\":\"$ref\"}")
	echo "$out"
	status=$(echo "$out" | sed -n 's/.*"structuredContent":{[^}]*"status":"\([a-z]*\)".*/\1/p')
	case $status in
	complete | failed | cancelled) break ;;
	pending | processing) ;;
	*) echo "poll.sh: no task status in the answer" >&2; exit 1 ;;
	esac
done
echo "# tools/call get_task_result {\"ref_id\":\"$ref\"} on $poll_url (status $status)"
call "$poll_url" "$psid" 1000 get_task_result "{\"ref_id\":\"$ref\"}"
