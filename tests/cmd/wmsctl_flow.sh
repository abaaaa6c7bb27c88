#!/bin/bash
# wmsctl_flow.sh - the admin command line end to end: exit statuses, JSON,
# imports with rollback, receiving, verify, labels.
set -u
WMSCTL=${WMSCTL:?set by ctest}
PY=/usr/bin/python3
[ -x "$WMSCTL" ] || { echo "FAIL: $WMSCTL is not built"; exit 1; }
T=$(mktemp -d "${WMS_TMP:-/tmp}/ctl-XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$T"' EXIT
export WMS_DB="$T/wms.db" WMS_TODAY=2026-11-23
. "$(dirname "$0")/harness.inc"

expect_status 0 "$WMSCTL" init
cat >"$T/layout.csv" <<'CSV'
kind,id,x_m,y_m,length_m
depot,D,0,,
aisle,A1,0,,20
aisle,A2,5,,20
CSV
cat >"$T/bins.csv" <<'CSV'
code,zone,type,aisle,y_m,capacity
P1,Z1,pick,A1,2,100
R1,Z1,reserve,A2,10,
CSV
printf 'sku,description\nA,"Apple juice, 1l"\nB,Bolts\n' >"$T/items.csv"
printf 'sku,level,units\nA,case,24\n' >"$T/packs.csv"
printf 'code,sku,level\n4006381333931,A,each\n14006381333938,A,case\n' >"$T/barcodes.csv"
for k in layout bins items packs barcodes; do expect_status 0 "$WMSCTL" import $k "$T/$k.csv"; done

# barcode parse: JSON keys as documented; invalid input exits 2 with one line on stderr.
expect_status 0 "$WMSCTL" barcode parse '(01)14006381333938(17)270630(10)LOT-7(37)3' --json
cp "$T/out" "$T/parse.json"
json_eq "$T/parse.json" "d['gtin'], d['lot'], d['expiry'], d['count'], d['ais']['17']" \
    "('14006381333938', 'LOT-7', '2027-06-30', 3, '270630')"
expect_status 2 "$WMSCTL" barcode parse '(01)14006381333939' --json
[ "$(wc -l <"$T/err")" = 1 ] && ok || bad "parse error should be one line: $(cat "$T/err")"
grep -q BAD_CHECK_DIGIT "$T/err" && ok || bad "parse error names the check digit: $(cat "$T/err")"

# resolve: the case code books 24.
expect_status 0 "$WMSCTL" barcode resolve 14006381333938 --json
cp "$T/out" "$T/res.json"
json_eq "$T/res.json" "d['kind'], d['qty'], d['items'][0]['sku'], d['items'][0]['level']" \
    "('item', 24, 'A', 'case')"
expect_status 2 "$WMSCTL" barcode resolve 9501101530003
grep -q UNKNOWN_CODE "$T/err" && ok || bad "unknown code: $(cat "$T/err")"

# receive: 2 cases = 48 units; an expired lot is refused.
expect_status 0 "$WMSCTL" receive --bin R1 --code 14006381333938 --qty 2 --lot L1 --expiry 2027-01-31
expect_status 2 "$WMSCTL" receive --bin R1 --code '(01)14006381333938(17)261101(10)OLD'
grep -q EXPIRED_LOT "$T/err" && ok || bad "expired lot: $(cat "$T/err")"
expect_status 0 "$WMSCTL" move --from R1 --to P1 --item A --qty 10
expect_status 0 "$WMSCTL" stock --json
cp "$T/out" "$T/stock.json"
json_eq "$T/stock.json" "sorted((r['bin'], r['qty']) for r in d)" "[('P1', 10), ('R1', 38)]"

# A bad import row rolls back the whole file and names line and column.
printf 'bin,sku,qty\nP1,B,5\nR1,B,x\n' >"$T/stock.csv"
expect_status 2 "$WMSCTL" import stock "$T/stock.csv"
grep -q "line 3" "$T/err" && grep -q "qty" "$T/err" && ok || bad "import error: $(cat "$T/err")"
expect_status 0 "$WMSCTL" stock --item B --json
[ "$(tr -d ' \n' <"$T/out")" = "[]" ] && ok || bad "rolled-back import left stock: $(cat "$T/out")"

# verify: clean, then detects tampering (exit 1).
expect_status 0 "$WMSCTL" verify
$PY -c "import sqlite3; c=sqlite3.connect('$WMS_DB'); c.execute('UPDATE stock SET qty=qty+1'); c.commit()"
expect_status 1 "$WMSCTL" verify --json
cp "$T/out" "$T/verify.json"
json_eq "$T/verify.json" "d['ok'], len(d['differences'])" "(False, 2)"

# label: B has no code -> internal GS1 RCN (prefix 20) with a PNG and SVG preview.
expect_status 0 "$WMSCTL" label B --png "$T/b.png" --svg "$T/b.svg"
grep -q '^\^XA' "$T/out" && grep -q '\^BE' "$T/out" && ok || bad "label ZPL: $(head -c 300 "$T/out")"
grep -q 'internal code 20' "$T/err" && ok || bad "internal code note: $(cat "$T/err")"
head -c 4 "$T/b.png" | od -c | grep -q 'P   N   G' && ok || bad "PNG preview"
grep -q '<svg' "$T/b.svg" && ok || bad "SVG preview"
code1=$(sed -n 's/.*internal code \([0-9]*\).*/\1/p' "$T/err")
expect_status 0 "$WMSCTL" label B
code2=$(sed -n 's/.*internal code \([0-9]*\).*/\1/p' "$T/err")
[ -n "$code1" ] && [ "$code1" = "$code2" ] && ok || bad "internal code stable: '$code1' vs '$code2'"
expect_status 0 "$WMSCTL" barcode resolve "$code1" --json
cp "$T/out" "$T/res2.json"
json_eq "$T/res2.json" "d['items'][0]['sku']" "B"

# usage errors
expect_status 2 "$WMSCTL" frobnicate
expect_status 2 "$WMSCTL" receive --bin R1
expect_status 2 "$WMSCTL" receive --bin R1 --code 4006381333931 --qty -4

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
