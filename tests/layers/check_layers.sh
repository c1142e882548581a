#!/usr/bin/env bash
# The shape rules of server/ (docs/ARCHITECTURE.md), checked from the source: each layer
# includes only the layers below it, the engine and the providers never include an HTTP
# library, and no source file grows past 600 lines. Prints every violation; exits 1 if any.
# Usage: check_layers.sh [SOURCE_DIR]
set -uo pipefail
root="${1:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$root/server" || exit 2

# layer: the layers it must not include.
rules=(
  "common:spec engine http callbacks providers proxy state admin app"
  "spec:engine http callbacks providers proxy state admin app"
  "engine:http callbacks providers proxy state admin app"
  "http:callbacks providers proxy state admin app"
  "callbacks:http providers proxy state admin app"
  "providers:proxy state admin app"
  "proxy:state admin app"
  "state:http callbacks providers proxy admin app"
  "admin:app"
)
violations=0
for rule in "${rules[@]}"; do
  layer=${rule%%:*}
  for above in ${rule#*:}; do
    while IFS= read -r hit; do
      echo "layers: $hit  ($layer/ must not include $above/)"
      violations=$((violations + 1))
    done < <(grep -rnE "#include \"$above/" "$layer" 2>/dev/null)
  done
done
while IFS= read -r hit; do
  echo "layers: $hit  (no HTTP library in the engine or the providers)"
  violations=$((violations + 1))
done < <(grep -rnE '#include <httplib\.h>' engine providers 2>/dev/null)
while IFS= read -r file; do
  lines=$(wc -l < "$file")
  if [ "$lines" -gt 600 ]; then
    echo "layers: server/$file has $lines lines (at most 600: split it by concern)"
    violations=$((violations + 1))
  fi
done < <(find . -name '*.cc' -o -name '*.h' | sed 's|^\./||' | sort)
if [ "$violations" -gt 0 ]; then
  echo "layers: $violations violation(s)"
  exit 1
fi
echo "layers: every include points down, no HTTP library in engine/ or providers/, every file <= 600 lines"
