#!/bin/sh
# run.sh - the benchmarks behind `make bench` (which builds them first).
#
#   sh bench/run.sh BUILD_DIR
#
# Every figure is printed at the end in one table, next to its baseline
# measured in the same run on the same machine (bench/README.md, "Reading
# the benchmark table"):
#  1. A fresh database made with wmsctl (bin P2 unlimited, item A with a unit
#     EAN-13, user rob / receiver); wmsd on 127.0.0.1:<free port>, started
#     with a config file (max_connections, idle_timeout).
#  2. bench_wmsd logs in IDLE connections (default 10,000), reads wmsd's RSS
#     before and after (memory per idle connection), then the closed loop
#     (16, 64, 256, 1000 connections each keeping one receive.scan
#     outstanding) and the open loop (1,000 and 10,000 scanners, one scan
#     every 6 s on average each: p50/p99 latency).
#  3. wmsd is stopped with SIGTERM; `wmsctl verify` must pass and bin P2 must
#     hold exactly one unit per acknowledged booking.
#  4. bench_echo, the floor (a bare libuv MessagePack-RPC server, one fsync
#     per loop turn), driven by the same bench_wmsd with the same options.
#  5. bench_sqlite: one commit per request on the same disk (the baseline).
#  6. bench_route: route length against S-shape and the optimum.
#  7. bench_plan: wave planning time for 10,000 orders against FCFS.
#  8. bench_restart: wmsd start until ping on a database with 10 million
#     stock rows (built once, cached in BUILD/bench-cache) against an empty
#     one.
#  9. bench_carton, when bench/bench_carton.c is in the tree and has a CMake
#     target: run as `bench_carton --dir DIR --summary FILE`; its `carton`
#     lines (boxes per order, fill rate, time per order on 3,000 generated
#     orders of 1-30 units, against the quick FFD and the lower bound) go
#     into the table.
# 10. The table.
#
# Knobs (environment): BENCH_QUICK=1 (about 2-3 minutes: fewer and shorter
# steps, 1,000 scanners, 1 million stock rows), BENCH_CONNS (16,64,256,1000),
# BENCH_SECONDS (5), BENCH_WARMUP (1), BENCH_PIPELINE (1), BENCH_SCANNERS
# (1000,10000), BENCH_SCAN_INTERVAL (6 s), BENCH_LAT_SECONDS (30),
# BENCH_LAT_WARMUP (5), BENCH_IDLE_CONNS (the most scanners),
# BENCH_STOCK_ROWS (10000000), BENCH_RESTART_RUNS (7), BENCH_PLAN_ORDERS
# (10000), BENCH_CACHE (BUILD/bench-cache), BENCH_SETUP_TIMEOUT (1800 s for
# the logins), BENCH_TMPDIR (default: the build
# directory, so the databases sit on the same disk as the build and not on a
# tmpfs).  Everything started here is stopped on exit.
set -eu

BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "${BENCH_QUICK:-0}" = 1 ]; then
    Q_CONNS=16,256 Q_SECS=3 Q_SCANNERS=1000 Q_LAT_SECS=10 Q_LAT_WARMUP=2 Q_ROWS=1000000
    Q_RUNS=3 Q_ORDERS=2000 Q_SQLITE_SECS=2
else
    Q_CONNS=16,64,256,1000 Q_SECS=5 Q_SCANNERS=1000,10000 Q_LAT_SECS=30 Q_LAT_WARMUP=5
    Q_ROWS=10000000 Q_RUNS=7 Q_ORDERS=10000 Q_SQLITE_SECS=4
fi
CONNS=${BENCH_CONNS:-$Q_CONNS}
SECS=${BENCH_SECONDS:-$Q_SECS}
WARMUP=${BENCH_WARMUP:-1}
PIPELINE=${BENCH_PIPELINE:-1}
SCANNERS=${BENCH_SCANNERS:-$Q_SCANNERS}
INTERVAL=${BENCH_SCAN_INTERVAL:-6}
LAT_SECS=${BENCH_LAT_SECONDS:-$Q_LAT_SECS}
LAT_WARMUP=${BENCH_LAT_WARMUP:-$Q_LAT_WARMUP}
STOCK_ROWS=${BENCH_STOCK_ROWS:-$Q_ROWS}
RESTART_RUNS=${BENCH_RESTART_RUNS:-$Q_RUNS}
PLAN_ORDERS=${BENCH_PLAN_ORDERS:-$Q_ORDERS}
CACHE=${BENCH_CACHE:-$BUILD/bench-cache}
SETUP_TIMEOUT=${BENCH_SETUP_TIMEOUT:-1800}

