#!/usr/bin/env bash
# The four deployables (api, relay, projector, sla-watcher) as separate processes on one machine,
# on the local PostgreSQL and Kafka of services.sh: the production topology, minus the cluster.
#
#   infra/scripts/stack.sh up [--no-build]        services up, build if stale, start (or reuse) the
#                                                 apps, wait until each answers /health/ready
#   infra/scripts/stack.sh down [--keep-services] SIGTERM the apps (SIGKILL after a timeout), then
#                                                 stop the services unless --keep-services
#   infra/scripts/stack.sh status                 one line per app (exit 0 = all ready, 3 = not)
#   infra/scripts/stack.sh env <app>              print the environment the app is started with
#
# `up` prints ONLY the URLs on stdout (KEY=VALUE lines) and writes them to <data>/stack/stack.env;
# progress goes to stderr. Logs and pid files: <data>/stack/<app>.log, <app>.pid.
# See infra/README.md ("Multi-process stack") for ports and environment variables.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
INFRA_DIR=$(dirname -- "$SCRIPT_DIR")
REPO_ROOT=$(dirname -- "$INFRA_DIR")
SERVICES=$SCRIPT_DIR/services.sh

HOST=127.0.0.1
APPS=(api relay projector sla-watcher)
API_PORT=${STACK_API_PORT:-3000}
RELAY_PORT=${STACK_RELAY_PORT:-3001}
PROJECTOR_PORT=${STACK_PROJECTOR_PORT:-3002}
SLA_WATCHER_PORT=${STACK_SLA_WATCHER_PORT:-3003}
READY_TIMEOUT=${STACK_READY_TIMEOUT:-120}  # per app, from its start to /health/ready 200 (s)
# SIGTERM -> SIGKILL after (s). Above the apps' SHUTDOWN_GRACE_MS (10 s) so a graceful stop fits.
STOP_TIMEOUT=${STACK_STOP_TIMEOUT:-30}
LOCK_TIMEOUT=${STACK_LOCK_TIMEOUT:-900}
LOG_LEVEL=${STACK_LOG_LEVEL:-info}
SKIP_BUILD=${STACK_SKIP_BUILD:-0}

