#!/usr/bin/env bash
# Proves check_layers.sh can fail: on a copy of server/ with one upward include, one HTTP
# include in the engine and one oversized file, it must report exactly those three.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -r "$root/server" "$tmp/server"
echo '#include "app/config.h"' >> "$tmp/server/engine/task.cc"
echo '#include <httplib.h>' >> "$tmp/server/providers/registry.cc"
seq 1 700 | sed 's|^|// line |' > "$tmp/server/common/too_long.h"
out="$("$here/check_layers.sh" "$tmp")"
rc=$?
echo "$out"
[ "$rc" -eq 1 ] || { echo "self-test: expected exit 1, got $rc"; exit 1; }
for want in "engine/task.cc" "providers/registry.cc" "common/too_long.h has 700 lines" "3 violation(s)"; do
  grep -qF "$want" <<<"$out" || { echo "self-test: missing '$want'"; exit 1; }
done
echo "self-test: check_layers.sh reports each planted violation"