die() {
    echo "bench: $*" >&2
    exit 1
}

# The bench programs live in BUILD/bench (add_subdirectory) or BUILD (include).
find_bin() {
    for d in "$BUILD/bench" "$BUILD"; do
        if [ -x "$d/$1" ]; then
            echo "$d/$1"
            return 0
        fi
    done
    die "$1 not found in $BUILD: run 'make bench' (it builds the bench targets)"
}
for t in bench_plan bench_echo bench_restart; do
    [ -x "$BUILD/bench/$t" ] || [ -x "$BUILD/$t" ] ||
        cmake --build "$BUILD" --target "$t" >/dev/null || die "cannot build $t"
done
WMSD=$(find_bin wmsd)
WMSCTL=$(find_bin wmsctl)
BENCH_WMSD=$(find_bin bench_wmsd)
BENCH_SQLITE=$(find_bin bench_sqlite)
BENCH_ROUTE=$(find_bin bench_route)
BENCH_PLAN=$(find_bin bench_plan)
BENCH_ECHO=$(find_bin bench_echo)
BENCH_RESTART=$(find_bin bench_restart)

TMPBASE=${BENCH_TMPDIR:-$BUILD}
TMPD=$(mktemp -d "$(cd "$TMPBASE" && pwd)/bench-run.XXXXXX")
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

DB="$TMPD/wms.db"
SUM="$TMPD/summary.txt"
: >"$SUM"
T_START=$(date +%s)
FSTYPE=$(df -PT "$TMPD" 2>/dev/null | awk 'NR == 2 {print $2}')
FSTYPE=${FSTYPE:-unknown}
CORES=$(nproc 2>/dev/null || echo '?')
LOAD=$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo '?')
step() { printf '\n== [%4ds] %s\n' "$(($(date +%s) - T_START))" "$*"; }
note() { echo "note: $*" | tee -a "$SUM"; }
ctl() { "$WMSCTL" --db "$DB" "$@"; }
# The largest number in a comma-separated list.
list_max() { echo "$1" | tr ',' '\n' | sort -n | tail -n 1; }

step "Machine: $(uname -sr), $CORES cores, load average $LOAD; databases on $FSTYPE ($TMPD)"
df -h "$TMPD" | sed 's/^/  /'
case $FSTYPE in
tmpfs | ramfs) echo "warning: $FSTYPE makes fsync free: set BENCH_TMPDIR to a directory on disk" ;;
esac

# ---- open files: every connection is a descriptor in the server and in bench_wmsd ----
# (ulimit -H/-n are not POSIX, but dash, bash and busybox sh have them.)
# shellcheck disable=SC3045
ulimit -n "$(ulimit -H -n)" 2>/dev/null || true
# shellcheck disable=SC3045
NOFILE=$(ulimit -n)
# Keeps the counts of list $2 that fit the open-file limit; notes the others.
fit() {
    kept=
    for c in $(echo "$2" | tr ',' ' '); do
        if [ "$NOFILE" = unlimited ] || [ "$c" -le $((NOFILE - 64)) ]; then
            kept=${kept:+$kept,}$c
        else
            note "$c $1 skipped: the open-file hard limit (ulimit -Hn) is $NOFILE; raise it (limits.conf, prlimit) to measure them"
        fi
    done
    echo "$kept"
}
CONNS=$(fit connections "$CONNS")
SCANNERS=$(fit scanners "$SCANNERS")
[ -n "$CONNS" ] || die "no connection count fits the open-file limit $NOFILE"
IDLE=${BENCH_IDLE_CONNS:-$(list_max "${SCANNERS:-$CONNS}")}
IDLE_FIT=$(fit "idle connections" "$IDLE")
IDLE=${IDLE_FIT:-$(list_max "$CONNS")}
MAXC=$(list_max "$CONNS,$IDLE${SCANNERS:+,$SCANNERS}")
echo "open-file limit $NOFILE; up to $MAXC connections: $IDLE idle for the memory figure, closed loop $CONNS, open loop ${SCANNERS:-none}"
[ -n "$SCANNERS" ] || SCANNERS=none

