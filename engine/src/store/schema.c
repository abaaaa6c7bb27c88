/*
 * schema.c - the database schema as an ordered list of migrations.
 *
 * PRAGMA user_version holds the number of migrations applied.  A migration
 * is never edited once released: changes are new entries at the end.
 */
#include "store/schema.h"

#include <stddef.h>

/* clang-format off */
static const char *const migrations[] = {
/* 1: catalog, locations, stock and the movement journal */
"CREATE TABLE meta ("
"  name TEXT PRIMARY KEY,"
"  value INTEGER NOT NULL"
");"
"CREATE TABLE items ("
"  id INTEGER PRIMARY KEY,"
"  sku TEXT NOT NULL UNIQUE CHECK (length(sku) BETWEEN 1 AND 64),"
"  description TEXT NOT NULL DEFAULT '',"
"  uom TEXT NOT NULL DEFAULT 'EA',"
"  length_mm INTEGER CHECK (length_mm IS NULL OR length_mm > 0),"
"  width_mm INTEGER CHECK (width_mm IS NULL OR width_mm > 0),"
"  height_mm INTEGER CHECK (height_mm IS NULL OR height_mm > 0),"
"  weight_g INTEGER CHECK (weight_g IS NULL OR weight_g > 0),"
"  shelf_life_days INTEGER CHECK (shelf_life_days IS NULL OR shelf_life_days >= 0)"
");"
"CREATE TABLE packs ("
"  item_id INTEGER NOT NULL REFERENCES items(id),"
"  level TEXT NOT NULL CHECK (level IN ('each','inner','case','pallet')),"
"  units INTEGER NOT NULL CHECK (units > 0),"
"  PRIMARY KEY (item_id, level)"
") WITHOUT ROWID;"
"CREATE TABLE barcodes ("
"  code TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 128),"
"  item_id INTEGER NOT NULL REFERENCES items(id),"
"  level TEXT NOT NULL CHECK (level IN ('each','inner','case','pallet')),"
"  internal INTEGER NOT NULL DEFAULT 0,"
"  PRIMARY KEY (code, item_id)"
") WITHOUT ROWID;"
"CREATE INDEX barcodes_item ON barcodes(item_id);"
"CREATE TABLE layout ("
"  kind TEXT NOT NULL CHECK (kind IN ('depot','aisle','cross')),"
"  id TEXT NOT NULL,"
"  x_m REAL, y_m REAL, length_m REAL,"
"  PRIMARY KEY (kind, id)"
") WITHOUT ROWID;"
"CREATE TABLE bins ("
"  id INTEGER PRIMARY KEY,"
"  code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 64),"
"  zone TEXT NOT NULL,"
"  type TEXT NOT NULL CHECK (type IN ('pick','reserve','staging','dock','quarantine')),"
"  aisle TEXT NOT NULL,"
"  y_m REAL NOT NULL,"
"  level INTEGER NOT NULL DEFAULT 0,"
"  capacity INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),"
"  blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0,1))"
");"
"CREATE INDEX bins_zone ON bins(zone, type);"
"CREATE TABLE stock ("
"  bin_id INTEGER NOT NULL REFERENCES bins(id),"
"  item_id INTEGER NOT NULL REFERENCES items(id),"
"  lot TEXT NOT NULL DEFAULT '',"
"  expiry TEXT NOT NULL DEFAULT '',"
"  status TEXT NOT NULL CHECK (status IN ('available','hold','quarantine')),"
"  qty INTEGER NOT NULL CHECK (qty >= 0),"
"  PRIMARY KEY (bin_id, item_id, lot, expiry, status)"
") WITHOUT ROWID;"
"CREATE INDEX stock_item ON stock(item_id, expiry);"
/* Append-only: one row per movement; on-hand = sum(to) - sum(from). */
"CREATE TABLE journal ("
"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
"  ts TEXT NOT NULL,"
"  user TEXT NOT NULL,"
"  device TEXT NOT NULL,"
"  kind TEXT NOT NULL,"
"  item_id INTEGER NOT NULL REFERENCES items(id),"
"  lot TEXT NOT NULL,"
"  expiry TEXT NOT NULL,"
"  from_bin_id INTEGER REFERENCES bins(id),"
"  from_status TEXT,"
"  to_bin_id INTEGER REFERENCES bins(id),"
"  to_status TEXT,"
"  qty INTEGER NOT NULL CHECK (qty > 0),"
"  reason TEXT NOT NULL DEFAULT '',"
"  txn TEXT NOT NULL DEFAULT '',"
"  CHECK (from_bin_id IS NOT NULL OR to_bin_id IS NOT NULL)"
");"
"CREATE INDEX journal_item ON journal(item_id, kind);"
"CREATE INDEX journal_from ON journal(from_bin_id) WHERE from_bin_id IS NOT NULL;"
"CREATE INDEX journal_to ON journal(to_bin_id) WHERE to_bin_id IS NOT NULL;"
"CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal"
"  BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;"
"CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal"
"  BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;",
/* 2: users, exactly-once txn outcomes, receipts (ASN), cycle counts */
"CREATE TABLE users ("
"  id INTEGER PRIMARY KEY,"
"  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 32),"
"  role TEXT NOT NULL CHECK (role IN ('picker','receiver','supervisor','admin')),"
"  pin_hash TEXT NOT NULL,"
"  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0,1)),"
"  created TEXT NOT NULL"
");"
/* Failed logins per device (and per user): slows down PIN guessing. */
"CREATE TABLE login_failures ("
"  key TEXT PRIMARY KEY,"        /* 'device:RF-01' or 'user:alice' */
"  failures INTEGER NOT NULL,"
"  last_ms INTEGER NOT NULL"
") WITHOUT ROWID;"
/* The outcome of each device's recent state-changing calls (by txn id). */
"CREATE TABLE txn_outcomes ("
"  device TEXT NOT NULL,"
"  txn TEXT NOT NULL,"
"  ts_ms INTEGER NOT NULL,"
"  method TEXT NOT NULL,"
"  outcome BLOB NOT NULL,"        /* msgpack [error, result] as first answered */
"  PRIMARY KEY (device, txn)"
") WITHOUT ROWID;"
"CREATE INDEX txn_outcomes_ts ON txn_outcomes(ts_ms);"
/* Receipts: optional expected lists (ASN) with over/under tolerance. */
"CREATE TABLE receipts ("
"  id INTEGER PRIMARY KEY,"
"  ref TEXT NOT NULL UNIQUE,"
"  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),"
"  tolerance_pct REAL NOT NULL DEFAULT 0 CHECK (tolerance_pct >= 0),"
"  opened TEXT NOT NULL,"
"  closed TEXT"
");"
"CREATE TABLE receipt_lines ("
"  receipt_id INTEGER NOT NULL REFERENCES receipts(id),"
"  item_id INTEGER NOT NULL REFERENCES items(id),"
"  expected INTEGER NOT NULL DEFAULT 0 CHECK (expected >= 0),"
"  received INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0),"
"  PRIMARY KEY (receipt_id, item_id)"
") WITHOUT ROWID;"
/* Cycle counts of one bin.  journal_pos: the last journal id when the count
 * started; movements after it are reconciled at submit. */
"CREATE TABLE counts ("
"  id INTEGER PRIMARY KEY,"
"  bin_id INTEGER NOT NULL REFERENCES bins(id),"
"  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN "
"    ('open','counting','pending_approval','done','rejected')),"
"  reason TEXT NOT NULL DEFAULT '',"
"  created TEXT NOT NULL,"
"  assigned_to TEXT,"
"  journal_pos INTEGER,"
"  submitted TEXT"
");"
"CREATE INDEX counts_status ON counts(status, bin_id);"
"CREATE TABLE count_lines ("
"  count_id INTEGER NOT NULL REFERENCES counts(id),"
"  item_id INTEGER NOT NULL REFERENCES items(id),"
"  lot TEXT NOT NULL DEFAULT '',"
"  expiry TEXT NOT NULL DEFAULT '',"
"  expected INTEGER NOT NULL,"    /* system quantity at the count's start */
"  counted INTEGER NOT NULL,"
"  PRIMARY KEY (count_id, item_id, lot, expiry)"
") WITHOUT ROWID;",
};
/* clang-format on */

int schema__count(void)
{
    return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

const char *schema__migration(int i)
{
    return (i >= 0 && i < schema__count()) ? migrations[i] : NULL;
}
