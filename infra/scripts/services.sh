#!/usr/bin/env bash
# Local PostgreSQL (>= 15) and Kafka 4.x (KRaft, single node) for tongban
# development and tests. No Docker; binds to 127.0.0.1 only.
#
#   infra/scripts/services.sh up     [pg|kafka]   start (or reuse) and wait until ready
#   infra/scripts/services.sh down   [pg|kafka]   stop cleanly
#   infra/scripts/services.sh status [pg|kafka]   print state (exit 0 = all up, 3 = not)
#   infra/scripts/services.sh env                 print the connection facts
#
# `up` prints ONLY the connection facts on stdout (KEY=VALUE lines, so
# `eval "$(infra/scripts/services.sh up)"` works) and writes them to
# <data>/services.env; progress goes to stderr and <data>/services.log.
# See infra/README.md for ports, environment variables and timings.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
INFRA_DIR=$(dirname -- "$SCRIPT_DIR")
REPO_ROOT=$(dirname -- "$INFRA_DIR")

HOST=127.0.0.1
PG_PORT=${TONGBAN_PG_PORT:-55432}
KAFKA_PORT=${TONGBAN_KAFKA_PORT:-59092}
KAFKA_CONTROLLER_PORT=${TONGBAN_KAFKA_CONTROLLER_PORT:-59093}
TIMEOUT=${TONGBAN_SERVICES_TIMEOUT:-120}          # readiness deadline per service (s)
KAFKA_STOP_TIMEOUT=${TONGBAN_KAFKA_STOP_TIMEOUT:-30} # SIGTERM -> SIGKILL after (s)
LOCK_TIMEOUT=${TONGBAN_SERVICES_LOCK_TIMEOUT:-900}
KAFKA_HEAP_OPTS=${TONGBAN_KAFKA_HEAP_OPTS:--Xmx512m -Xms512m}
# C1-only JIT: the broker is up in about half the time; plenty fast for tests.
KAFKA_JVM_OPTS=${TONGBAN_KAFKA_JVM_OPTS:--XX:TieredStopAtLevel=1}
KAFKA_CDS=${TONGBAN_KAFKA_CDS:-1}   # 1 = AppCDS class archive (dumped at the first clean stop)

PG_ROLE=tongban
PG_PASSWORD=tongban
PG_DB=tongban
PG_TEST_DB=tongban_test
KAFKA_READY_TOPIC=__tongban_ready

