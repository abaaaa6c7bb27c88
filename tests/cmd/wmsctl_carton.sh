#!/bin/bash
# wmsctl_carton.sh - `wmsctl import boxes`, `wmsctl boxes` and `wmsctl
# cartonize` end to end: the JSON proposal is checked by an independent
# validator (inside the box, no overlap, weight limits, every unit once),
# bad box files and items larger than every box are refused and change
# nothing.
set -u
WMSCTL=${WMSCTL:?set by ctest}
PY=/usr/bin/python3
[ -x "$WMSCTL" ] || { echo "FAIL: $WMSCTL is not built"; exit 1; }
T=$(mktemp -d "${WMS_TMP:-/tmp}/ctl-carton-XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$T"' EXIT
export WMS_DB="$T/wms.db"
. "$(dirname "$0")/harness.inc"

cat >"$T/boxes.csv" <<'EOF'
code,length_mm,width_mm,height_mm,max_weight_g,tare_g
S,200,150,100,5000,90
M,300,200,150,10000,150
L,400,300,200,15000,250
EOF
cat >"$T/items.csv" <<'EOF'
sku,description,length_mm,width_mm,height_mm,weight_g
MUG,Mug,120,90,100,350
BOOK,Book,240,170,30,600
SOFT,Soft toy,,,,200
SOFA,Sofa,2000,900,800,40000
PEN,Pen,140,15,15,20
BRICK,Brick,215,102,65,2300
EOF
printf 'customer,name,credit\nCG,Green Grocers,green\n' >"$T/customers.csv"
cat >"$T/orders.csv" <<'EOF'
order,line,customer,sku,qty,ship_name,ship_street,ship_city,ship_postcode,ship_country
SO-1,1,CG,MUG,3,Jane,1 Main St,Springfield,12345,US
SO-1,2,CG,BOOK,2,Jane,1 Main St,Springfield,12345,US
SO-1,3,CG,SOFT,1,Jane,1 Main St,Springfield,12345,US
SO-2,1,CG,SOFA,1,Jane,1 Main St,Springfield,12345,US
SO-2,2,CG,MUG,1,Jane,1 Main St,Springfield,12345,US
SO-3,1,CG,BRICK,9,Jane,1 Main St,Springfield,12345,US
SO-3,2,CG,PEN,25,Jane,1 Main St,Springfield,12345,US
SO-3,3,CG,MUG,7,Jane,1 Main St,Springfield,12345,US
SO-3,4,CG,BOOK,4,Jane,1 Main St,Springfield,12345,US
EOF
expect_status 0 "$WMSCTL" init
for k in items customers orders; do expect_status 0 "$WMSCTL" import "$k" "$T/$k.csv"; done

# ---- box types ---------------------------------------------------------------
expect_status 0 "$WMSCTL" import boxes "$T/boxes.csv"
grep -q 'imported boxes: 3 rows (3 new' "$T/out" && ok || bad "import: $(cat "$T/out")"
expect_status 0 "$WMSCTL" --json import boxes "$T/boxes.csv"
json_eq "$T/out" "d['unchanged'], d['inserted']" "(3, 0)"
expect_status 0 "$WMSCTL" boxes --json
cp "$T/out" "$T/boxes.json"
json_eq "$T/boxes.json" "[(b['code'], b['length_mm'], b['max_weight_g'], b['tare_g']) for b in d]" \
    "[('L', 400, 15000, 250), ('M', 300, 10000, 150), ('S', 200, 5000, 90)]"
expect_status 0 "$WMSCTL" boxes
grep -q '^M  *300  *200  *150  *10000  *150$' "$T/out" && ok || bad "boxes: $(cat "$T/out")"

# Bad files: refused (exit 2) naming the line and column; nothing stored,
# not even their good rows.
bad_boxes() { # CSV WANT...
    local csv=$1
    shift
    printf '%b' "$csv" >"$T/bad.csv"
    expect_status 2 "$WMSCTL" import boxes "$T/bad.csv"
    for w in "$@"; do
        grep -q -- "$w" "$T/err" && ok || bad "bad box file: want '$w' in: $(cat "$T/err")"
    done
    expect_status 0 "$WMSCTL" boxes --json
    cmp -s "$T/out" "$T/boxes.json" && ok || bad "a refused file changed the boxes: $(cat "$T/out")"
}
H='code,length_mm,width_mm,height_mm,max_weight_g,tare_g\n'
bad_boxes "${H}NEW,100,100,100,1000,0\nZERO,0,100,100,1000,0\n" 'line 3' 'length_mm' 'ZERO'
bad_boxes "${H}HUGE,100,10001,100,1000,0\n" 'line 2' 'width_mm' '10 m'
bad_boxes "${H}TON,100,100,100,10000001,0\n" 'max_weight_g' '10 t'
bad_boxes "${H}T,100,100,100,1000,-1\n" 'tare_g'
bad_boxes "${H}T,100,abc,100,1000,0\n" 'column width_mm' 'not a whole number'
bad_boxes 'code,length_mm,width_mm,height_mm\nT,1,1,1\n' 'max_weight_g'
bad_boxes "${H}M,300,200,151,10000,150\n" 'CONFLICT' 'box M' 'update'
# --update changes a box; back to the original.
printf '%b' "${H}M,300,200,151,10000,150\n" >"$T/m.csv"
expect_status 0 "$WMSCTL" import boxes "$T/m.csv" --update
grep -q '1 updated' "$T/out" && ok || bad "update: $(cat "$T/out")"
expect_status 0 "$WMSCTL" import boxes "$T/boxes.csv" --update

# ---- cartonize ---------------------------------------------------------------
# check_proposal FILE ORDER-UNITS: the independent validator.
check_proposal() {
    $PY - "$1" "$2" "$T/boxes.csv" "$T/items.csv" <<'EOF'
import csv, json, sys
d = json.load(open(sys.argv[1]))
want = dict((k, int(v)) for k, v in (x.split('=') for x in sys.argv[2].split(',')))
boxes = {r['code']: r for r in csv.DictReader(open(sys.argv[3]))}
items = {r['sku']: r for r in csv.DictReader(open(sys.argv[4]))}
num = lambda s: int(s) if s else 0
errs, got, vol = [], {}, 0
assert d['box_count'] == len(d['boxes']), 'box_count'
for b in d['boxes']:
    t = boxes[b['box']]
    L = [int(t['length_mm']), int(t['width_mm']), int(t['height_mm'])]
    assert [b['length_mm'], b['width_mm'], b['height_mm']] == L, 'box size'
    vol += L[0] * L[1] * L[2]
    weight, placed = 0, []
    assert b['units'] == len(b['placements']) > 0
    for p in b['placements']:
        it = items[p['sku']]
        got[p['sku']] = got.get(p['sku'], 0) + 1
        weight += num(it['weight_g'])
        dims = sorted(num(it[c]) for c in ('length_mm', 'width_mm', 'height_mm'))
        if not p['placed']:
            if min(dims) > 0:
                errs.append('%s has dimensions but no position' % p['sku'])
            continue
        pos = [p['x_mm'], p['y_mm'], p['z_mm']]
        ext = [p['dx_mm'], p['dy_mm'], p['dz_mm']]
        if sorted(ext) != dims:
            errs.append('%s extents %s' % (p['sku'], ext))
        if any(pos[a] < 0 or pos[a] + ext[a] > L[a] for a in range(3)):
            errs.append('%s at %s sticks out of %s' % (p['sku'], pos, b['box']))
        for q, e in placed:
            if all(pos[a] < q[a] + e[a] and q[a] < pos[a] + ext[a] for a in range(3)):
                errs.append('%s at %s overlaps %s' % (p['sku'], pos, q))
        placed.append((pos, ext))
    if weight > int(t['max_weight_g']):
        errs.append('box %s: %d g over its limit' % (b['box'], weight))
    if b['content_weight_g'] != weight or b['gross_weight_g'] != weight + int(t['tare_g']):
        errs.append('box %s: weights %s' % (b['box'], b))
if got != want:
    errs.append('units %s, want %s' % (got, want))
if d['box_volume_mm3'] != vol or d['units'] != sum(want.values()):
    errs.append('totals')
print('\n'.join(errs) if errs else 'valid')
EOF
}

expect_status 0 "$WMSCTL" cartonize SO-1 --json
cp "$T/out" "$T/so1.json"
[ "$(check_proposal "$T/so1.json" MUG=3,BOOK=2,SOFT=1)" = valid ] && ok ||
    bad "SO-1: $(check_proposal "$T/so1.json" MUG=3,BOOK=2,SOFT=1)"
# 3 mugs + 2 books = 5.7 l: one M (9 l); S (3 l) is too small.
json_eq "$T/so1.json" "d['order'], d['box_count'], [b['box'] for b in d['boxes']]" \
    "('SO-1', 1, ['M'])"
json_eq "$T/so1.json" "d['units_no_dims'], [p['sku'] for b in d['boxes'] for p in b['placements'] if not p['placed']]" \
    "(1, ['SOFT'])"
json_eq "$T/so1.json" "any('weight only' in n and 'SOFT' in n for n in d['notes'])" "True"
# The readable form says the same.
expect_status 0 "$WMSCTL" cartonize SO-1
grep -q '^order SO-1: 1 box for 6 units' "$T/out" && ok || bad "text head: $(cat "$T/out")"
grep -q '^box 1: M 300 x 200 x 150 mm, 6 units' "$T/out" && ok || bad "text box: $(cat "$T/out")"
grep -q 'SOFT .*no dimensions: by weight only' "$T/out" && ok || bad "text soft: $(cat "$T/out")"
grep -q '^note: 1 unit of SOFT without dimensions' "$T/out" && ok || bad "text note: $(cat "$T/out")"

# A larger order: bricks are heavy (9 x 2.3 kg = 20.7 kg > any one box).
expect_status 0 "$WMSCTL" cartonize SO-3 --json
[ "$(check_proposal "$T/out" BRICK=9,PEN=25,MUG=7,BOOK=4)" = valid ] && ok ||
    bad "SO-3: $(check_proposal "$T/out" BRICK=9,PEN=25,MUG=7,BOOK=4)"
json_eq "$T/out" "d['box_count'] >= 2 and d['units_no_dims'] == 0" "True"

# A tote's content by SKU (wms_cartonize_units): 5 books stack into M.
expect_status 0 "$WMSCTL" cartonize --skus BOOK=5 --json
[ "$(check_proposal "$T/out" BOOK=5)" = valid ] && ok || bad "skus: $(check_proposal "$T/out" BOOK=5)"
json_eq "$T/out" "'order' in d, [b['box'] for b in d['boxes']]" "(False, ['M'])"
expect_status 2 "$WMSCTL" cartonize --skus GHOST=1
grep -q 'NOT_FOUND.*GHOST' "$T/err" && ok || bad "ghost: $(cat "$T/err")"
expect_status 2 "$WMSCTL" cartonize --skus BOOK=0
expect_status 2 "$WMSCTL" cartonize --skus BOOK

# Errors: the sofa fits no box (exit 2, named), unknown order; no output.
expect_status 2 "$WMSCTL" cartonize SO-2 --json
grep -q 'ITEM_TOO_LARGE: order SO-2: item SOFA (2000 x 900 x 800 mm' "$T/err" && ok ||
    bad "sofa: $(cat "$T/err")"
[ -s "$T/out" ] && bad "output on error: $(cat "$T/out")" || ok
expect_status 2 "$WMSCTL" cartonize NOPE
grep -q 'NOT_FOUND.*NOPE' "$T/err" && ok || bad "nope: $(cat "$T/err")"
expect_status 2 "$WMSCTL" cartonize
expect_status 2 "$WMSCTL" cartonize SO-1 SO-3

# Cartonizing changed nothing.
expect_status 0 "$WMSCTL" boxes --json
cmp -s "$T/out" "$T/boxes.json" && ok || bad "boxes changed: $(cat "$T/out")"
expect_status 0 "$WMSCTL" order show SO-1 --json
json_eq "$T/out" "d['status']" "released"
expect_status 0 "$WMSCTL" verify

echo "wmsctl_carton: $passes passed, $fails failed"
[ "$fails" = 0 ]
