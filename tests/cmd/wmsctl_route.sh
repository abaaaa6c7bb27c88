#!/bin/bash
# wmsctl_route.sh - `wmsctl route` on a hand-computed layout (JSON format,
# distances, unknown bins, multi-block method) and `wmsctl wave
# plan|release|status` end to end.
set -u
WMSCTL=${WMSCTL:?set by ctest}
PY=/usr/bin/python3
[ -x "$WMSCTL" ] || { echo "FAIL: $WMSCTL is not built"; exit 1; }
T=$(mktemp -d "${WMS_TMP:-/tmp}/ctl-route-XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$T"' EXIT
export WMS_DB="$T/wms.db"
. "$(dirname "$0")/harness.inc"

# Three aisles 10 m apart, 30 m long, depot at the front of A1 (x 0):
#   B1 (A1, y 5)   B4 (A2, y 5)   B2 (A2, y 25)   B3 (A3, y 10)
cat >"$T/layout.csv" <<'EOF'
kind,id,x_m,y_m,length_m
depot,D,0,,
aisle,A1,0,,30
aisle,A2,10,,30
aisle,A3,20,,30
EOF
cat >"$T/bins.csv" <<'EOF'
code,zone,type,aisle,y_m
B1,Z1,pick,A1,5
B2,Z1,pick,A2,25
B3,Z2,pick,A3,10
B4,Z1,pick,A2,5
EOF
expect_status 0 "$WMSCTL" init
expect_status 0 "$WMSCTL" import layout "$T/layout.csv"
expect_status 0 "$WMSCTL" import bins "$T/bins.csv"

# The exact output format.
expect_status 0 "$WMSCTL" route --json B1
[ "$(cat "$T/out")" = '{"route": ["B1"], "distance_m": 10, "method": "ratliff-rosenthal"}' ] &&
    ok || bad "route B1: $(cat "$T/out")"

# route_is BINS... -- DISTANCE: distances computed by hand:
#  B1: 5 up and back                                              = 10
#  B2: 10 across, 25 up, and back                                 = 70
#  B1 B3: A1 up/back 10, A3 up/back 20, 20 across and back 40      = 70
#  B1 B2 B3: A1 up/back 10, 10 across, A2 up 30, back 10 across,
#            A3 down 30, 20 back to the depot                     = 110
#  B1 B2 B3 B4: B4 lies on that walk (A2 is traversed)            = 110
route_is() {
    local want=${*: -1} bins=("${@:1:$#-2}")
    expect_status 0 "$WMSCTL" route --json "${bins[@]}"
    json_eq "$T/out" "sorted(d.keys())" "['distance_m', 'method', 'route']"
    json_eq "$T/out" "'%g' % d['distance_m']" "$want"
    json_eq "$T/out" "sorted(d['route']) == sorted('${bins[*]}'.split())" "True"
    json_eq "$T/out" "d['method']" "ratliff-rosenthal"
}
route_is B2 -- 70
route_is B1 B3 -- 70
route_is B3 B1 -- 70
route_is B1 B2 B3 -- 110
route_is B3 B2 B4 B1 -- 110
# The visiting order: up A1, then up A2 (B4 before B2), down A3.
expect_status 0 "$WMSCTL" route --json B3 B2 B4 B1
json_eq "$T/out" "d['route'] in (['B1','B4','B2','B3'], ['B3','B2','B4','B1'])" "True"
# A bin named twice is visited twice in a row.
expect_status 0 "$WMSCTL" route --json B1 B3 B1
json_eq "$T/out" "d['route'].count('B1'), d['distance_m']" "(2, 70)"
grep -q '"B1", "B1"' "$T/out" && ok || bad "repeated bin not consecutive: $(cat "$T/out")"

# Readable listing: legs and the running total, back at the depot.
expect_status 0 "$WMSCTL" route B1 B2 B3 B4
grep -q '110.00 m (ratliff-rosenthal)' "$T/out" && ok || bad "listing head: $(cat "$T/out")"
tail -n 1 "$T/out" | grep -q '(depot).*110.00$' && ok || bad "listing total: $(cat "$T/out")"
[ "$(grep -c '^ *[0-9] ' "$T/out")" = 4 ] && ok || bad "listing rows: $(cat "$T/out")"

# Unknown bins and no bins are input errors naming the bin.
expect_status 2 "$WMSCTL" route --json B1 NOPE
grep -q "NOPE" "$T/err" && ok || bad "unknown bin message: $(cat "$T/err")"
[ -s "$T/out" ] && bad "output on error: $(cat "$T/out")" || ok
expect_status 2 "$WMSCTL" route --json

# A middle cross aisle at y 15 makes the layout multi-block: the heuristic.
printf 'kind,id,x_m,y_m,length_m\ncross,C1,,15,\n' >"$T/cross.csv"
expect_status 0 "$WMSCTL" import layout "$T/cross.csv"
expect_status 0 "$WMSCTL" route --json B1 B2 B3
json_eq "$T/out" "d['method']" "2opt+oropt"
# B2 (A2, 25) alone: 10 across, 25 up and back, whatever the cross aisles.
expect_status 0 "$WMSCTL" route --json B2
json_eq "$T/out" "d['distance_m']" "70"

# ---- waves ---------------------------------------------------------------------
# Items on every bin, then orders straight into the tables (the order
# importer is not needed for this test).
printf 'sku,description\nS1,one\nS2,two\nS3,three\nS4,four\n' >"$T/items.csv"
printf 'bin,sku,qty\nB1,S1,50\nB2,S2,50\nB3,S3,50\nB4,S4,50\n' >"$T/stock.csv"
expect_status 0 "$WMSCTL" import items "$T/items.csv"
expect_status 0 "$WMSCTL" import stock "$T/stock.csv"
$PY - "$WMS_DB" <<'EOF' || bad "inserting orders failed"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO customers(code, name, credit) VALUES ('C1', 'Cust', 'green')")
orders = {"W1": ["S1", "S3"], "W2": ["S2"], "W3": ["S1", "S4"], "W4": ["S3"], "W5": ["S2", "S4"]}
for i, (ref, skus) in enumerate(sorted(orders.items())):
    cur = db.execute("INSERT INTO orders(ref, customer_id, cutoff_ms, status, created) "
                     "VALUES (?, 1, ?, 'released', '2026-11-23T08:00:00Z')", (ref, 1000 + i))
    for n, sku in enumerate(skus, 1):
        db.execute("INSERT INTO order_lines(order_id, line, item_id, qty) VALUES "
                   "(?, ?, (SELECT id FROM items WHERE sku = ?), 2)", (cur.lastrowid, n, sku))
db.commit()
EOF
expect_status 0 "$WMSCTL" wave plan --method batch --totes 2 --json
json_eq "$T/out" "d['orders'], d['lines'], d['units'], d['picks'], d['totes'], d['tours']" \
    "(5, 8, 16, 8, 5, 3)"
json_eq "$T/out" "sorted(o for t in d['tours_detail'] for o in t['orders'])" \
    "['W1', 'W2', 'W3', 'W4', 'W5']"
json_eq "$T/out" "all(len(t['orders']) <= 2 for t in d['tours_detail'])" "True"
json_eq "$T/out" "abs(sum(t['distance_m'] for t in d['tours_detail']) - d['walk_m']) < 0.1" "True"
expect_status 0 "$WMSCTL" wave plan --method zone --max-orders 2
grep -q 'wave plan (zone): 2 orders' "$T/out" && ok || bad "zone plan: $(cat "$T/out")"
grep -q 'pickers needed' "$T/out" && ok || bad "plan without pickers: $(cat "$T/out")"
grep -q '3 released orders wait' "$T/out" && ok || bad "plan without waiting: $(cat "$T/out")"
# pick-and-sort: every bin once for all orders (4 stops of 4 units each), a
# cart as a cluster cart's: totes x mean lines (8 x 2 = 16 stops) and units
# (8 x 4 = 32); --totes 1: 2 stops, 4 units = one stop a tour; with
# --tour-units 8: 2 stops a tour
expect_status 0 "$WMSCTL" wave plan --method sort --json
json_eq "$T/out" "d['method'], d['orders'], d['tours'], d['totes']" "('sort', 5, 1, 1)"
json_eq "$T/out" "sum(t['picks'] for t in d['tours_detail'])" "4"
expect_status 0 "$WMSCTL" wave plan --method sort --totes 1 --json
json_eq "$T/out" "d['tours'], [t['picks'] for t in d['tours_detail']]" "(4, [1, 1, 1, 1])"
expect_status 0 "$WMSCTL" wave plan --method sort --totes 1 --tour-units 8 --json
json_eq "$T/out" "d['tours'], [t['picks'] for t in d['tours_detail']]" "(2, [2, 2])"
expect_status 2 "$WMSCTL" wave plan --method nope
expect_status 2 "$WMSCTL" wave plan --totes 0

expect_status 0 "$WMSCTL" wave release --method discrete --max-orders 3 --json
json_eq "$T/out" "d['status'], d['method'], d['orders'], d['tasks'], d['tasks_open'], d['tours']" \
    "('released', 'discrete', 3, 5, 5, 3)"
json_eq "$T/out" "d['summary']['orders'], d['summary']['tasks']" "(3, 5)"
WAVE=$($PY -c "import json; print(json.load(open('$T/out'))['wave'])")
expect_status 0 "$WMSCTL" wave status "$WAVE" --json
json_eq "$T/out" "d['wave'], d['orders_open'], d['tasks_done']" "($WAVE, 3, 0)"
expect_status 0 "$WMSCTL" wave status "$WAVE"
grep -q "wave $WAVE (discrete): released" "$T/out" && ok || bad "status: $(cat "$T/out")"
expect_status 0 "$WMSCTL" wave release
grep -q 'released as wave' "$T/out" && ok || bad "release: $(cat "$T/out")"
expect_status 2 "$WMSCTL" wave release
grep -q NOT_FOUND "$T/err" && ok || bad "empty release: $(cat "$T/err")"
expect_status 2 "$WMSCTL" wave status 999
expect_status 2 "$WMSCTL" wave status x
expect_status 0 "$WMSCTL" verify

echo "wmsctl_route: $passes passed, $fails failed"
[ "$fails" = 0 ]