for _v in TONGBAN_PG_PORT:PG_PORT TONGBAN_KAFKA_PORT:KAFKA_PORT TONGBAN_KAFKA_CONTROLLER_PORT:KAFKA_CONTROLLER_PORT \
          TONGBAN_SERVICES_TIMEOUT:TIMEOUT TONGBAN_KAFKA_STOP_TIMEOUT:KAFKA_STOP_TIMEOUT \
          TONGBAN_SERVICES_LOCK_TIMEOUT:LOCK_TIMEOUT; do
  _name=${_v#*:}; _val=${!_name}
  [[ $_val =~ ^[0-9]+$ ]] || { echo "services.sh: ${_v%%:*} must be a number, got '$_val'" >&2; exit 2; }
done
[[ $KAFKA_PORT != "$KAFKA_CONTROLLER_PORT" ]] || { echo "services.sh: Kafka and controller ports must differ" >&2; exit 2; }

# Our own PG* settings are explicit; stray libpq variables must not redirect psql.
while read -r _v; do unset "$_v"; done < <(compgen -e | grep -E '^PG' || true)

DATA_DIR=${TONGBAN_DATA_DIR:-$REPO_ROOT/.data}
[[ $DATA_DIR = /* ]] || DATA_DIR=$PWD/$DATA_DIR

# (Re)derive every path from DATA_DIR; called again once DATA_DIR is canonical.
set_paths() {
  PG_DIR=$DATA_DIR/pg
  PGDATA_DIR=$PG_DIR/data
  PG_RUN_DIR=$PG_DIR/run
  PG_LOG=$PG_DIR/postgres.log
  K_DIR=$DATA_DIR/kafka
  K_LIBS=$DATA_DIR/kafka-libs
  K_LOGDIRS=$K_DIR/data
  K_CONF=$K_DIR/server.properties
  K_LOG4J=$K_DIR/log4j2.properties
  K_TOOLS_LOG4J=$K_DIR/log4j2-tools.properties
  K_PID=$K_DIR/kafka.pid
  K_LOG=$K_DIR/kafka.log
  K_CLUSTER_ID=$K_DIR/cluster.id
  K_PROBE_DIR=$K_DIR/probe
}
canonical_data_dir() {
  if [[ -d $DATA_DIR ]]; then DATA_DIR=$(cd -- "$DATA_DIR" && pwd -P); fi
  set_paths
}
canonical_data_dir
K_POM=$INFRA_DIR/kafka/pom.xml
K_PROBE_SRC=$INFRA_DIR/kafka/ReadyProbe.java

PG_URL="postgres://$PG_ROLE:$PG_PASSWORD@$HOST:$PG_PORT/$PG_DB"
PG_TEST_URL="postgres://$PG_ROLE:$PG_PASSWORD@$HOST:$PG_PORT/$PG_TEST_DB"
KAFKA_BROKERS="$HOST:$KAFKA_PORT"

# ---------------------------------------------------------------- helpers ---
LOG_TAG=services
log_path() { echo "$DATA_DIR/services.log"; }
# shellcheck source=infra/scripts/common.sh
. "$SCRIPT_DIR/common.sh"
remaining() { awk -v d="$1" -v n="$(now)" 'BEGIN { r = int(d - n); print (r < 1 ? 1 : r) }'; }

ensure_data_dir() {
  if [[ ! -d $DATA_DIR ]]; then
    mkdir -p -- "$DATA_DIR"
    chmod 755 -- "$DATA_DIR"   # the postgres OS user must be able to traverse it
  fi
  canonical_data_dir
}

write_env_file() {
  local f=$DATA_DIR/services.env
  {
    echo "# Written by infra/scripts/services.sh up; source it (. $f) or load it as a dotenv file."
    print_env
  } >"$f.tmp.$$"
  mv -f -- "$f.tmp.$$" "$f"
}

print_env() {
  echo "TONGBAN_PG_URL=$PG_URL"
  echo "TONGBAN_PG_TEST_URL=$PG_TEST_URL"
  echo "TONGBAN_KAFKA_BROKERS=$KAFKA_BROKERS"
}

# ------------------------------------------------------------- PostgreSQL ---
PG_BIN=
PG_OS_USER=

pg_find_bindir() {
  [[ -z $PG_BIN ]] || return 0
  if [[ -n ${TONGBAN_PG_BINDIR:-} ]]; then PG_BIN=$TONGBAN_PG_BINDIR; return 0; fi
  local cands=() d v major best_major=0 best=
  d=$(pg_config --bindir 2>/dev/null || true); [[ -z $d ]] || cands+=("$d")
  d=$(command -v initdb 2>/dev/null || true); [[ -z $d ]] || cands+=("$(dirname -- "$d")")
  cands+=(/usr/lib/postgresql/*/bin /usr/pgsql-*/bin /usr/local/pgsql/bin
          /opt/homebrew/opt/postgresql@*/bin /usr/local/opt/postgresql@*/bin)
  for d in "${cands[@]}"; do
    [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres && -x $d/psql && -x $d/pg_isready ]] || continue
    v=$("$d/postgres" --version 2>/dev/null | awk '{ print $3 }') || continue
    major=${v%%.*}
    [[ $major =~ ^[0-9]+$ ]] || continue
    if (( major > best_major )); then best_major=$major; best=$d; fi
  done
  (( best_major >= 15 )) || die "no PostgreSQL >= 15 server binaries found (looked in: ${cands[*]}); install postgresql-15 or set TONGBAN_PG_BINDIR"
  PG_BIN=$best
}

pg_set_os_user() {
  [[ -z $PG_OS_USER ]] || return 0
  if [[ $EUID -eq 0 ]]; then
    # initdb/postgres refuse to run as root.
    PG_OS_USER=${TONGBAN_PG_OS_USER:-postgres}
    id -u "$PG_OS_USER" >/dev/null 2>&1 || die "running as root but OS user '$PG_OS_USER' does not exist (set TONGBAN_PG_OS_USER)"
  else
    PG_OS_USER=$(id -un)
  fi
}

