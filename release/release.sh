#!/usr/bin/env bash
# Tags a release of every released module on one commit:
#
#   release/release.sh vX.Y.Z [REPO]
#
# 1. checks the version (canonical vX.Y.Z, newer than every earlier tag) and
#    that the working tree of REPO (default: this repository) is clean;
# 2. checks the schema files against the last release (taskschema compat:
#    a breaking change needs a major version or a CHANGELOG.md record);
# 3. bumps every requirement of a nested module on a sibling module to
#    vX.Y.Z (mcp requires the root and tasks/redisstore; tasks/redisstore,
#    tasks/otelmetrics, tests and bench/peers require the root) and the versioned replace
#    lines of go.work to match;
# 4. checks that every module is tidy (go -C release run . tidy);
# 5. commits "release vX.Y.Z" (when the bump changed anything) and tags
#    that commit vX.Y.Z, tasks/redisstore/vX.Y.Z, tasks/otelmetrics/vX.Y.Z
#    and mcp/vX.Y.Z.
#
# It pushes nothing: it prints the git push command to run.
set -euo pipefail

version=${1:?usage: release.sh vX.Y.Z [REPO]}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "${2:-$here/..}" && pwd)
root=github.com/mcp-refcache/taskschema
released=("" tasks/redisstore tasks/otelmetrics mcp)

if ! [[ $version =~ ^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]]; then
	echo "release: $version is not a version vX.Y.Z" >&2
	exit 2
fi
cd "$repo"
if [ -n "$(git status --porcelain)" ]; then
	echo "release: the working tree of $repo has uncommitted changes; commit or stash them first" >&2
	exit 1
fi
latest=$(git tag --list 'v[0-9]*' --sort=-v:refname | head -n 1)
if [ -n "$latest" ]; then
	newest=$(printf '%s\n%s\n' "$latest" "$version" | sort -V | tail -n 1)
	if [ "$version" = "$latest" ] || [ "$newest" != "$version" ]; then
		echo "release: $version is not newer than the last release $latest" >&2
		exit 1
	fi
fi
for dir in "${released[@]}"; do
	tag=${dir:+$dir/}$version
	if git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
		echo "release: tag $tag exists already" >&2
		exit 1
	fi
done

# The schema files must keep old clients working, or say why not
# (docs/SCHEMA-EVOLUTION.md).
if [ -d "$repo/cmd/taskschema" ]; then
	go -C "$repo" run ./cmd/taskschema compat --repo "$repo" --next "$version"
fi

# Bump the requirements on siblings, in every module of the workspace.
modules=$(go work edit -json | python3 -c 'import json,sys; print("\n".join(u["DiskPath"] for u in json.load(sys.stdin)["Use"]))')
for dir in $modules; do
	reqs=$(go -C "$dir" mod edit -json | python3 -c '
import json, sys
root = sys.argv[1]
for r in json.load(sys.stdin).get("Require") or []:
    p = r["Path"]
    if p == root or p.startswith(root + "/"):
        print(p)' "$root")
	for path in $reqs; do
		go -C "$dir" mod edit -require="$path@$version"
	done
done
# Point go.work's replace lines at the new version.
for dir in "${released[@]}"; do
	path=$root${dir:+/$dir}
	old=$(go work edit -json | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    if r["Old"]["Path"] == sys.argv[1] and r["Old"].get("Version"):
        print(r["Old"]["Version"])' "$path")
	for v in $old; do
		go work edit -dropreplace="$path@$v"
	done
	go work edit -replace="$path@$version=./$dir"
done

go -C "$here" run . tidy -repo "$repo"

if [ -n "$(git status --porcelain)" ]; then
	git commit -q -am "release $version: nested modules require $version of their siblings"
fi
for dir in "${released[@]}"; do
	git tag "${dir:+$dir/}$version"
done
tags=()
for dir in "${released[@]}"; do tags+=("${dir:+$dir/}$version"); done
echo "tagged $(git rev-parse --short HEAD) as ${tags[*]}"
echo "publish with: git push origin HEAD ${tags[*]}"