# ---- 1. database and server ------------------------------------------------
step "A fresh database: bins DOCK-01 and P2 (capacity 0 = unlimited), item A (EAN-13 4006381333931), user rob"
printf 'kind,id,x_m,y_m,length_m\ndepot,D,0,,\naisle,A1,0,,20\n' >"$TMPD/layout.csv"
printf 'code,zone,type,aisle,y_m,capacity,blocked\nDOCK-01,Z1,dock,A1,1,0,0\nP2,Z1,pick,A1,4,0,0\n' \
    >"$TMPD/bins.csv"
printf 'sku,description\nA,Apple juice 1l\n' >"$TMPD/items.csv"
printf 'code,sku,level\n4006381333931,A,each\n' >"$TMPD/barcodes.csv"
ctl init
for k in layout bins items barcodes; do ctl import "$k" "$TMPD/$k.csv"; done
printf '1234\n' | ctl user add rob --role receiver

# wmsd's own limit is max_connections (default 20000); the idle scanners must
# outlive the whole run, so idle_timeout is an hour.
MAXCONF=$((MAXC + 100))
[ "$MAXCONF" -ge 20000 ] || MAXCONF=20000
cat >"$TMPD/wmsd.conf" <<EOF
# written by bench/run.sh
db = $DB
listen = 127.0.0.1:0
max_connections = $MAXCONF
idle_timeout = 3600
log_level = warn
EOF

# Starts server "$@" with stdout in $TMPD/$NAME.out; sets SERVER_PID, PORT.
start_server() {
    name=$1
    shift
    "$@" >"$TMPD/$name.out" 2>"$TMPD/$name.log" &
    SERVER_PID=$!
    PORT=
    tries=0
    while [ -z "$PORT" ]; do
        PORT=$(head -n 1 "$TMPD/$name.out" | sed -n 's/^listening on port \([0-9][0-9]*\)$/\1/p')
        [ -n "$PORT" ] && break
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            cat "$TMPD/$name.log" >&2
            die "$name exited before listening"
        fi
        tries=$((tries + 1))
        [ "$tries" -le 100 ] || die "$name did not say 'listening on port N' within 10 s"
        sleep 0.1
    done
    echo "$name (pid $SERVER_PID) listening on port $PORT"
}

# Stops the server with SIGTERM; sets SERVER_RC.
stop_server() {
    kill -TERM "$SERVER_PID"
    SERVER_RC=0
    wait "$SERVER_PID" || SERVER_RC=$?
    SERVER_PID=
}

# The same load for wmsd and the echo floor.
drive() {
    "$BENCH_WMSD" --port "$PORT" --label "$1" --idle "$IDLE" --rss-pid "$SERVER_PID" \
        --conns "$CONNS" --seconds "$SECS" --warmup "$WARMUP" --pipeline "$PIPELINE" \
        --scanners "$SCANNERS" --interval "$INTERVAL" --open-seconds "$LAT_SECS" \
        --open-warmup "$LAT_WARMUP" --setup-timeout "$SETUP_TIMEOUT" --summary "$SUM"
}

step "wmsd --config wmsd.conf (max_connections = $MAXCONF, idle_timeout = 3600)"
start_server wmsd "$WMSD" --config "$TMPD/wmsd.conf"

# ---- 2. load -----------------------------------------------------------------
step "bench_wmsd -> wmsd: $IDLE logins (slow on purpose: argon2id), memory, closed loop $CONNS, open loop $SCANNERS"
FAIL=
drive wmsd || FAIL="${FAIL}bench_wmsd reported errors against wmsd; "

# ---- 3. stop, verify, count ----------------------------------------------------
step "Stop wmsd (SIGTERM), then check the database"
stop_server
echo "wmsd exited with status $SERVER_RC"
[ "$SERVER_RC" -eq 0 ] || FAIL="${FAIL}wmsd exited with $SERVER_RC; "
if grep -qE ' (error|fatal) ' "$TMPD/wmsd.log"; then
    echo "wmsd log (errors):"
    grep -E ' (error|fatal) ' "$TMPD/wmsd.log" | head -n 20
