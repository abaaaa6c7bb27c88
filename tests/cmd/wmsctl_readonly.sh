#!/bin/bash
# wmsctl_readonly.sh - the commands that only read (backup's source, verify,
# stock, export) open the database read-only: a backup file (rollback
# journal) stays byte for byte what it was, and a database that needs
# migration is refused with a clear message instead of being migrated.
set -u
WMSCTL=${WMSCTL:?set by ctest}
PY=/usr/bin/python3
[ -x "$WMSCTL" ] || { echo "FAIL: $WMSCTL is not built"; exit 1; }
T=$(mktemp -d "${WMS_TMP:-/tmp}/ctl-ro-XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$T"' EXIT
export WMS_DB="$T/wms.db"
. "$(dirname "$0")/harness.inc"

# header_mode FILE: 1 rollback journal, 2 WAL (byte 18 of the header).
header_mode() { $PY -c "import sys; print(open(sys.argv[1], 'rb').read(20)[18])" "$1"; }
digest() { sha256sum "$1" | cut -d' ' -f1; }

expect_status 0 "$WMSCTL" init
printf 'kind,id,x_m,y_m,length_m\ndepot,D,0,,\naisle,A1,0,,20\n' >"$T/layout.csv"
printf 'code,zone,type,aisle,y_m,capacity,blocked\nB1,Z1,pick,A1,2,0,0\n' >"$T/bins.csv"
printf 'sku,description\nS1,one\n' >"$T/items.csv"
printf 'bin,sku,qty\nB1,S1,5\n' >"$T/stock.csv"
for k in layout bins items stock; do expect_status 0 "$WMSCTL" import $k "$T/$k.csv"; done
expect_status 0 "$WMSCTL" backup "$T/b1.db"
[ "$(header_mode "$T/b1.db")" = 1 ] && ok || bad "backup is not in rollback-journal mode"
before=$(digest "$T/b1.db")

# Reading commands on the backup file leave it as it is.
expect_status 0 "$WMSCTL" --db "$T/b1.db" verify
grep -q 'stock matches the journal' "$T/out" && ok || bad "verify: $(cat "$T/out")"
expect_status 0 "$WMSCTL" --db "$T/b1.db" stock --json
json_eq "$T/out" "[(r['bin'], r['sku'], r['qty']) for r in d]" "[('B1', 'S1', 5)]"
expect_status 0 "$WMSCTL" --db "$T/b1.db" export items
grep -q '^S1,' "$T/out" && ok || bad "export: $(cat "$T/out")"
expect_status 0 "$WMSCTL" --db "$T/b1.db" backup "$T/b2.db"
[ "$(header_mode "$T/b1.db")" = 1 ] && ok || bad "reading turned the backup into WAL"
[ "$(digest "$T/b1.db")" = "$before" ] && ok || bad "reading changed the backup file"
[ ! -e "$T/b1.db-journal" ] && ok || bad "a journal was left beside the backup"

# A database that needs migration (here one whose user_version says 3):
# refused read-only, not migrated; the backup still copies it as it is.
# (Real migrations of an old file: tests/engine/store/test_db_readonly.c.)
cp "$T/b1.db" "$T/old.db"
$PY -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version = 3'); c.commit()" "$T/old.db"
old=$(digest "$T/old.db")
expect_status 1 "$WMSCTL" --db "$T/old.db" verify
grep -q 'SCHEMA: .*schema version 3 and needs migration' "$T/err" && ok || bad "verify old: $(cat "$T/err")"
expect_status 1 "$WMSCTL" --db "$T/old.db" stock
[ "$(digest "$T/old.db")" = "$old" ] && ok || bad "a refused read-only open changed the file"
expect_status 0 "$WMSCTL" --db "$T/old.db" backup "$T/old-backup.db"
grep -q 'schema version 3' "$T/out" && ok || bad "backup old: $(cat "$T/out")"
[ "$(digest "$T/old.db")" = "$old" ] && ok || bad "backup changed its old source"

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