# Run a PostgreSQL server-side command as the OS user owning the cluster.
as_pg() {
  if [[ $EUID -eq 0 ]]; then
    (cd / && runuser -u "$PG_OS_USER" -- "$@")
  else
    (cd / && "$@")
  fi
}

pg_conninfo() {
  echo "host=$HOST port=$PG_PORT user=$PG_ROLE password=$PG_PASSWORD dbname=$1 connect_timeout=3 sslmode=disable"
}
pg_sql() { "$PG_BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 "$(pg_conninfo "$1")" -c "$2"; }

# 0 = accepting, 1 = rejecting (starting/stopping), 2 = no response
pg_isready_rc() {
  local rc=0
  "$PG_BIN/pg_isready" -q -h "$HOST" -p "$PG_PORT" -t 2 || rc=$?
  echo "$rc"
}

pg_ready() {
  [[ $(pg_isready_rc) == 0 ]] || return 1
  [[ $(pg_sql "$PG_DB" 'select 1' 2>/dev/null) == 1 ]] || return 1
  [[ $(pg_sql "$PG_TEST_DB" 'select 1' 2>/dev/null) == 1 ]]
}

pg_ours_running() {
  [[ -f $PGDATA_DIR/PG_VERSION ]] || return 1
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1
}

pg_socket_dir() {
  # sun_path is 108 bytes; ".s.PGSQL.<port>" is appended. Fall back to TCP only.
  if (( ${#PG_RUN_DIR} + 20 <= 107 )); then echo "$PG_RUN_DIR"; else echo ""; fi
}

pg_write_conf() {
  local conf=$1 sock
  sock=$(pg_socket_dir)
  as_pg tee "$conf/tongban.conf" >/dev/null <<EOF
# Managed by infra/scripts/services.sh; rewritten on every 'up'.
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = '${sock//\'/\'\'}'
max_connections = 200
shared_buffers = 256MB
# Lets the tests show that a forgotten prepared (two-phase) transaction holds the readers back.
max_prepared_transactions = 4
EOF
  if ! grep -q "^include_if_exists = 'tongban.conf'" "$conf/postgresql.conf"; then
    printf "\n# tongban local settings\ninclude_if_exists = 'tongban.conf'\n" | as_pg tee -a "$conf/postgresql.conf" >/dev/null
  fi
}

pg_prepare_dirs() {
  mkdir -p -- "$PG_DIR"
  if [[ $EUID -eq 0 ]]; then chown "$PG_OS_USER:" "$PG_DIR"; fi
  chmod 700 -- "$PG_DIR"
  as_pg test -w "$PG_DIR" -a -x "$PG_DIR" ||
    die "OS user '$PG_OS_USER' cannot use $PG_DIR: every parent directory must be traversable (o+x), or point TONGBAN_DATA_DIR elsewhere"
  as_pg mkdir -p "$PG_RUN_DIR"
}

pg_init() {
  local tmp=$PG_DIR/data.initdb locale_opt=(--no-locale) out
  if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then locale_opt=(--locale=C.UTF-8); fi
  log "pg: initdb $PGDATA_DIR ($PG_BIN, OS user $PG_OS_USER)"
  as_pg rm -rf "$tmp"
  as_pg "$PG_BIN/initdb" -D "$tmp" -U postgres -E UTF8 "${locale_opt[@]}" \
    --auth-local=peer --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 ||
    { tail_file "$PG_DIR/initdb.log"; die "pg: initdb failed (log: $PG_DIR/initdb.log)"; }
  pg_write_conf "$tmp"
  # Create the login role in single-user mode: no server, socket or password needed.
  out=$(echo "CREATE ROLE $PG_ROLE WITH SUPERUSER LOGIN PASSWORD '$PG_PASSWORD';" |
        as_pg "$PG_BIN/postgres" --single -D "$tmp" -c listen_addresses= postgres 2>&1) ||
    { echo "$out" >>"$PG_DIR/initdb.log"; die "pg: creating role $PG_ROLE failed: $out"; }
  echo "$out" >>"$PG_DIR/initdb.log"
  if grep -q 'ERROR' <<<"$out"; then die "pg: creating role $PG_ROLE failed: $out"; fi
  as_pg mv "$tmp" "$PGDATA_DIR"
}

pg_ensure_dbs() {
  local db
  for db in "$PG_DB" "$PG_TEST_DB"; do
    if [[ $(pg_sql postgres "select 1 from pg_database where datname = '$db'") != 1 ]]; then
      log "pg: creating database $db"
      pg_sql postgres "create database $db owner $PG_ROLE" >/dev/null
    fi
  done
}

up_pg() {
  local t0 rc deadline
  t0=$(now)
  pg_find_bindir
  pg_set_os_user
  deadline=$(awk -v n="$(now)" -v t="$TIMEOUT" 'BEGIN { print n + t }')

  if [[ $(pg_isready_rc) == 0 ]] && [[ $(pg_sql postgres 'select 1' 2>/dev/null) == 1 ]]; then
    pg_ensure_dbs
    log "pg: already up on $HOST:$PG_PORT, reused (checked in $(since "$t0")s)"
    return 0
  fi
  if pg_ours_running; then
    local running_port
    running_port=$(sed -n 4p "$PGDATA_DIR/postmaster.pid" 2>/dev/null || true)
    if [[ -n $running_port && $running_port != "$PG_PORT" ]]; then
      die "pg: our server runs on port $running_port, not $PG_PORT (TONGBAN_PG_PORT changed?); run 'down pg' first"
    fi
    log "pg: our server is running but not accepting yet; waiting"
  else
    rc=$(pg_isready_rc)
    if [[ $rc != 2 ]] || tcp_open "$PG_PORT"; then
      die "pg: port $HOST:$PG_PORT is used by another server (not ours, or role $PG_ROLE missing); stop it or set TONGBAN_PG_PORT"
    fi
    pg_prepare_dirs
    [[ -f $PGDATA_DIR/PG_VERSION ]] || pg_init
    pg_write_conf "$PGDATA_DIR"
    [[ -n $(pg_socket_dir) ]] || log "pg: data path too long for a unix socket; TCP only"
    rotate_log "$PG_LOG"
    log "pg: starting on $HOST:$PG_PORT (log: $PG_LOG)"
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PG_LOG" -w -t "$TIMEOUT" -s start 9>&-; then
      tail_file "$PG_LOG"
      die "pg: pg_ctl start failed (log: $PG_LOG)"
    fi
  fi
  until [[ $(pg_isready_rc) == 0 ]] && [[ $(pg_sql postgres 'select 1' 2>/dev/null) == 1 ]]; do
    if [[ $(remaining "$deadline") -le 1 ]]; then tail_file "$PG_LOG"; die "pg: not ready after ${TIMEOUT}s"; fi
    sleep 0.2
  done
  pg_ensure_dbs
  pg_ready || die "pg: cannot connect to $PG_DB/$PG_TEST_DB as $PG_ROLE"
  log "pg: ready on $HOST:$PG_PORT in $(since "$t0")s"
}

down_pg() {
  if [[ ! -f $PGDATA_DIR/PG_VERSION ]]; then log "pg: not initialised, nothing to stop"; return 0; fi
  pg_find_bindir
  pg_set_os_user
  if pg_ours_running; then
    local t0; t0=$(now)
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 -s stop 9>&- || die "pg: pg_ctl stop failed (log: $PG_LOG)"
    log "pg: stopped in $(since "$t0")s"
  else
    log "pg: not running"
  fi
}

status_pg() {
  pg_find_bindir
  pg_set_os_user
  local pid=
  [[ -f $PGDATA_DIR/postmaster.pid ]] && pid=$(head -n1 "$PGDATA_DIR/postmaster.pid" 2>/dev/null || true)
  if pg_ready; then
    if pg_ours_running; then
      echo "pg     up    $HOST:$PG_PORT pid=$pid db=$PG_DB,$PG_TEST_DB data=$PGDATA_DIR"
    else
      echo "pg     up    $HOST:$PG_PORT db=$PG_DB,$PG_TEST_DB (external: not started from $PGDATA_DIR)"
    fi
    return 0
  elif pg_ours_running; then
    echo "pg     starting/unhealthy  pid=${pid:-?} data=$PGDATA_DIR log=$PG_LOG"
  elif [[ $(pg_isready_rc) == 0 ]]; then
    echo "pg     foreign  another server answers on $HOST:$PG_PORT"
  else
    echo "pg     down  ($HOST:$PG_PORT)"
  fi
  return 3
}

# ------------------------------------------------------------------ Kafka ---
JAVA=
JAVAC=

find_java() {
  [[ -z $JAVA ]] || return 0
  if [[ -n ${TONGBAN_JAVA:-} ]]; then JAVA=$TONGBAN_JAVA
  elif [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then JAVA=$JAVA_HOME/bin/java
  else JAVA=$(command -v java || true); fi
  [[ -n $JAVA ]] || die "kafka: java not found (need a JDK >= 17; set JAVA_HOME or TONGBAN_JAVA)"
  local v major
  v=$("$JAVA" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')
  major=${v%%.*}; [[ $major != 1 ]] || major=$(cut -d. -f2 <<<"$v")
  if ! [[ $major =~ ^[0-9]+$ ]] || (( major < 17 )); then die "kafka: $JAVA is Java '$v'; Kafka 4.x needs >= 17"; fi
  local jdir; jdir=$(dirname -- "$(readlink -f -- "$JAVA")")
  if [[ -x $jdir/javac ]]; then JAVAC=$jdir/javac; else JAVAC=$(command -v javac || true); fi
}

kafka_libs_ok() {
  [[ -f $K_LIBS/.pom.sha256 ]] && [[ $(cat "$K_LIBS/.pom.sha256") == $(sha256sum <"$K_POM" | cut -c1-64) ]] &&
    compgen -G "$K_LIBS/kafka_2.13-*.jar" >/dev/null
}

kafka_fetch_libs() {
  kafka_libs_ok && return 0
  local mvn=${TONGBAN_MVN:-mvn} tmp=$K_LIBS.tmp.$$ t0 mlog=$K_DIR/maven.log
  command -v "$mvn" >/dev/null || die "kafka: Maven ('$mvn') not found; needed once to fetch the Kafka jars"
  t0=$(now)
  log "kafka: fetching Kafka jars with Maven into $K_LIBS (first run, or after the pom changed; log: $mlog)"
  rm -rf -- "$K_LIBS".tmp.*   # leftovers of an interrupted fetch (we hold the lock)
  local args=(-q -B -Dstyle.color=never -f "$K_POM" dependency:copy-dependencies
              -DincludeScope=runtime -DoutputDirectory="$tmp")
  # Offline first (fast when ~/.m2 already has everything), then online.
  if ! "$mvn" -o "${args[@]}" >"$mlog" 2>&1 9>&-; then
    rm -rf -- "$tmp"
    "$mvn" "${args[@]}" >>"$mlog" 2>&1 9>&- || { tail_file "$mlog"; rm -rf -- "$tmp"; die "kafka: Maven fetch failed (log: $mlog)"; }
  fi
  rm -rf -- "$K_LIBS"
  mv -- "$tmp" "$K_LIBS"
  sha256sum <"$K_POM" | cut -c1-64 >"$K_LIBS/.pom.sha256"
  local jars=("$K_LIBS"/*.jar) core=("$K_LIBS"/kafka_2.13-*.jar)
  log "kafka: jars ready (${#jars[@]} jars, ${core[0]##*/}) in $(since "$t0")s"
}

kafka_write_config() {
  local conf=$1 logdirs=$2
  cat >"$conf" <<EOF
# Managed by infra/scripts/services.sh; rewritten on every 'up'.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${logdirs//\\/\\\\}
num.partitions=3
default.replication.factor=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.cleaner.dedupe.buffer.size=33554432
EOF
}

kafka_write_log4j() {
  cat >"$K_LOG4J" <<'EOF'
# Broker logging: everything to stdout, which services.sh appends to kafka.log.
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
  cat >"$K_TOOLS_LOG4J" <<'EOF'
# Client-side tools (readiness probe, CLI): warnings only, to stderr.
status = warn
appender.err.type = Console
appender.err.name = ERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = ERR
EOF
}

# Explicit, sorted classpath (a "libs/*" wildcard expands in directory order,
# which would make the CDS archive's classpath check flaky).
kafka_classpath() {
  local cp='' j
  for j in "$K_LIBS"/*.jar; do cp+=${cp:+:}$j; done
  echo "$cp"
}

# AppCDS: the first run records the loaded classes and dumps them when the JVM
# exits cleanly ('down'); later starts map the archive (~2x faster start). The
# archive is redone when the JDK, the jars or the JVM flags change. A stale or
# unusable archive only costs a warning in kafka.log.
kafka_cds_opts() {
  CDS_OPTS=()
  [[ $KAFKA_CDS == 1 ]] || return 0
  local jsa=$K_DIR/kafka-cds.jsa stamp
  stamp=$( { "$JAVA" -version 2>&1; cat "$K_LIBS/.pom.sha256"; echo "$KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS"; kafka_classpath; } |
           sha256sum | cut -c1-64)
  if [[ -f $jsa && $(cat "$jsa.stamp" 2>/dev/null) == "$stamp" ]]; then
    CDS_OPTS=('-Xlog:cds*=error' -XX:SharedArchiveFile="$jsa")
  else
    rm -f -- "$jsa"
    echo "$stamp" >"$jsa.stamp"
    CDS_OPTS=('-Xlog:cds*=error' -XX:ArchiveClassesAtExit="$jsa")
  fi
}

# Kafka cluster ids are 16 random bytes, base64url without padding (22 chars).
kafka_cluster_id() {
  if [[ ! -s $K_CLUSTER_ID ]]; then
    local id
    while :; do
      id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
      [[ $id != -* && ${#id} == 22 ]] && break
    done
    echo "$id" >"$K_CLUSTER_ID"
  fi
  cat "$K_CLUSTER_ID"
}

kafka_format() {
  [[ -f $K_LOGDIRS/meta.properties ]] && return 0
  local tmp=$K_DIR/data.format-tmp cid t0
  t0=$(now)
  cid=$(kafka_cluster_id)
  rm -rf -- "$tmp" "$K_LOGDIRS"
  kafka_write_config "$K_DIR/format.properties" "$tmp"
  log "kafka: formatting $K_LOGDIRS (cluster id $cid)"
  "$JAVA" -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$K_TOOLS_LOG4J" -cp "$(kafka_classpath)" kafka.tools.StorageTool \
    format -t "$cid" -c "$K_DIR/format.properties" >"$K_DIR/format.log" 2>&1 9>&- ||
    { tail_file "$K_DIR/format.log"; die "kafka: storage format failed (log: $K_DIR/format.log)"; }
  mv -- "$tmp" "$K_LOGDIRS"
  rm -f -- "$K_DIR/format.properties"
  log "kafka: formatted in $(since "$t0")s"
}

kafka_compile_probe() {
  local stamp
  stamp=$(cat "$K_PROBE_SRC" "$K_LIBS/.pom.sha256" | sha256sum | cut -c1-64)
  if [[ -f $K_PROBE_DIR/ReadyProbe.class && $(cat "$K_PROBE_DIR/.stamp" 2>/dev/null) == "$stamp" ]]; then return 0; fi
  [[ -n $JAVAC ]] || die "kafka: javac not found (a full JDK >= 17 is needed for the readiness probe)"
  rm -rf -- "$K_PROBE_DIR"; mkdir -p -- "$K_PROBE_DIR"
  "$JAVAC" -nowarn -d "$K_PROBE_DIR" -cp "$K_LIBS/*" "$K_PROBE_SRC" >"$K_DIR/probe-javac.log" 2>&1 9>&- ||
    { tail_file "$K_DIR/probe-javac.log"; die "kafka: compiling $K_PROBE_SRC failed"; }
  echo "$stamp" >"$K_PROBE_DIR/.stamp"
}

# The probe only needs the client jars; a short classpath starts ~0.5 s faster than libs/*.
kafka_probe_cp() {
  local cp=$K_PROBE_DIR j
  for j in "$K_LIBS"/kafka-clients-*.jar "$K_LIBS"/slf4j-api-*.jar "$K_LIBS"/log4j-api-*.jar \
           "$K_LIBS"/log4j-core-*.jar "$K_LIBS"/log4j-slf4j-impl-*.jar; do
    [[ -f $j ]] && cp+=":$j"
  done
  echo "$cp"
}

# Create-topic + produce + consume round-trip; prints the probe output on failure.
# $1 = deadline seconds, $2 = pid that must stay alive while waiting (optional)
kafka_probe() {
  local secs=$1 watch=${2:-} p rc=0
  "$JAVA" -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$K_TOOLS_LOG4J" \
    -cp "$(kafka_probe_cp)" ReadyProbe "$KAFKA_BROKERS" "$KAFKA_READY_TOPIC" "$secs" \
    >"$K_DIR/probe.log" 2>&1 9>&- &
  p=$!
  while kill -0 "$p" 2>/dev/null; do
    if [[ -n $watch ]] && ! alive "$watch"; then
      kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true
      tail_file "$K_LOG" 15
      die "kafka: broker (pid $watch) exited during startup (log: $K_LOG)"
    fi
    sleep 0.1
  done
  wait "$p" || rc=$?
  if (( rc != 0 )); then tail_file "$K_DIR/probe.log" 15; fi
  return "$rc"
}

# Prints the pid of the broker this script started, if it is still alive.
kafka_our_pid() {
  [[ -f $K_PID ]] || return 1
  local pid; pid=$(cat "$K_PID" 2>/dev/null || true)
  [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  # Guard against pid reuse: it must be our kafka.Kafka with our config.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $K_CONF" || return 1
  echo "$pid"
}

up_kafka() {
  local t0 pid
  t0=$(now)
  mkdir -p -- "$K_DIR"
  find_java

  if pid=$(kafka_our_pid); then
    if ! grep -qxF "listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT" "$K_CONF"; then
      die "kafka: our broker (pid $pid) runs with other ports ($(grep '^listeners=' "$K_CONF")); TONGBAN_KAFKA_PORT changed? run 'down kafka' first"
    fi
    log "kafka: running (pid $pid); checking it"
    kafka_libs_ok || log "kafka: WARNING infra/kafka/pom.xml changed since the jars were fetched; 'down kafka' then 'up kafka' to use the new ones"
    kafka_compile_probe
    kafka_probe "$TIMEOUT" "$pid" || die "kafka: pid $pid is not answering on $KAFKA_BROKERS (log: $K_LOG); try 'down kafka' then 'up kafka'"
    log "kafka: already up on $KAFKA_BROKERS, reused (checked in $(since "$t0")s)"
    return 0
  fi
  if tcp_open "$KAFKA_PORT" || tcp_open "$KAFKA_CONTROLLER_PORT"; then
    die "kafka: port $KAFKA_PORT or $KAFKA_CONTROLLER_PORT on $HOST is used by a process this script did not start; stop it or set TONGBAN_KAFKA_PORT / TONGBAN_KAFKA_CONTROLLER_PORT"
  fi

  kafka_fetch_libs
  kafka_write_log4j
  kafka_write_config "$K_CONF" "$K_LOGDIRS"
  kafka_format

  local t1 jvm=()
  t1=$(now)
  # shellcheck disable=SC2206 # the *_OPTS variables are lists of JVM flags
  jvm=($KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true)
  kafka_cds_opts
  jvm+=("${CDS_OPTS[@]}" -Dlog4j2.configurationFile="$K_LOG4J" -Dkafka.logs.dir="$K_DIR")
  rotate_log "$K_LOG"
  log "kafka: starting broker+controller on $KAFKA_BROKERS (controller $HOST:$KAFKA_CONTROLLER_PORT, log: $K_LOG)"
  echo "===== $(date '+%F %T') services.sh starting kafka: ${jvm[*]} =====" >>"$K_LOG"
  (cd -- "$K_DIR" && exec setsid nohup "$JAVA" "${jvm[@]}" -cp "$(kafka_classpath)" kafka.Kafka "$K_CONF" \
     >>"$K_LOG" 2>&1 </dev/null 9>&-) &
  pid=$!
  echo "$pid" >"$K_PID"

  kafka_compile_probe   # overlaps with the broker's JVM start
  if ! kafka_probe "$TIMEOUT" "$pid"; then
    tail_file "$K_LOG" 20
    die "kafka: not ready after ${TIMEOUT}s (pid $pid still running; log: $K_LOG)"
  fi
  log "kafka: ready on $KAFKA_BROKERS in $(since "$t0")s (broker start to round-trip: $(since "$t1")s)"
}

down_kafka() {
  local pid t0 deadline
  if ! pid=$(kafka_our_pid); then
    rm -f -- "$K_PID"
    if tcp_open "$KAFKA_PORT"; then log "kafka: not started by this script, but something listens on $KAFKA_BROKERS; left alone"
    else log "kafka: not running"; fi
    return 0
  fi
  t0=$(now)
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$(( $(date +%s) + KAFKA_STOP_TIMEOUT ))
  while alive "$pid" && (( $(date +%s) < deadline )); do sleep 0.1; done
  if alive "$pid"; then
    log "kafka: pid $pid still alive after ${KAFKA_STOP_TIMEOUT}s; SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while alive "$pid"; do sleep 0.1; done
  fi
  rm -f -- "$K_PID"
  log "kafka: stopped in $(since "$t0")s"
}

status_kafka() {
  local pid
  if pid=$(kafka_our_pid); then
    if tcp_open "$KAFKA_PORT"; then
      echo "kafka  up    $KAFKA_BROKERS pid=$pid controller=$HOST:$KAFKA_CONTROLLER_PORT data=$K_LOGDIRS"
      return 0
    fi
    echo "kafka  starting/unhealthy  pid=$pid (port $KAFKA_PORT not open) log=$K_LOG"
  elif tcp_open "$KAFKA_PORT"; then
    echo "kafka  foreign  something not started by this script listens on $KAFKA_BROKERS"
  else
    echo "kafka  down  ($KAFKA_BROKERS)"
  fi
  return 3
}

# ------------------------------------------------------------------- main ---
usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

parse_services() {
  SERVICES=()
  local s
  for s in "$@"; do
    case $s in
      pg|postgres|postgresql) SERVICES+=(pg) ;;
      kafka) SERVICES+=(kafka) ;;
      all) SERVICES+=(pg kafka) ;;
      *) echo "services.sh: unknown service '$s' (pg, kafka)" >&2; exit 2 ;;
    esac
  done
  (( ${#SERVICES[@]} )) || SERVICES=(pg kafka)
}

has() { local s; for s in "${SERVICES[@]}"; do [[ $s == "$1" ]] && return 0; done; return 1; }

cmd_up() {
  local t0 rc=0 pids=() names=() i
  t0=$(now)
  ensure_data_dir
  # Serialise up/down: two concurrent `up` calls must not both initdb/format. Children that
  # outlive us (postgres, the Kafka JVM) are started with 9>&- so they do not inherit the lock.
  take_lock 9 "$DATA_DIR/.services.lock"
  log "up: ${SERVICES[*]} (data: $DATA_DIR)"
  # Start the services in parallel (the first Kafka run spends its time in Maven).
  if has pg; then up_pg & pids+=($!); names+=(pg); fi
  if has kafka; then up_kafka & pids+=($!); names+=(kafka); fi
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { rc=1; log "up: ${names[$i]} FAILED"; }
  done
  (( rc == 0 )) || exit 1
  write_env_file
  log "up: done in $(since "$t0")s; connection facts in $DATA_DIR/services.env"
  print_env
}

cmd_down() {
  if [[ ! -d $DATA_DIR ]]; then log "down: $DATA_DIR does not exist; nothing to stop"; return 0; fi
  take_lock 9 "$DATA_DIR/.services.lock"
  local rc=0
  if has kafka; then down_kafka || rc=1; fi
  if has pg; then down_pg || rc=1; fi
  return "$rc"
}

cmd_status() {
  local rc=0
  if has pg; then status_pg || rc=3; fi
  if has kafka; then status_kafka || rc=3; fi
  return "$rc"
}

[[ $# -ge 1 ]] || usage
cmd=$1; shift
case $cmd in
  up) parse_services "$@"; cmd_up ;;
  down|stop) parse_services "$@"; cmd_down ;;
  status) parse_services "$@"; cmd_status ;;
  env) print_env ;;
  -h|--help|help) usage 0 ;;
  *) echo "services.sh: unknown command '$cmd'" >&2; usage ;;
esac