fi
VERIFY=passed
echo '$ wmsctl verify'
ctl verify || {
    VERIFY=FAILED
    FAIL="${FAIL}wmsctl verify failed; "
}
ONHAND=$(ctl --json stock --bin P2 | sed -n 's/.*"qty":\([0-9][0-9]*\).*/\1/p' |
    awk '{s += $1} END {print s + 0}')
echo "bin P2 holds $ONHAND units"
echo "check verify=$VERIFY onhand=$ONHAND" >>"$SUM"

# ---- 4. the floor ----------------------------------------------------------------
step "bench_echo: the floor (bare libuv MessagePack-RPC, one fsync per loop turn), the same load"
start_server echo "$BENCH_ECHO" --log "$TMPD/echo.records" --max-connections "$MAXCONF"
drive echo || FAIL="${FAIL}bench_wmsd reported errors against bench_echo; "
stop_server
cat "$TMPD/echo.log"
[ "$SERVER_RC" -eq 0 ] || FAIL="${FAIL}bench_echo exited with $SERVER_RC; "
rm -f "$TMPD/echo.records"

# ---- 5. baseline, 6. routing, 7. planning ---------------------------------------
step "bench_sqlite: the same disk, one commit (one fsync) per request"
"$BENCH_SQLITE" --dir "$TMPD" --n 20000 --seconds "$Q_SQLITE_SECS" --summary "$SUM" ||
    FAIL="${FAIL}bench_sqlite failed; "

step "bench_route: picker routing against S-shape and the optimum"
"$BENCH_ROUTE" --summary "$SUM" || FAIL="${FAIL}bench_route failed; "

step "bench_plan: wave planning ($PLAN_ORDERS orders) and batching vs FCFS"
"$BENCH_PLAN" --dir "$TMPD" --orders "$PLAN_ORDERS" --summary "$SUM" ||
    FAIL="${FAIL}bench_plan failed; "

# ---- 8. restart ------------------------------------------------------------------
step "bench_restart: wmsd start until ping, $STOCK_ROWS stock rows against an empty database"
mkdir -p "$CACHE"
NEED_KB=$((STOCK_ROWS * 250 / 1000 + 1048576)) # the file, the index sort, and room
AVAIL_KB=$(df -Pk "$CACHE" | awk 'NR == 2 {print $4}')
if [ ! -f "$CACHE/bench-stock-$STOCK_ROWS.db" ] && [ "$AVAIL_KB" -lt "$NEED_KB" ]; then
    note "restart on $STOCK_ROWS stock rows skipped: building it needs about $((NEED_KB / 1048576 + 1)) GB free in $CACHE, there are $((AVAIL_KB / 1048576)) GB"
else
    # The index build spills its sort to SQLITE_TMPDIR: on this disk, not /tmp.
    SQLITE_TMPDIR="$TMPD" "$BENCH_RESTART" --wmsd "$WMSD" --cache "$CACHE" --dir "$TMPD" \
        --rows "$STOCK_ROWS" --runs "$RESTART_RUNS" --summary "$SUM" ||
        FAIL="${FAIL}bench_restart failed; "
fi

# ---- 9. cartonization (bench/bench_carton.c) ------------------------------------
if [ -f "$HERE/bench_carton.c" ]; then
    if cmake --build "$BUILD" --target help 2>/dev/null | grep -q 'bench_carton'; then
        cmake --build "$BUILD" --target bench_carton >/dev/null || die "cannot build bench_carton"
        step "bench_carton: cartonization"
        "$(find_bin bench_carton)" --dir "$TMPD" --summary "$SUM" ||
            FAIL="${FAIL}bench_carton failed; "
    else
        note "bench/bench_carton.c has no CMake target yet: cartonization not measured"
    fi
fi

# ---- 10. the table ---------------------------------------------------------------
step "The table: every figure next to its baseline, measured in this run on this machine"
awk -v machine="$(uname -sr), $CORES cores, $FSTYPE" -v load="$LOAD" -v interval="$INTERVAL" \
    -f "$HERE/summary.awk" "$SUM" || FAIL="${FAIL}acknowledged bookings and stock differ; "
echo
echo "make bench took $(($(date +%s) - T_START)) s"

if [ -n "$FAIL" ]; then
    echo
    die "FAILED: $FAIL"
fi
