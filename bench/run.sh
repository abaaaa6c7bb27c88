#!/bin/sh
# run.sh - the benchmarks behind `make bench` (which builds them first).
#
#   sh bench/run.sh BUILD_DIR
#
# 1. A fresh database made with wmsctl (bin P2 unlimited, item A with a unit
#    EAN-13, user rob / receiver), wmsd on 127.0.0.1:<free port>.
# 2. bench_wmsd drives it over TCP: 16, 64, 256, 1000 connections, each
#    keeping one receive.scan outstanding (closed loop), 5 s measured each.
# 3. wmsd is stopped with SIGTERM; `wmsctl verify` must pass and bin P2 must
#    hold exactly one unit per acknowledged booking.
# 4. bench_sqlite: the same machine's one-commit-per-request rate (baseline).
# 5. bench_route: picker routing (its own table); bench_plan: wave planning
#    time for 10,000 orders / 50,000 lines and batching travel against FCFS.
# 6. One summary table: every wmsd figure next to the baseline, with ratios.
#
# Knobs (environment): BENCH_CONNS (16,64,256,1000), BENCH_SECONDS (5),
# BENCH_WARMUP (1), BENCH_PIPELINE (1), BENCH_TMPDIR (default: the build
# directory, so the databases sit on the same disk as the build and not on a
# tmpfs).  Everything started here is stopped on exit.
set -eu

BUILD=${1:-build}
CONNS=${BENCH_CONNS:-16,64,256,1000}
SECS=${BENCH_SECONDS:-5}
WARMUP=${BENCH_WARMUP:-1}
PIPELINE=${BENCH_PIPELINE:-1}

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
WMSD=$(find_bin wmsd)
WMSCTL=$(find_bin wmsctl)
BENCH_WMSD=$(find_bin bench_wmsd)
BENCH_SQLITE=$(find_bin bench_sqlite)
BENCH_ROUTE=$(find_bin bench_route)
[ -x "$BUILD/bench/bench_plan" ] || [ -x "$BUILD/bench_plan" ] ||
    cmake --build "$BUILD" --target bench_plan >/dev/null || die "cannot build bench_plan"
BENCH_PLAN=$(find_bin bench_plan)

TMPBASE=${BENCH_TMPDIR:-$BUILD}
TMPD=$(mktemp -d "$(cd "$TMPBASE" && pwd)/bench-run.XXXXXX")
WMSD_PID=
cleanup() {
    if [ -n "$WMSD_PID" ] && kill -0 "$WMSD_PID" 2>/dev/null; then
        kill -TERM "$WMSD_PID" 2>/dev/null || true
        wait "$WMSD_PID" 2>/dev/null || true
    fi
    rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

DB="$TMPD/wms.db"
SUM="$TMPD/summary.txt"
: >"$SUM"
FSTYPE=$(df -PT "$TMPD" 2>/dev/null | awk 'NR == 2 {print $2}')
FSTYPE=${FSTYPE:-unknown}
step() { printf '\n== %s\n' "$*"; }
ctl() { "$WMSCTL" --db "$DB" "$@"; }

step "Machine: $(uname -sr), $(nproc 2>/dev/null || echo '?') cores; databases on $FSTYPE ($TMPD)"
case $FSTYPE in
tmpfs | ramfs) echo "warning: $FSTYPE makes fsync free: set BENCH_TMPDIR to a directory on disk" ;;
esac

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

# Every connection is a file descriptor in wmsd and in bench_wmsd.
# (ulimit -H/-n are not POSIX, but dash, bash and busybox sh have them.)
# shellcheck disable=SC3045
ulimit -n "$(ulimit -H -n)" 2>/dev/null || true
# shellcheck disable=SC3045
NOFILE=$(ulimit -n)
if [ "$NOFILE" != unlimited ]; then
    KEPT=
    for c in $(echo "$CONNS" | tr ',' ' '); do
        if [ "$c" -le $((NOFILE - 64)) ]; then
            KEPT=${KEPT:+$KEPT,}$c
        else
            echo "note: $c connections skipped: the open-file limit is $NOFILE"
        fi
    done
    CONNS=$KEPT
    [ -n "$CONNS" ] || die "no connection count fits the open-file limit $NOFILE"
fi

step "wmsd --listen 127.0.0.1:0 --max-connections 20000 --log-level warn"
"$WMSD" --db "$DB" --listen 127.0.0.1:0 --max-connections 20000 --log-level warn \
    >"$TMPD/wmsd.out" 2>"$TMPD/wmsd.log" &
WMSD_PID=$!
PORT=
tries=0
while [ -z "$PORT" ]; do
    PORT=$(head -n 1 "$TMPD/wmsd.out" | sed -n 's/^listening on port \([0-9][0-9]*\)$/\1/p')
    [ -n "$PORT" ] && break
    if ! kill -0 "$WMSD_PID" 2>/dev/null; then
        cat "$TMPD/wmsd.log" >&2
        die "wmsd exited before listening"
    fi
    tries=$((tries + 1))
    [ "$tries" -le 100 ] || die "wmsd did not say 'listening on port N' within 10 s"
    sleep 0.1
done
echo "wmsd (pid $WMSD_PID) listening on port $PORT"

