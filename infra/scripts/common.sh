# shellcheck shell=bash
# Helpers services.sh and stack.sh share; sourced, not run. The script sets LOG_TAG (the name in
# its log lines), defines log_path (where its log file is, once its folder exists), and sets
# LOCK_TIMEOUT before take_lock.

log() {
  local line path
  line="[$LOG_TAG $(date +%H:%M:%S)] $*"
  printf '%s\n' "$line" >&2
  path=$(log_path)
  if [[ -d ${path%/*} ]]; then printf '%s\n' "$line" >>"$path" 2>/dev/null || true; fi
}
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
tail_file() { if [[ -f $1 ]]; then tail -n "${2:-30}" "$1" | sed 's/^/    | /' >&2; fi; }

# True while process $1 exists and is not a zombie (an orphan's exit status is
# reaped by init, which in some sandboxes takes a while).
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || true)
  [[ $state != Z && $state != X ]]
}

# True when something accepts TCP connections on $HOST:$1.
tcp_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

# Keep logs bounded: past 50 MB a log moves to <log>.1 at the next start.
rotate_log() {
  local f=$1
  if [[ -f $f ]] && (( $(stat -c %s -- "$f") > 50 * 1024 * 1024 )); then mv -f -- "$f" "$f.1"; fi
}

# take_lock FD FILE: serialise the script's up/down on FILE, held on descriptor FD (8 or 9).
# Whatever the script starts that outlives it gets FD>&- so it does not inherit the lock.
take_lock() {
  local fd=$1 file=$2
  case $fd in
    8) exec 8>>"$file" ;;
    9) exec 9>>"$file" ;;
    *) die "take_lock: descriptor $fd is not 8 or 9" ;;
  esac
  if ! flock -n "$fd"; then
    log "another $LOG_TAG.sh holds $file; waiting (max ${LOCK_TIMEOUT}s)"
    flock -w "$LOCK_TIMEOUT" "$fd" || die "could not get the lock in ${LOCK_TIMEOUT}s"
  fi
}
