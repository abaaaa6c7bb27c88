#!/bin/bash
# wmsctl_order.sh - customers and orders from CSV, order review holds, gift
# rules, order show|list|release|cancel, exit statuses and JSON.
set -u
WMSCTL=${WMSCTL:?set by ctest}
PY=/usr/bin/python3
[ -x "$WMSCTL" ] || { echo "FAIL: $WMSCTL is not built"; exit 1; }
T=$(mktemp -d "${WMS_TMP:-/tmp}/ctl-order-XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$T"' EXIT
export WMS_DB="$T/wms.db" WMS_TODAY=2026-11-23
. "$(dirname "$0")/harness.inc"
sql() { $PY -c "import sqlite3,sys; c=sqlite3.connect('$WMS_DB'); r=c.execute(sys.argv[1]).fetchall(); c.commit(); print(r[0][0] if r else '')" "$1"; }

expect_status 0 "$WMSCTL" init
printf 'kind,id,x_m,y_m,length_m\ndepot,D,0,,\naisle,A1,0,,20\naisle,A2,5,,20\n' >"$T/layout.csv"
printf 'code,zone,type,aisle,y_m\nP1,Z1,pick,A1,2\nR1,Z1,reserve,A2,10\n' >"$T/bins.csv"
printf 'sku,description\nA,Apple juice\nB,Bolts\nG,Gift mug\n' >"$T/items.csv"
printf 'bin,sku,lot,expiry,qty\nP1,A,L1,2027-06-30,50\nR1,G,,,60\n' >"$T/stock.csv"
cat >"$T/customers.csv" <<'CSV'
customer,name,credit,hold_value
CG,"Green Grocers, Ltd",green,
CY,Yellow Yachts,yellow,100.00
CR,Red Rabbits,red,
CSV
for k in layout bins items stock customers; do expect_status 0 "$WMSCTL" import $k "$T/$k.csv"; done

# A gift rule: 1 mug per unit of A while more than 50 mugs are available.
expect_status 0 "$WMSCTL" gift add A G --per 1 --safety 50 --json
json_eq "$T/out" "d['id']" "1"
expect_status 2 "$WMSCTL" gift add A A --per 1
expect_status 2 "$WMSCTL" gift add A G
expect_status 2 "$WMSCTL" gift add A NOPE --per 1
grep -q NOT_FOUND "$T/err" && ok || bad "gift add unknown item: $(cat "$T/err")"

# Orders: SO-1's lines are not consecutive; SO-3 lacks a city; CR is red;
# CY's order of 150.00 is above its 100.00 limit.
cat >"$T/orders.csv" <<'CSV'
order,line,customer,sku,qty,priority,carrier,cutoff,ship_name,ship_street,ship_city,ship_postcode,ship_country,unit_price
SO-1,1,CG,A,5,2,DHL,2026-11-23T14:00:00+01:00,Jane,1 Main St,Springfield,12345,US,1.50
SO-2,1,CR,B,1,,UPS,,Joe,2 Side St,Shelbyville,54321,US,
SO-1,2,CG,B,2,2,DHL,2026-11-23T14:00:00+01:00,Jane,1 Main St,Springfield,12345,US,
SO-3,1,CG,B,4,,UPS,,Ann,3 Hill Rd,,99999,US,
SO-4,1,CY,B,3,,UPS,,Yves,4 Bay Rd,Port,11111,FR,50
CSV
expect_status 0 "$WMSCTL" import orders "$T/orders.csv" --json
json_eq "$T/out" "d['rows'], d['inserted'], d['unchanged']" "(5, 4, 0)"

expect_status 0 "$WMSCTL" order show SO-1 --json
cp "$T/out" "$T/so1.json"
json_eq "$T/so1.json" "d['status'], d['priority'], d['carrier'], d['value'], d['line_count']" \
    "('released', 2, 'DHL', 7.5, 3)"
json_eq "$T/so1.json" "[(l['line'], l['sku'], l['qty'], l['gift_rule_id']) for l in d['lines']]" \
    "[(1, 'A', 5, None), (2, 'B', 2, None), (3, 'G', 5, 1)]"
json_eq "$T/so1.json" "[(h['kind'], h['status']) for h in d['history']]" \
    "[('order.status', 'received'), ('order.status', 'released')]"
json_eq "$T/so1.json" "d['history'][0]['device'], d['cutoff_ms']" "('wmsctl', 1795438800000)"

expect_status 0 "$WMSCTL" order show SO-2
grep -q 'held for  customer CR has credit class red' "$T/out" && ok || bad "show SO-2: $(cat "$T/out")"
grep -q 'order.hold' "$T/out" && ok || bad "show SO-2 history: $(cat "$T/out")"
expect_status 0 "$WMSCTL" order list --status held --json
json_eq "$T/out" "[(o['order'], o['hold_reason']) for o in d]" \
    "[('SO-2', 'customer CR has credit class red'), ('SO-3', 'ship-to incomplete: city missing'), ('SO-4', 'order value 150.00 above the 100.00 limit of yellow customer CY')]"
expect_status 0 "$WMSCTL" order list
grep -q '^4 order(s)' "$T/out" && ok || bad "order list: $(cat "$T/out")"
expect_status 2 "$WMSCTL" order list --status lost

# Re-importing the same file changes nothing.
expect_status 0 "$WMSCTL" import orders "$T/orders.csv"
grep -q '(0 new, 0 updated, 4 unchanged)' "$T/out" && ok || bad "re-import: $(cat "$T/out")"

# Disagreeing header fields: exit 2, line and column named, nothing imported.
cat >"$T/bad.csv" <<'CSV'
order,line,customer,sku,qty,carrier
SO-5,1,CG,A,1,DHL
SO-6,1,CG,A,1,DHL
SO-5,2,CG,B,1,UPS
CSV
expect_status 2 "$WMSCTL" import orders "$T/bad.csv"
grep -q 'line 4, column carrier' "$T/err" && grep -q 'nothing was imported' "$T/err" && ok ||
    bad "disagreeing header: $(cat "$T/err")"
[ "$(sql 'SELECT count(*) FROM orders')" = 4 ] && ok || bad "bad import left orders"
printf 'order,line,customer,sku,qty\nSO-5,1,CG,A,1\nSO-5,2,CG,NOPE,1\n' >"$T/bad2.csv"
expect_status 2 "$WMSCTL" import orders "$T/bad2.csv"
grep -q 'line 3, column sku' "$T/err" && ok || bad "bad sku: $(cat "$T/err")"
printf 'order,line,customer,sku,qty\nSO-1,1,CG,A,5\n' >"$T/dup.csv"
expect_status 2 "$WMSCTL" import orders "$T/dup.csv"
grep -q 'CONFLICT' "$T/err" && grep -q 'order SO-1' "$T/err" && ok || bad "changed order: $(cat "$T/err")"

# Release and cancel.
expect_status 0 "$WMSCTL" order release SO-2 --user sue --device RF-09
expect_status 2 "$WMSCTL" order release SO-2
grep -q 'CONFLICT' "$T/err" && ok || bad "release twice: $(cat "$T/err")"
expect_status 2 "$WMSCTL" order release NOPE
grep -q 'NOT_FOUND' "$T/err" && ok || bad "release unknown: $(cat "$T/err")"
expect_status 0 "$WMSCTL" order show SO-2 --json
json_eq "$T/out" "[(h['kind'], h['status']) for h in d['history']], d['history'][-1]['user'], d['history'][-1]['device']" \
    "([('order.status', 'received'), ('order.status', 'held'), ('order.hold', ''), ('order.status', 'released')], 'sue', 'RF-09')"
expect_status 0 "$WMSCTL" order cancel SO-3 --reason 'customer called'
expect_status 0 "$WMSCTL" order show SO-3 --json
json_eq "$T/out" "d['status'], d['history'][-1]['detail']" "('cancelled', 'cancelled: customer called')"
expect_status 2 "$WMSCTL" order cancel SO-3

# Cancelling an allocated order gives its reservation back.
sql "INSERT INTO allocations(order_id, line, bin_id, item_id, lot, expiry, qty) SELECT o.id, 1, b.id, i.id, 'L1', '2027-06-30', 5 FROM orders o, bins b, items i WHERE o.ref = 'SO-1' AND b.code = 'P1' AND i.sku = 'A'" >/dev/null
sql "UPDATE stock SET reserved = 5 WHERE lot = 'L1'" >/dev/null
sql "UPDATE orders SET status = 'allocated' WHERE ref = 'SO-1'" >/dev/null
expect_status 0 "$WMSCTL" order cancel SO-1
[ "$(sql "SELECT reserved FROM stock WHERE lot = 'L1'")" = 0 ] && ok || bad "reservation not given back"
[ "$(sql "SELECT status FROM allocations")" = cancelled ] && ok || bad "allocation not cancelled"

# The gift rule switches itself off when the mugs would fall to 50 or below
# (60 unreserved, 5 owed to SO-1 before it was cancelled, now 0).
printf 'order,line,customer,sku,qty,ship_name,ship_street,ship_city,ship_postcode,ship_country\nSO-9,1,CG,A,10,N,S,C,P,DE\n' >"$T/so9.csv"
expect_status 0 "$WMSCTL" import orders "$T/so9.csv"
expect_status 0 "$WMSCTL" order show SO-9 --json
json_eq "$T/out" "d['line_count'], [h['kind'] for h in d['history']]" \
    "(1, ['order.status', 'gift.rule', 'order.status'])"
json_eq "$T/out" "d['history'][1]['detail'].startswith('gift rule 1 off: available 50 of G at or below safety level 50')" "True"
expect_status 0 "$WMSCTL" gift list --json
json_eq "$T/out" "[(g['id'], g['product'], g['gift'], g['active'], g['unreserved'], g['owed']) for g in d]" \
    "[(1, 'A', 'G', False, 60, 0)]"
expect_status 0 "$WMSCTL" gift on 1
grep -q 'gift rule 1 switched on' "$T/out" && ok || bad "gift on: $(cat "$T/out")"
expect_status 0 "$WMSCTL" gift list
grep -q ' on ' "$T/out" && ok || bad "gift list: $(cat "$T/out")"
expect_status 2 "$WMSCTL" gift on 42
expect_status 2 "$WMSCTL" gift on x

# Export orders and customers; importing them back changes nothing.
expect_status 0 "$WMSCTL" export orders
cp "$T/out" "$T/orders_export.csv"
head -1 "$T/orders_export.csv" | grep -q '^order,line,customer,sku,qty,priority' && ok ||
    bad "orders export header: $(head -1 "$T/orders_export.csv")"
grep -q ',G,' "$T/orders_export.csv" && bad "gift lines exported" || ok
expect_status 0 "$WMSCTL" import orders "$T/orders_export.csv" --json
json_eq "$T/out" "d['inserted'], d['unchanged']" "(0, 5)"
expect_status 0 "$WMSCTL" export customers --json
json_eq "$T/out" "[(c['customer'], c['hold_value']) for c in d]" "[('CG', None), ('CR', None), ('CY', 100.0)]"

# Usage errors.
expect_status 2 "$WMSCTL" order
expect_status 2 "$WMSCTL" order show
expect_status 2 "$WMSCTL" order frob SO-1
expect_status 2 "$WMSCTL" order show NOPE
expect_status 0 "$WMSCTL" verify

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
