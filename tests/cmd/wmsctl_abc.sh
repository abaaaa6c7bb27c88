#!/bin/bash
# wmsctl_abc.sh - `wmsctl report abc` on a fixed data set: the ABC classes
# by picks and by units, the slotting suggestions and their savings (JSON
# and text), the period options, bad arguments; `report expiring`.
set -u
WMSCTL=${WMSCTL:?set by ctest}
PY=/usr/bin/python3
[ -x "$WMSCTL" ] || { echo "FAIL: $WMSCTL is not built"; exit 1; }
T=$(mktemp -d "${WMS_TMP:-/tmp}/ctl-abc-XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$T"' EXIT
export WMS_DB="$T/wms.db" WMS_TODAY=2026-11-10
. "$(dirname "$0")/harness.inc"

# Aisles at x 0, 10, 20 m, 30 m long, depot at x 0: depot -> bin = aisle x + y.
#   A1-05  5 m  S3 (A)          A1-10 10 m  empty, blocked    A1-15 15 m  S5 (B)
#   A2-05 15 m  S7 (C, 0 picks) A1-20 20 m  empty             A2-12 22 m  empty
#   A3-05 25 m  S6 (C)          A3-10 30 m  S4 (A, pick face) A2-25 35 m  S2 (A)
#   A3-25 45 m  S1 (A)          R1 reserve (never a candidate)
cat >"$T/layout.csv" <<'EOF'
kind,id,x_m,y_m,length_m
depot,D,0,,
aisle,A1,0,,30
aisle,A2,10,,30
aisle,A3,20,,30
EOF
cat >"$T/bins.csv" <<'EOF'
code,zone,type,aisle,y_m,blocked
A1-05,Z1,pick,A1,5,0
A1-10,Z1,pick,A1,10,1
A1-15,Z1,pick,A1,15,0
A1-20,Z1,pick,A1,20,0
A2-05,Z1,pick,A2,5,0
A2-12,Z1,pick,A2,12,0
A2-25,Z1,pick,A2,25,0
A3-05,Z1,pick,A3,5,0
A3-10,Z1,pick,A3,10,0
A3-25,Z1,pick,A3,25,0
R1,Z1,reserve,A1,2,0
EOF
printf 'sku,description\n' >"$T/items.csv"
for s in S1 S2 S3 S4 S5 S6 S7 S8 S9; do echo "$s,item $s" >>"$T/items.csv"; done
cat >"$T/stock.csv" <<'EOF'
bin,sku,qty
A3-25,S1,100
A2-25,S2,100
R1,S2,500
A1-05,S3,900
A1-15,S5,50
A3-05,S6,50
A2-05,S7,50
EOF
expect_status 0 "$WMSCTL" init
for k in layout bins items stock; do expect_status 0 "$WMSCTL" import $k "$T/$k.csv"; done
expect_status 0 "$WMSCTL" pickface set A3-10 S4 --min 1 --max 20

# Picks, 2026-11-01 .. 2026-11-10 (10 days); each (order, line, bin) is one
# pick.  picks / units:  S1 40/40  S2 30/30  S3 10/400  S4 10/10  S5 5/10
# S6 3/6  S9 2/4  S7 and S8 none.  S1's first pick is confirmed in two rows
# (one visit); S8 has rows only outside the period.
$PY - "$WMS_DB" <<'EOF' || bad "inserting picks failed"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO customers(code, name, credit) VALUES ('C1', 'Cust', 'green')")
db.execute("INSERT INTO orders(id, ref, customer_id, status, created) "
           "VALUES (1, 'O1', 1, 'picking', '2026-11-01T08:00:00Z')")
def item(s): return db.execute("SELECT id FROM items WHERE sku = ?", (s,)).fetchone()[0]
def bin(b): return db.execute("SELECT id FROM bins WHERE code = ?", (b,)).fetchone()[0]
line = 0
def picks(sku, b, n, qty, day="2026-11-05T10:00:00Z"):
    global line
    t = db.execute("INSERT INTO tasks(kind, status, order_id, from_bin_id, item_id, qty) "
                   "VALUES ('pick', 'done', 1, ?, ?, 1)", (bin(b), item(sku))).lastrowid
    for k in range(n):
        line += 1
        db.execute("INSERT INTO picks(task_id, order_id, line, bin_id, item_id, lot, expiry, qty, "
                   "ts, user, device) VALUES (?, 1, ?, ?, ?, '', '', ?, ?, 'u', 'd')",
                   (t, line, bin(b), item(sku), qty, day))
    return line
picks("S1", "A3-25", 40, 1)
db.execute("INSERT INTO picks(task_id, order_id, line, bin_id, item_id, lot, expiry, qty, ts, "
           "user, device) SELECT task_id, order_id, line, bin_id, item_id, lot, expiry, 1, "
           "'2026-11-01T00:00:00Z', user, device FROM picks WHERE line = 1")
picks("S2", "A2-25", 30, 1, "2026-11-10T23:59:59.999Z")
picks("S3", "A1-05", 10, 40)
picks("S4", "A3-10", 10, 1)
picks("S5", "A1-15", 5, 2)
picks("S6", "A3-05", 3, 2)
picks("S9", "A1-15", 2, 2)
picks("S8", "A1-15", 7, 1, "2026-10-31T23:59:59Z")
picks("S8", "A1-15", 7, 1, "2026-11-11T00:00:00Z")
db.commit()
EOF
# S1's visit of line 1 has two rows of 1 unit: units 41, picks 40.
S1U=41

expect_status 0 "$WMSCTL" report abc --from 2026-11-01 --to 2026-11-10 --json
cp "$T/out" "$T/abc.json"
json_eq "$T/abc.json" "d['from'], d['to'], d['days'], d['a_share'], d['b_share']" \
    "('2026-11-01', '2026-11-10', 10, 0.8, 0.95)"
json_eq "$T/abc.json" "d['totals']" "{'items': 9, 'picks': 100, 'units': $((500 + 1))}"
# By picks: 40 30 | 10 10 (ahead 70 % < 80: both A) | 5 (ahead 90 %) | 3 2 0 0.
json_eq "$T/abc.json" "' '.join(i['sku'] + i['class_picks'] for i in d['items'])" \
    "S1A S2A S3A S4A S5B S6C S9C S7C S8C"
json_eq "$T/abc.json" "[(i['sku'], i['picks'], i['units']) for i in d['items'][:3]]" \
    "[('S1', 40, $S1U), ('S2', 30, 30), ('S3', 10, 400)]"
json_eq "$T/abc.json" "[i['cum_picks'] for i in d['items']]" \
    "[0.4, 0.7, 0.8, 0.9, 0.95, 0.98, 1, 1, 1]"
# By units (total 501): S3 400 is A; S1 41 starts at 400/501 = 79.8 % (A);
# S2 30 at 441/501 = 88 % (B); S4 S5 10 at 94 % (B); S6 S9 C.
json_eq "$T/abc.json" "' '.join(i['sku'] + i['class_units'] for i in d['items'])" \
    "S1A S2B S3A S4B S5B S6C S9C S7C S8C"
json_eq "$T/abc.json" "d['classes']['picks']['A']" \
    "{'items': 4, 'item_share': 0.444444, 'value': 90, 'share': 0.9}"
json_eq "$T/abc.json" "[d['classes']['picks'][k]['items'] for k in 'ABC']" "[4, 1, 4]"
json_eq "$T/abc.json" "[d['classes']['units'][k]['items'] for k in 'ABC']" "[2, 3, 4]"

# Slotting: A items with a face S1 (45 m) S2 (35) S3 (5) S4 (30, pick_faces
# row); the 4 nearest unblocked pick bins end at A1-20 (20 m): S1, S2, S4 are
# far.  Candidates: A2-05 (15, C item S7), A1-20 (20, empty), A2-12 (22,
# empty), A3-05 (25, C item S6); A1-10 (10) is blocked, A1-15 holds a B item.
# Picks per day: S1 4, S2 3, S4 1.  Greedy by saving = ppd x 2 x (from - to):
#   A2-05: S1 4*2*30 = 240 (S2 120, S4 30)
#   A1-20: S2 3*2*15 =  90 (S4 20)
#   A2-12: S4 1*2*8  =  16                     total 346 m per day
json_eq "$T/abc.json" "d['layout'], d['a_faced'], d['a_unfaced'], d['golden_m'], d['far_items']" \
    "(True, 4, 0, 20, 3)"
json_eq "$T/abc.json" \
    "[(s['sku'], s['from_bin'], s['from_m'], s['to_bin'], s['to_m'], s['swap_sku'], s['saving_m_per_day']) for s in d['suggestions']]" \
    "[('S1', 'A3-25', 45, 'A2-05', 15, 'S7', 240), ('S2', 'A2-25', 35, 'A1-20', 20, None, 90), ('S4', 'A3-10', 30, 'A2-12', 22, None, 16)]"
json_eq "$T/abc.json" "[s['picks_per_day'] for s in d['suggestions']], d['saving_m_per_day']" \
    "([4, 3, 1], 346)"

# --top caps the list; the kept moves are the same, by saving.
expect_status 0 "$WMSCTL" report abc --from 2026-11-01 --to 2026-11-10 --top 2 --json
json_eq "$T/out" "[s['sku'] for s in d['suggestions']], d['saving_m_per_day']" "(['S1', 'S2'], 330)"

# Thresholds: A up to 50 %: S1 (ahead 0) and S2 (ahead 40 %) only.
expect_status 0 "$WMSCTL" report abc --from 2026-11-01 --to 2026-11-10 --a-share 50 --json
json_eq "$T/out" "[i['sku'] for i in d['items'] if i['class_picks'] == 'A'], d['a_share'], d['b_share']" \
    "(['S1', 'S2'], 0.5, 0.95)"

# The default period: the 30 days ending today (WMS_TODAY): S8's rows count.
expect_status 0 "$WMSCTL" report abc --json
json_eq "$T/out" "d['from'], d['to'], d['days'], d['totals']['picks']" "('2026-10-12', '2026-11-10', 30, 107)"
expect_status 0 "$WMSCTL" report abc --days 1 --json
json_eq "$T/out" "d['from'], d['to'], d['totals']['picks']" "('2026-11-10', '2026-11-10', 30)"
expect_status 0 "$WMSCTL" report abc --to 2026-11-11 --days 1 --json
json_eq "$T/out" "d['from'], d['totals']['picks'], d['items'][0]['sku']" "('2026-11-11', 7, 'S8')"

# The readable table.
expect_status 0 "$WMSCTL" report abc --from 2026-11-01 --to 2026-11-10
grep -q '^ABC report 2026-11-01 .. 2026-11-10 (10 days): 9 items, 100 picks, 501 units' "$T/out" &&
    ok || bad "text head: $(cat "$T/out")"
grep -Eq '^A +4 +44\.4% +90\.0% +2 +22\.2% +88\.0%' "$T/out" && ok || bad "text class A: $(cat "$T/out")"
grep -Eq '^ +1 +S1 +4\.00 +A3-25 +45\.00 +A2-05 +15\.00 +S7 +240\.00$' "$T/out" &&
    ok || bad "text move 1: $(cat "$T/out")"
grep -q 'walking saved if moved: 346.00 m per day' "$T/out" && ok || bad "text total: $(cat "$T/out")"

# Bad arguments: exit 2, a message, nothing on stdout.
expect_status 2 "$WMSCTL" report abc --from 2026-11-10 --to 2026-11-01
grep -q 'BAD_ARGS.*after it ends' "$T/err" && ok || bad "from > to: $(cat "$T/err")"
expect_status 2 "$WMSCTL" report abc --from 2026-11-01 --to 2026-11-10 --days 3
expect_status 2 "$WMSCTL" report abc --from 2026-13-01
expect_status 2 "$WMSCTL" report abc --days 0
expect_status 2 "$WMSCTL" report abc --top 0
expect_status 2 "$WMSCTL" report abc --a-share 96 --b-share 90
expect_status 2 "$WMSCTL" report abc --a-share 0
expect_status 2 "$WMSCTL" report nope
expect_status 2 "$WMSCTL" report

# report expiring is the expiring report.
expect_status 0 "$WMSCTL" report expiring --days 10 --json
json_eq "$T/out" "sorted(d.keys())" "['expiring', 'left_behind']"

echo "wmsctl_abc: $passes passed, $fails failed"
[ "$fails" = 0 ]