for _v in STACK_API_PORT:API_PORT STACK_RELAY_PORT:RELAY_PORT STACK_PROJECTOR_PORT:PROJECTOR_PORT \
          STACK_SLA_WATCHER_PORT:SLA_WATCHER_PORT STACK_READY_TIMEOUT:READY_TIMEOUT \
          STACK_STOP_TIMEOUT:STOP_TIMEOUT STACK_LOCK_TIMEOUT:LOCK_TIMEOUT; do
  _name=${_v#*:}; _val=${!_name}
  [[ $_val =~ ^[0-9]+$ ]] || { echo "stack.sh: ${_v%%:*} must be a number, got '$_val'" >&2; exit 2; }
done
if [[ $(printf '%s\n' "$API_PORT" "$RELAY_PORT" "$PROJECTOR_PORT" "$SLA_WATCHER_PORT" | sort -u | wc -l) != 4 ]]; then
  echo "stack.sh: the four app ports must differ" >&2; exit 2
fi

DATA_DIR=${TONGBAN_DATA_DIR:-$REPO_ROOT/.data}
[[ $DATA_DIR = /* ]] || DATA_DIR=$PWD/$DATA_DIR
STACK_DIR=$DATA_DIR/stack
SECRET_FILE=$STACK_DIR/auth.secret

# ---------------------------------------------------------------- helpers ---
LOG_TAG=stack
log_path() { echo "$STACK_DIR/stack.log"; }
# shellcheck source=infra/scripts/common.sh
. "$SCRIPT_DIR/common.sh"

port_of() {
  case $1 in
    api) echo "$API_PORT" ;;
    relay) echo "$RELAY_PORT" ;;
    projector) echo "$PROJECTOR_PORT" ;;
    sla-watcher) echo "$SLA_WATCHER_PORT" ;;
    *) echo "stack.sh: unknown app '$1' (${APPS[*]})" >&2; exit 2 ;;
  esac
}

# Where `npm run build` (nest build <app>, tsconfig outDir dist/apps/<app>) writes each entry point.
main_of() { echo "$REPO_ROOT/dist/apps/$1/apps/$1/src/main.js"; }

# HTTP status of /health/ready, or 000 when nothing answers.
ready_status() {
  curl -s -o /dev/null -w '%{http_code}' -m 3 "http://$HOST:$1/health/ready" 2>/dev/null || true
}

ensure_stack_dir() {
  mkdir -p -- "$STACK_DIR"
  STACK_DIR=$(cd -- "$STACK_DIR" && pwd -P)
  DATA_DIR=$(dirname -- "$STACK_DIR")
  SECRET_FILE=$STACK_DIR/auth.secret
}

# The HS256 secret every app verifies with and the api's dev login signs with. Kept in the data
# folder, so dev tokens survive a restart of the stack.
ensure_secret() {
  [[ -s $SECRET_FILE ]] && return 0
  (umask 077 && head -c 36 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$SECRET_FILE")
}

# services.env (written by services.sh up) holds the connection facts.
PG_URL=
KAFKA_BROKERS=
load_services_env() {
  local f=$DATA_DIR/services.env line
  [[ -f $f ]] || return 1
  while IFS= read -r line; do
    case $line in
      TONGBAN_PG_URL=*) PG_URL=${line#*=} ;;
      TONGBAN_KAFKA_BROKERS=*) KAFKA_BROKERS=${line#*=} ;;
    esac
  done <"$f"
  [[ -n $PG_URL && -n $KAFKA_BROKERS ]]
}

# ------------------------------------------------------ app environments ---
# The environment each app is started with, and nothing else (env -i). The names here are read by
# test/architecture/deploy-manifests.unit.spec.ts: each must be a Tongban setting and be set in the
# app's manifest in infra/deploy/kubernetes too, unless that test lists it as dev-only. Keep one
# `<app>) APP_ENV+=(...) ;;` arm per app.
app_env() {
  local secret
  secret=$(cat "$SECRET_FILE" 2>/dev/null || echo '<made by the first up>')
  APP_ENV=(
    NODE_ENV=development
    LOG_LEVEL="$LOG_LEVEL"
    HTTP_HOST="$HOST"
    DATABASE_URL="$PG_URL"
    AUTH_JWT_ALGORITHM=HS256
    AUTH_JWT_SECRET="$secret"
  )
  case $1 in
    api) APP_ENV+=(HTTP_PORT="$API_PORT" AUTH_MODE=dev DIRECTORY_SOURCE=demo) ;;
    relay) APP_ENV+=(HTTP_PORT="$RELAY_PORT" KAFKA_BROKERS="$KAFKA_BROKERS") ;;
    projector) APP_ENV+=(HTTP_PORT="$PROJECTOR_PORT" KAFKA_BROKERS="$KAFKA_BROKERS") ;;
    sla-watcher) APP_ENV+=(HTTP_PORT="$SLA_WATCHER_PORT" KAFKA_BROKERS="$KAFKA_BROKERS") ;;
    *) echo "stack.sh: unknown app '$1' (${APPS[*]})" >&2; exit 2 ;;
  esac
}

# What the process inherits from the caller besides APP_ENV: nothing Tongban reads.
passthrough_env() {
  PASS_ENV=("PATH=$PATH" "HOME=${HOME:-/tmp}")
  local v
  for v in LANG LC_ALL TZ NODE_OPTIONS NODE_EXTRA_CA_CERTS; do
    if [[ -n ${!v:-} ]]; then PASS_ENV+=("$v=${!v}"); fi
  done
}

# ------------------------------------------------------------------ build ---
# An app's build is stale when its main.js is missing or older than any source it is built from.
app_stale() {
  local main
  main=$(main_of "$1")
  [[ -f $main ]] || return 0
  [[ -n $(find "$REPO_ROOT/apps/$1" "$REPO_ROOT/libs" -name '*.ts' ! -name '*.spec.ts' -newer "$main" -print -quit) ]] && return 0
  [[ -n $(find "$REPO_ROOT"/tsconfig*.json "$REPO_ROOT/nest-cli.json" "$REPO_ROOT/package-lock.json" \
             "$REPO_ROOT/apps/$1/tsconfig.app.json" -newer "$main" -print -quit 2>/dev/null) ]]
}

build_apps() {
  local apps=() app t0
  for app in "${APPS[@]}"; do
    if app_pid "$app" >/dev/null; then
      if app_stale "$app"; then log "$app: WARNING running from a build older than the sources; 'down' then 'up' to rebuild"; fi
      continue
    fi
    if [[ $SKIP_BUILD == 1 ]]; then
      [[ -f $(main_of "$app") ]] || die "$app: $(main_of "$app") missing and STACK_SKIP_BUILD=1; run 'npm run build'"
      continue
    fi
    if app_stale "$app"; then apps+=("$app"); fi
  done
  (( ${#apps[@]} )) || return 0
  t0=$(now)
  log "build: ${apps[*]} (dist missing or older than the sources; log: $STACK_DIR/build.log)"
  : >"$STACK_DIR/build.log"
  for app in "${apps[@]}"; do
    (cd -- "$REPO_ROOT" && exec "$REPO_ROOT/node_modules/.bin/nest" build "$app") >>"$STACK_DIR/build.log" 2>&1 8>&- ||
      { tail_file "$STACK_DIR/build.log" 30; die "build of $app failed (log: $STACK_DIR/build.log)"; }
  done
  log "build: done in $(since "$t0")s"
}

# -------------------------------------------------------------------- apps ---
pid_file() { echo "$STACK_DIR/$1.pid"; }
log_file() { echo "$STACK_DIR/$1.log"; }

declare -A STARTED=()  # app -> when this run started it (for the timings)

# Prints the pid of the app this script started, if it is still alive (pid file: "<pid> <port>").
app_pid() {
  local f pid port
  f=$(pid_file "$1")
  [[ -f $f ]] || return 1
  read -r pid port <"$f" || true
  [[ ${pid:-} =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  # Guard against pid reuse: it must be node running this app's build.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$(main_of "$1")" || return 1
  echo "$pid"
}

recorded_port() { local pid port; read -r pid port <"$(pid_file "$1")" && echo "${port:-}"; }

start_app() {
  local app=$1 port pid main logf
  port=$(port_of "$app")
  main=$(main_of "$app")
  logf=$(log_file "$app")
  if pid=$(app_pid "$app"); then
    [[ $(recorded_port "$app") == "$port" ]] ||
      die "$app: running (pid $pid) on port $(recorded_port "$app"), not $port; run 'down' first"
    log "$app: running (pid $pid), reused"
    return 0
  fi
  rm -f -- "$(pid_file "$app")"
  if tcp_open "$port"; then
    die "$app: port $port on $HOST is used by a process this script did not start; stop it or set STACK_$(tr 'a-z-' 'A-Z_' <<<"$app")_PORT"
  fi
  app_env "$app"
  passthrough_env
  rotate_log "$logf"
  echo "===== $(date '+%F %T') stack.sh starting $app on $HOST:$port =====" >>"$logf"
  # exec all the way down, so $! is node's own pid; setsid: a Ctrl-C at the terminal does not reach it.
  (cd -- "$REPO_ROOT" && exec setsid nohup env -i "${PASS_ENV[@]}" "${APP_ENV[@]}" node "$main" \
     >>"$logf" 2>&1 </dev/null 8>&-) &
  pid=$!
  STARTED[$app]=$(now)
  echo "$pid $port" >"$(pid_file "$app")"
  log "$app: started (pid $pid) on $HOST:$port, log $logf"
}

# Polls /health/ready until 200; fails early when the process exits.
wait_ready() {
  local app=$1 port pid t0 deadline code=000
  port=$(port_of "$app")
  t0=${STARTED[$app]:-$(now)}
  deadline=$(( $(date +%s) + READY_TIMEOUT ))
  pid=$(app_pid "$app") || { tail_file "$(log_file "$app")" 30; log "$app: exited during start-up (log: $(log_file "$app"))"; return 1; }
  while (( $(date +%s) < deadline )); do
    code=$(ready_status "$port")
    if [[ $code == 200 ]]; then log "$app: ready on http://$HOST:$port${STARTED[$app]:+ ($(since "$t0")s after start)}"; return 0; fi
    if ! alive "$pid"; then
      tail_file "$(log_file "$app")" 30
      log "$app: exited during start-up (log: $(log_file "$app"))"
      return 1
    fi
    sleep 0.25
  done
  tail_file "$(log_file "$app")" 30
  curl -s -m 3 "http://$HOST:$port/health/ready" 2>/dev/null | head -c 2000 | sed 's/^/    ready: /' >&2 || true
  echo >&2
  log "$app: not ready after ${READY_TIMEOUT}s (last /health/ready: $code; pid $pid left running; 'down' stops it)"
  return 1
}

stop_apps() {
  local app pid pids=() names=() t0 deadline i
  t0=$(now)
  for app in "${APPS[@]}"; do
    if pid=$(app_pid "$app"); then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid"); names+=("$app")
    else
      rm -f -- "$(pid_file "$app")"
    fi
  done
  if (( ${#pids[@]} == 0 )); then log "apps: none running"; return 0; fi
  log "apps: SIGTERM sent to ${names[*]}; waiting up to ${STOP_TIMEOUT}s"
  deadline=$(( $(date +%s) + STOP_TIMEOUT ))
  for i in "${!pids[@]}"; do
    while alive "${pids[$i]}" && (( $(date +%s) < deadline )); do sleep 0.1; done
    if alive "${pids[$i]}"; then
      log "${names[$i]}: pid ${pids[$i]} still alive after ${STOP_TIMEOUT}s; SIGKILL"
      kill -KILL "${pids[$i]}" 2>/dev/null || true
      while alive "${pids[$i]}"; do sleep 0.1; done
    fi
    rm -f -- "$(pid_file "${names[$i]}")"
  done
  log "apps: stopped in $(since "$t0")s"
}

print_urls() {
  echo "TONGBAN_API_URL=http://$HOST:$API_PORT"
  echo "TONGBAN_RELAY_URL=http://$HOST:$RELAY_PORT"
  echo "TONGBAN_PROJECTOR_URL=http://$HOST:$PROJECTOR_PORT"
  echo "TONGBAN_SLA_WATCHER_URL=http://$HOST:$SLA_WATCHER_PORT"
}

# ------------------------------------------------------------------- main ---
usage() {
  sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

cmd_up() {
  local t0 app rc=0 facts
  t0=$(now)
  ensure_stack_dir
  # Serialise up/down. Everything we start (services.sh and what it starts, the apps) gets 8>&-
  # so no long-lived child inherits the lock.
  take_lock 8 "$STACK_DIR/.stack.lock"
  log "up: services, then ${APPS[*]} (data: $DATA_DIR)"
  facts=$(bash "$SERVICES" up 8>&-) || die "services.sh up failed"
  PG_URL=$(sed -n 's/^TONGBAN_PG_URL=//p' <<<"$facts")
  KAFKA_BROKERS=$(sed -n 's/^TONGBAN_KAFKA_BROKERS=//p' <<<"$facts")
  [[ -n $PG_URL && -n $KAFKA_BROKERS ]] || die "services.sh up printed no connection facts"
  ensure_secret
  # Every port first, so a taken one stops nothing half-started.
  for app in "${APPS[@]}"; do
    if ! app_pid "$app" >/dev/null && tcp_open "$(port_of "$app")"; then
      die "$app: port $(port_of "$app") on $HOST is used by a process this script did not start; stop it or set STACK_$(tr 'a-z-' 'A-Z_' <<<"$app")_PORT"
    fi
  done
  build_apps
  for app in "${APPS[@]}"; do start_app "$app"; done
  for app in "${APPS[@]}"; do wait_ready "$app" || rc=1; done
  (( rc == 0 )) || die "up: not every app is ready (see above; 'status' to look again)"
  print_urls >"$STACK_DIR/stack.env"
  log "up: done in $(since "$t0")s; dev login: curl -s http://$HOST:$API_PORT/api/v1/auth/dev/users; docs: http://$HOST:$API_PORT/docs"
  print_urls
}

cmd_down() {
  local keep=0 a
  for a in "$@"; do
    case $a in
      --keep-services) keep=1 ;;
      *) echo "stack.sh: unknown option '$a' for down" >&2; exit 2 ;;
    esac
  done
  if [[ ! -d $STACK_DIR ]]; then
    log "down: $STACK_DIR does not exist; no apps to stop"
  else
    ensure_stack_dir
    take_lock 8 "$STACK_DIR/.stack.lock"
    stop_apps
  fi
  if (( keep == 0 )); then bash "$SERVICES" down 8>&-; fi
}

cmd_status() {
  local app pid port code rc=0
  for app in "${APPS[@]}"; do
    port=$(port_of "$app")
    if [[ -d $STACK_DIR ]] && pid=$(app_pid "$app"); then
      port=$(recorded_port "$app")
      code=$(ready_status "$port")
      if [[ $code == 200 ]]; then
        printf '%-12s up     http://%s:%s pid=%s log=%s\n' "$app" "$HOST" "$port" "$pid" "$(log_file "$app")"
      else
        printf '%-12s unready http://%s:%s pid=%s /health/ready=%s log=%s\n' "$app" "$HOST" "$port" "$pid" "$code" "$(log_file "$app")"
        rc=3
      fi
    elif tcp_open "$port"; then
      printf '%-12s foreign something not started by this script listens on %s:%s\n' "$app" "$HOST" "$port"
      rc=3
    else
      printf '%-12s down   (%s:%s)\n' "$app" "$HOST" "$port"
      rc=3
    fi
  done
  return "$rc"
}

cmd_env() {
  [[ $# == 1 ]] || { echo "stack.sh: env needs one app (${APPS[*]})" >&2; exit 2; }
  port_of "$1" >/dev/null
  load_services_env || { PG_URL='<services.sh up>'; KAFKA_BROKERS='<services.sh up>'; }
  app_env "$1"
  printf '%s\n' "${APP_ENV[@]}"
}

[[ $# -ge 1 ]] || usage
cmd=$1; shift
case $cmd in
  up)
    for _a in "$@"; do
      case $_a in
        --no-build) SKIP_BUILD=1 ;;
        *) echo "stack.sh: unknown option '$_a' for up" >&2; exit 2 ;;
      esac
    done
    cmd_up ;;
  down|stop) cmd_down "$@" ;;
  status) cmd_status ;;
  env) cmd_env "$@" ;;
  -h|--help|help) usage 0 ;;
  *) echo "stack.sh: unknown command '$cmd'" >&2; usage ;;
esac