# ---- 2. load -----------------------------------------------------------------
step "bench_wmsd: closed loop, $CONNS connections, pipeline $PIPELINE, ${WARMUP} s warm-up + ${SECS} s each"
FAIL=
"$BENCH_WMSD" --port "$PORT" --conns "$CONNS" --seconds "$SECS" --warmup "$WARMUP" \
    --pipeline "$PIPELINE" --summary "$SUM" || FAIL="${FAIL}bench_wmsd reported errors; "

# ---- 3. stop, verify, count ----------------------------------------------------
step "Stop wmsd (SIGTERM), then check the database"
kill -TERM "$WMSD_PID"
WMSD_RC=0
wait "$WMSD_PID" || WMSD_RC=$?
WMSD_PID=
echo "wmsd exited with status $WMSD_RC"
[ "$WMSD_RC" -eq 0 ] || FAIL="${FAIL}wmsd exited with $WMSD_RC; "
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

# ---- 4. baseline, 5. routing ---------------------------------------------------
step "bench_sqlite: the same disk, one commit (one fsync) per request"
"$BENCH_SQLITE" --dir "$TMPD" --n 20000 --seconds 4 --summary "$SUM" ||
    FAIL="${FAIL}bench_sqlite failed; "

step "bench_route: picker routing"
"$BENCH_ROUTE" || FAIL="${FAIL}bench_route failed; "

step "bench_plan: wave planning (10,000 orders / 50,000 lines) and batching vs FCFS"
"$BENCH_PLAN" --dir "$TMPD" || FAIL="${FAIL}bench_plan failed; "

# ---- 6. summary ----------------------------------------------------------------
step "Summary: durable bookings per second on this machine ($FSTYPE, $(nproc 2>/dev/null || echo '?') cores)"
awk -v onhand="$ONHAND" -v verify="$VERIFY" '
function grp(x,    s, out, n, i) {
    s = sprintf("%.0f", x); n = length(s); out = ""
    for (i = 1; i <= n; i++) {
        out = out substr(s, i, 1)
        if ((n - i) % 3 == 0 && i < n) out = out ","
    }
    return out
}
function ms(x) { return x == "" ? "-" : sprintf("%.2f", x) }
{
    delete v
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
}
$1 == "sqlite" { k = v["kind"]; s_rps[k] = v["rps"]; s_p50[k] = v["p50_ms"]; s_p90[k] = v["p90_ms"]
                 s_p99[k] = v["p99_ms"]; s_max[k] = v["max_ms"] }
$1 == "wmsd"   { n++; w_conns[n] = v["conns"]; w_pipe[n] = v["pipeline"]; w_rps[n] = v["rps"]
                 w_p50[n] = v["p50_ms"]; w_p90[n] = v["p90_ms"]; w_p99[n] = v["p99_ms"]
                 w_max[n] = v["max_ms"]; w_err[n] = v["errors"] + v["lost"] }
$1 == "wmsd_total" { t_ok = v["ok"]; t_unans = v["unanswered"]; t_err = v["errors"]; have_t = 1 }
END {
    base = s_rps["engine"]
    fmt = "%-52s %9s %8s %8s %8s %8s %10s\n"
    printf fmt, "", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "x baseline"
    row("baseline: wms_stock_receive, 1 commit per request", "engine")
    row("floor: plain sqlite3 INSERT + COMMIT", "raw")
    row("in-process: wms_stock_receive, 100 per commit", "batched")
    for (i = 1; i <= n; i++)
        printf fmt, sprintf("wmsd receive.scan over TCP, %5d conns, pipeline %d", w_conns[i], w_pipe[i]),
            grp(w_rps[i]), ms(w_p50[i]), ms(w_p90[i]), ms(w_p99[i]), ms(w_max[i]),
            (base > 0 ? sprintf("%.1fx", w_rps[i] / base) : "-")
    print ""
    for (i = 1; i <= n; i++)
        printf "durable receive.scan/s through wmsd at %d conns: %s/s = %.1fx one-commit-per-request SQLite (%s/s)%s\n",
            w_conns[i], grp(w_rps[i]), (base > 0 ? w_rps[i] / base : 0), grp(base),
            (w_err[i] > 0 ? sprintf("  [%d errors/lost]", w_err[i]) : "")
    print ""
    printf "wmsctl verify after SIGTERM: %s\n", verify
    if (have_t) {
        ok = (onhand == t_ok) || (t_unans > 0 && onhand >= t_ok && onhand <= t_ok + t_unans)
        printf "acknowledged bookings: %s; units in P2: %s%s\n", grp(t_ok), grp(onhand),
            (ok ? " (every acknowledged booking is in the database)" : "  MISMATCH")
        if (!ok) exit 1
    }
}
function row(label, k) {
    if (!(k in s_rps)) return
    printf fmt, label, grp(s_rps[k]), ms(s_p50[k]), ms(s_p90[k]), ms(s_p99[k]), ms(s_max[k]),
        (base > 0 ? sprintf("%.1fx", s_rps[k] / base) : "-")
}
' "$SUM" || FAIL="${FAIL}acknowledged bookings and stock differ; "

if [ -n "$FAIL" ]; then
    echo
    die "FAILED: $FAIL"
fi
