#!/usr/bin/env bash
# The Python helper's own tests, against the real binary. Installs sdk/python as a user would (pip,
# --no-build-isolation, no package index) into a temporary directory, so the pytest11 entry point and the
# packaging are tested too, then runs pytest on sdk/python/tests. CTest calls it with the binary's path:
#   sdk/python/run-tests.sh <path to imagine-emu> [pytest arguments]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 1 ]; then echo "usage: $0 <imagine-emu binary> [pytest arguments]" >&2; exit 2; fi
binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift

# Debian's pytest lives in /usr/bin/python3's dist-packages; another python3 first on PATH may lack it.
python=""
for candidate in /usr/bin/python3 python3; do
  if "$candidate" -c "import setuptools, wheel, pytest, pip" 2>/dev/null; then python="$candidate"; break; fi
done
if [ -z "$python" ]; then
  echo "run-tests.sh: no python3 with pytest, pip, setuptools and wheel;" \
       "scripts/install-deps --test installs python3-pytest python3-pip python3-setuptools python3-wheel" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -r "$here" "$tmp/src"  # pip builds in the source folder: keep build/ and *.egg-info out of the work tree
rm -rf "$tmp/src/tests"
PYTHONWARNINGS="ignore:Setuptools is replacing distutils" "$python" -m pip install --quiet --no-build-isolation --no-index --no-deps --disable-pip-version-check --root-user-action=ignore \
  --target "$tmp/site" "$tmp/src"

cd "$here/tests"
export IMAGINE_EMU_BINARY="$binary" PYTHONPATH="$tmp/site" PYTHONDONTWRITEBYTECODE=1
# Not exec: the EXIT trap above must still remove $tmp (pytest's own temporary folders included).
status=0
"$python" -m pytest -p no:cacheprovider --basetemp "$tmp/pytest" -q "$@" . || status=$?
exit "$status"
