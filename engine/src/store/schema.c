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
