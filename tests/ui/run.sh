#!/usr/bin/env bash
# The dashboard's real-browser test: runs dashboard_test.mjs in Debian's chromium through playwright-core
# (both installed by scripts/install-deps --test). CTest calls it with the binary's path.
#   tests/ui/run.sh <path to imagine-emu> [screenshot folder, e.g. docs/]
# IMAGINE_UI_TEST_REQUIRED=1 makes a missing browser a failure instead of a skip.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 1 ]; then echo "usage: $0 <imagine-emu binary> [screenshot folder]" >&2; exit 2; fi

# Nothing is installed here: scripts/install-deps --test brings chromium and the npm modules.
missing=""
command -v node >/dev/null 2>&1 || missing="$missing node"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -d "$here/node_modules/playwright-core" ] || missing="$missing tests/ui/node_modules (npm ci)"
if [ -n "$missing" ]; then
  echo "run.sh: missing:$missing; scripts/install-deps --test installs them" >&2
  if [ "${IMAGINE_UI_TEST_REQUIRED:-0}" = 1 ]; then exit 1; fi
  echo "run.sh: skipping the browser test (set IMAGINE_UI_TEST_REQUIRED=1 to make this a failure)" >&2
  exit 77  # CTest reports it as skipped (SKIP_RETURN_CODE), never as passed
fi

exec node "$here/dashboard_test.mjs" "$1" "${2:-}"
