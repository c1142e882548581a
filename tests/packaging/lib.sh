# Shared by the packaging tests (tests/packaging/test-*, scripts/test-container). Source it.
# Every step prints what it does and how long it took; the summary at the end lists the times.

PACKAGING_NAME="${PACKAGING_NAME:-$(basename "$0")}"
DEBIAN_MIRROR="${IMAGINE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
DEBIAN_SECURITY_MIRROR="${IMAGINE_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
_step_name=""
_step_start=0
_summary=()

say() { echo "[$PACKAGING_NAME] $*" >&2; }
die() { say "FAIL: $*"; exit 1; }
_now() { date +%s.%N; }
_secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# step "what": ends the previous step (if any) and starts timing this one.
step() {
  step_done
  _step_name="$1"
  _step_start=$(_now)
  say "-- $1"
}
step_done() {
  [ -n "$_step_name" ] || return 0
  local t
  t=$(_secs "$_step_start" "$(_now)")
  _summary+=("$(printf '%7ss  %s' "$t" "$_step_name")")
  _step_name=""
}
summary() {
  step_done
  say "times:"
  local line
  for line in "${_summary[@]}"; do echo "    $line" >&2; done
}

need_root() {
  [ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mounts): run it as root or with sudo"
}

# A free TCP port on loopback (nothing answers a connect to it), below the kernel's ephemeral range:
# a port in that range can be taken by any outgoing connection between this check and the bind
# ("Address already in use" while the test suite ran beside test-deb and test-container).
free_port() {
  local p low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 11000 ] 2>/dev/null || low=32768
  for _ in $(seq 50); do
    p=$((10000 + RANDOM % (low - 10000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  die "no free port found"
}

# descendants PID: the process ids below PID (children, grandchildren, ...).
descendants() {
  local c
  for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done
}

# wait_healthy URL SECONDS [PID]: until GET URL/_emulator/health answers, or the time is up, or
# the process PID (when given) has ended.
wait_healthy() {
  local url="$1" limit="$2" pid="${3:-}" i
  for i in $(seq $((limit * 10))); do
    if curl -fsS --max-time 2 -o /dev/null "$url/_emulator/health" 2>/dev/null; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}

# The version in CMakeLists.txt's project() call: the one place it is set.
project_version() {
  sed -n 's/^project(imagine-emu VERSION \([0-9][0-9.]*\).*/\1/p' "$1/CMakeLists.txt"
}

# make_debian_root DIR: a minimal Debian 12 (bookworm) root by debootstrap, with apt sources for
# bookworm, bookworm-updates and bookworm-security (plain http: apt checks the archive signatures
# itself, and https inside the root would need this workplace's CA bundle copied in).
make_debian_root() {
  local dir="$1"
  debootstrap --variant=minbase bookworm "$dir" "$DEBIAN_MIRROR" >"$dir.debootstrap.log" 2>&1 ||
    { tail -20 "$dir.debootstrap.log" >&2; die "debootstrap failed (log: $dir.debootstrap.log)"; }
  rm -f "$dir/etc/apt/sources.list"
  cat >"$dir/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $DEBIAN_MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $DEBIAN_SECURITY_MIRROR
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
}

# conform_check ROOT CMD...: runs CMD (an installed imagine-conform, perhaps behind chroot or
# buildah run) on two scenarios per provider, with --client among CMD's words. The runner runs
# the client in the caller's working directory, whatever tree it was built in (issue 11), so the
# run must pass as given. ROOT is kept for the callers' sake (the directory the client is in).
conform_check() {
  local out rc=0
  shift
  out=$("$@" --provider both --scenarios success,generation_failed --quiet 2>&1) || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "$out" | tail -25 >&2
    die "imagine-conform failed (exit $rc)"
  fi
  say "imagine-conform: $(tail -1 <<<"$out")"
}

# in_root DIR CMD...: runs CMD chrooted in DIR, in a private mount namespace with /proc mounted and
# the host's resolv.conf, so that nothing is left mounted when it ends. For a background process
# whose pid matters, run `(in_root_exec DIR CMD...) &`: $! is then CMD's own pid.
in_root_exec() {
  local dir="$1"
  shift
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  exec unshare --mount --propagation private -- \
    sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$dir" "$@"
}
in_root() { (in_root_exec "$@"); }
