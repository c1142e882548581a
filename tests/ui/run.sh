#!/usr/bin/env bash
# The dashboard's real-browser test: installs what it needs if missing (Debian's chromium, playwright-core
# from package-lock.json), then runs dashboard_test.mjs. CTest calls it with the binary's path.
#   tests/ui/run.sh <path to imagine-emu> [screenshot folder, e.g. docs/]
# IMAGINE_UI_TEST_REQUIRED=1 makes a missing browser a failure instead of a skip.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 1 ]; then echo "usage: $0 <imagine-emu binary> [screenshot folder]" >&2; exit 2; fi

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
apt_install() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 ||
    { as_root apt-get update -qq >/dev/null 2>&1 &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1; }
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then  # install-deps brings node only
  echo "run.sh: installing nodejs and npm" >&2
  apt_install nodejs npm || echo "run.sh: could not install nodejs" >&2
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "run.sh: installing chromium" >&2
  apt_install chromium || echo "run.sh: could not install chromium" >&2
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "run.sh: npm ci in tests/ui" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >&2 || echo "run.sh: npm ci failed" >&2
fi

exec node "$here/dashboard_test.mjs" "$1" "${2:-}"
