#!/bin/sh
# demo.sh - a generated demo warehouse driven through wmsctl.
# Usage: scripts/demo.sh BUILD_DIR   (make demo calls it after building)
set -eu
BUILD=${1:-build}
CTL="$BUILD/wmsctl"
OUT=demo-out
rm -rf "$OUT"
mkdir -p "$OUT"
export WMS_DB="$OUT/wms.db"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ wmsctl %s\n' "$*"; "$CTL" "$@"; }

step "A fresh database and a generated warehouse (seed 7)"
run init
run demo-data --seed 7 --bins 600 --items 200 --orders 300 --out "$OUT/data" >/dev/null
for k in layout items packs barcodes bins stock; do run import "$k" "$OUT/data/$k.csv"; done

step "What a scanner sends, and what it means"
CASE=$(awk -F, '$3=="case"{print $1; exit}' "$OUT/data/barcodes.csv")
UNIT=$(awk -F, -v c="$CASE" '$3=="each" && substr($1,1,12)==substr(c,2,12){print $1; exit}' \
    "$OUT/data/barcodes.csv")
GS1="]C101${CASE}17271231102611A"
run barcode parse "$GS1" --json
run barcode resolve "$GS1"
[ -n "$UNIT" ] && run barcode resolve "$UNIT"

step "Receiving: 3 cases of that GS1 code into a reserve bin, then a unit scan"
BIN=$(awk -F, '$3=="reserve" && $8!="1"{print $1; exit}' "$OUT/data/bins.csv")
run receive --bin "$BIN" --code "$GS1" --qty 3
[ -n "$UNIT" ] && run receive --bin "$BIN" --code "$UNIT" --lot 2611A --expiry 2027-12-31
printf '$ wmsctl receive (an expired lot)\n'
"$CTL" receive --bin "$BIN" --code "]C101${CASE}17240101102401X" || true
run stock --bin "$BIN"

step "Labels for items without a manufacturer code (GS1 restricted-circulation numbers)"
NOCODE=$(awk -F, 'NR==FNR{if(FNR>1)has[$2]=1; next} FNR>1 && !has[$1]{print $1; exit}' \
    "$OUT/data/barcodes.csv" "$OUT/data/items.csv")
if [ -n "$NOCODE" ]; then
    run label "$NOCODE" --png "$OUT/label-$NOCODE.png" --svg "$OUT/label-$NOCODE.svg" | head -12
    echo "   ... (ZPL continues; previews in $OUT/)"
fi

step "Lots expiring within 30 days, and old stock left behind"
run expiring --days 10

step "The journal recomputes every quant"
run verify
printf '\nDemo database: %s   (try: %s --db %s stock --json)\n' "$WMS_DB" "$CTL" "$WMS_DB"

# A simulated hour in about a minute: wms-sim builds its own warehouse in
# demo-out/sim, starts wmsd on it, and lets virtual handhelds (one on a
# serial line) work with faults and a server kill; exit 1 if its ledger
# check fails.
step "A simulated hour of picking and receiving: wms-sim drives wmsd (about a minute)"
SIMARGS="--seed 7 --pickers 6 --serial-pickers 1 --receivers 2 --duration 3600 --speed 60"
SIMARGS="$SIMARGS --chaos-restart --set restart_every=1200"
printf '$ wms-sim %s --workdir %s/sim --report %s/sim/report\n' "$SIMARGS" "$OUT" "$OUT"
# shellcheck disable=SC2086
"$BUILD/wms-sim" $SIMARGS --workdir "$OUT/sim" --report "$OUT/sim/report"
printf '\nSimulator report: %s/sim/report/report.html\n' "$OUT"
