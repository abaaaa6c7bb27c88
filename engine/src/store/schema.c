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
/* 3: customers, orders and their status history, gift rules, allocations
 * (stock reservations), waves and tasks (picks, replenishments). */
"ALTER TABLE stock ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0"
"  CHECK (reserved >= 0 AND reserved <= qty);"
"CREATE TABLE customers ("
"  id INTEGER PRIMARY KEY,"
"  code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 64),"
"  name TEXT NOT NULL DEFAULT '',"
"  credit TEXT NOT NULL CHECK (credit IN ('green','yellow','red')),"
"  hold_value_cents INTEGER CHECK (hold_value_cents IS NULL OR hold_value_cents >= 0)"
");"
"CREATE TABLE orders ("
"  id INTEGER PRIMARY KEY,"
"  ref TEXT NOT NULL UNIQUE CHECK (length(ref) BETWEEN 1 AND 64),"
"  customer_id INTEGER NOT NULL REFERENCES customers(id),"
"  priority INTEGER NOT NULL DEFAULT 3,"      /* 1 = most urgent */
"  carrier TEXT NOT NULL DEFAULT '',"
"  cutoff TEXT NOT NULL DEFAULT '',"           /* ISO 8601 with offset, as given */
"  cutoff_ms INTEGER,"                          /* UTC ms, for ordering */
"  ship_name TEXT NOT NULL DEFAULT '', ship_street TEXT NOT NULL DEFAULT '',"
"  ship_city TEXT NOT NULL DEFAULT '', ship_postcode TEXT NOT NULL DEFAULT '',"
"  ship_country TEXT NOT NULL DEFAULT '',"
"  short_policy TEXT NOT NULL DEFAULT 'ship_short' CHECK (short_policy IN "
"    ('ship_short','backorder')),"
"  status TEXT NOT NULL CHECK (status IN ('received','held','released','allocated',"
"    'picking','picked','packed','shipped','short','cancelled')),"
"  hold_reason TEXT NOT NULL DEFAULT '',"
"  wave_id INTEGER,"
"  created TEXT NOT NULL"
");"
"CREATE INDEX orders_status ON orders(status, cutoff_ms, priority);"
"CREATE TABLE order_lines ("
"  order_id INTEGER NOT NULL REFERENCES orders(id),"
"  line INTEGER NOT NULL,"
"  item_id INTEGER NOT NULL REFERENCES items(id),"
"  qty INTEGER NOT NULL CHECK (qty > 0),"
"  unit_price_cents INTEGER NOT NULL DEFAULT 0 CHECK (unit_price_cents >= 0),"
"  min_shelf_life_days INTEGER CHECK (min_shelf_life_days IS NULL OR min_shelf_life_days >= 0),"
"  gift_rule_id INTEGER,"                       /* set on lines a gift rule added */
"  allocated INTEGER NOT NULL DEFAULT 0 CHECK (allocated >= 0),"
"  picked INTEGER NOT NULL DEFAULT 0 CHECK (picked >= 0),"
"  short INTEGER NOT NULL DEFAULT 0 CHECK (short >= 0),"
"  backordered INTEGER NOT NULL DEFAULT 0 CHECK (backordered >= 0),"
"  PRIMARY KEY (order_id, line)"
") WITHOUT ROWID;"
"CREATE INDEX order_lines_item ON order_lines(item_id);"
"CREATE INDEX orders_customer ON orders(customer_id, id);"
"CREATE INDEX order_lines_gift ON order_lines(item_id) WHERE gift_rule_id IS NOT NULL;"
/* Status history and events (order status changes, holds, shorts, gift
 * rule switches, replenishment alerts): what events.subscribe pushes. */
"CREATE TABLE events ("
"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
"  ts TEXT NOT NULL,"
"  kind TEXT NOT NULL,"                         /* order.status, order.hold, pick.short, ... */
"  order_id INTEGER REFERENCES orders(id),"
"  status TEXT,"                                /* the order's new status, for order.status */
"  detail TEXT NOT NULL DEFAULT '',"
"  user TEXT NOT NULL DEFAULT '',"
"  device TEXT NOT NULL DEFAULT ''"
");"
"CREATE INDEX events_order ON events(order_id, id);"
"CREATE TABLE gift_rules ("
"  id INTEGER PRIMARY KEY,"
"  product_id INTEGER NOT NULL REFERENCES items(id),"
"  gift_id INTEGER NOT NULL REFERENCES items(id),"
"  per_unit INTEGER NOT NULL CHECK (per_unit > 0),"  /* gift units per product unit */
"  safety_level INTEGER NOT NULL DEFAULT 0 CHECK (safety_level >= 0),"
"  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1))"
");"
"CREATE TABLE waves ("
"  id INTEGER PRIMARY KEY,"
"  status TEXT NOT NULL CHECK (status IN ('planned','released','done','cancelled')),"
"  method TEXT NOT NULL CHECK (method IN ('discrete','batch','zone','sort')),"
"  created TEXT NOT NULL,"
"  released TEXT,"
"  summary TEXT NOT NULL DEFAULT '{}'"          /* JSON: orders, lines, units, totes, ... */
");"
/* A reservation of stock for one order line, from one quant. */
"CREATE TABLE allocations ("
"  id INTEGER PRIMARY KEY,"
"  order_id INTEGER NOT NULL REFERENCES orders(id),"
"  line INTEGER NOT NULL,"
"  bin_id INTEGER NOT NULL REFERENCES bins(id),"
"  item_id INTEGER NOT NULL REFERENCES items(id),"
"  lot TEXT NOT NULL, expiry TEXT NOT NULL,"
"  qty INTEGER NOT NULL CHECK (qty > 0),"
"  picked INTEGER NOT NULL DEFAULT 0 CHECK (picked >= 0 AND picked <= qty),"
"  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','picked','short','cancelled')),"
"  wave_id INTEGER REFERENCES waves(id)"
");"
"CREATE INDEX allocations_order ON allocations(order_id, line);"
"CREATE INDEX allocations_quant ON allocations(bin_id, item_id, lot, expiry);"
/* Work for the floor: picks (route order: tour, seq), replenishments
 * (sequenced before the picks that need them), counts. */
"CREATE TABLE tasks ("
"  id INTEGER PRIMARY KEY,"
"  wave_id INTEGER REFERENCES waves(id),"
"  kind TEXT NOT NULL CHECK (kind IN ('pick','replenish')),"
"  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN "
"    ('open','assigned','done','short','cancelled')),"
"  tour INTEGER NOT NULL DEFAULT 0,"            /* one picker's trip */
"  seq INTEGER NOT NULL DEFAULT 0,"             /* visiting order within the tour */
"  zone TEXT NOT NULL DEFAULT '',"
"  allocation_id INTEGER REFERENCES allocations(id),"
"  order_id INTEGER REFERENCES orders(id),"
"  from_bin_id INTEGER NOT NULL REFERENCES bins(id),"
"  to_bin_id INTEGER REFERENCES bins(id),"     /* replenish: the pick face */
"  item_id INTEGER NOT NULL REFERENCES items(id),"
"  lot TEXT NOT NULL DEFAULT '', expiry TEXT NOT NULL DEFAULT '',"
"  qty INTEGER NOT NULL CHECK (qty > 0),"
"  done_qty INTEGER NOT NULL DEFAULT 0 CHECK (done_qty >= 0),"
"  tote TEXT NOT NULL DEFAULT '',"
"  depends_on INTEGER REFERENCES tasks(id),"   /* a pick waiting for a replenishment */
"  assigned_to TEXT"
");"
"CREATE INDEX tasks_wave ON tasks(wave_id, tour, seq);"
"CREATE INDEX tasks_status ON tasks(status, kind);"
/* Pick faces' replenishment levels (per bin and item). */
"CREATE TABLE pick_faces ("
"  bin_id INTEGER NOT NULL REFERENCES bins(id),"
"  item_id INTEGER NOT NULL REFERENCES items(id),"
"  min_qty INTEGER NOT NULL CHECK (min_qty >= 0),"
"  max_qty INTEGER NOT NULL CHECK (max_qty >= min_qty),"
"  PRIMARY KEY (bin_id, item_id)"
") WITHOUT ROWID;",

/* 4: pick execution, totes, packing into cartons with SSCCs, shipping;
 * returns; box types for cartonization.
 *
 * Picked units move (journal kind 'pick') from the bin to OUTBOUND, the
 * outbound area (a staging bin created here): they stay in the building,
 * and in stock, until shipped (kind 'ship', leaving the warehouse).  Which
 * tote or carton holds them is in picks / carton_lines. */
"INSERT OR IGNORE INTO bins (code, zone, type, aisle, y_m) VALUES ('OUTBOUND', 'OUT', 'staging', '', 0);"
/* A physical tote (its label, reusable once packed) assigned to one order
 * of a wave; slot is the tasks.tote it stands for (T<wave>-<tour>-<k>). */
"CREATE TABLE totes ("
"  id INTEGER PRIMARY KEY,"
"  code TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 64),"
"  slot TEXT NOT NULL DEFAULT '',"
"  order_id INTEGER NOT NULL REFERENCES orders(id),"
"  wave_id INTEGER REFERENCES waves(id),"
"  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed','packed')),"
"  user TEXT NOT NULL DEFAULT '', device TEXT NOT NULL DEFAULT '',"
"  opened TEXT NOT NULL, closed TEXT"
");"
"CREATE UNIQUE INDEX totes_active ON totes(code) WHERE status != 'packed';"
"CREATE INDEX totes_order ON totes(order_id, slot);"
/* Units picked: by which task, from where, into which tote. */
"CREATE TABLE picks ("
"  id INTEGER PRIMARY KEY,"
"  task_id INTEGER NOT NULL REFERENCES tasks(id),"
"  order_id INTEGER NOT NULL REFERENCES orders(id),"
"  line INTEGER NOT NULL,"
"  tote_id INTEGER REFERENCES totes(id),"
"  bin_id INTEGER NOT NULL REFERENCES bins(id),"
"  item_id INTEGER NOT NULL REFERENCES items(id),"
"  lot TEXT NOT NULL, expiry TEXT NOT NULL,"
"  qty INTEGER NOT NULL CHECK (qty > 0),"
"  packed INTEGER NOT NULL DEFAULT 0 CHECK (packed >= 0 AND packed <= qty),"
"  returned INTEGER NOT NULL DEFAULT 0 CHECK (returned >= 0),"
"  ts TEXT NOT NULL, user TEXT NOT NULL, device TEXT NOT NULL"
");"
"CREATE INDEX picks_tote ON picks(tote_id, item_id);"
"CREATE INDEX picks_order ON picks(order_id, line);"
"CREATE INDEX picks_ts ON picks(ts);"
/* Short picks: what the picker found, and the count task it raised. */
"CREATE TABLE shorts ("
"  id INTEGER PRIMARY KEY,"
"  task_id INTEGER NOT NULL REFERENCES tasks(id),"
"  order_id INTEGER NOT NULL REFERENCES orders(id),"
"  line INTEGER NOT NULL,"
"  bin_id INTEGER NOT NULL REFERENCES bins(id),"
"  item_id INTEGER NOT NULL REFERENCES items(id),"
"  lot TEXT NOT NULL,"
"  expected INTEGER NOT NULL CHECK (expected > 0),"
"  found INTEGER NOT NULL CHECK (found >= 0 AND found < expected),"
"  reallocated INTEGER NOT NULL DEFAULT 0,"
"  short_qty INTEGER NOT NULL DEFAULT 0,"
"  reason TEXT NOT NULL DEFAULT '',"
"  count_id INTEGER REFERENCES counts(id),"
"  ts TEXT NOT NULL, user TEXT NOT NULL, device TEXT NOT NULL"
");"
/* Cartons packed for an order; sscc (18 digits) is given when closed. */
"CREATE TABLE cartons ("
"  id INTEGER PRIMARY KEY,"
"  order_id INTEGER NOT NULL REFERENCES orders(id),"
"  tote_id INTEGER REFERENCES totes(id),"
"  sscc TEXT UNIQUE CHECK (sscc IS NULL OR length(sscc) = 18),"
"  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed','shipped')),"
"  box TEXT NOT NULL DEFAULT '',"
"  box_proposed TEXT NOT NULL DEFAULT '',"
"  weight_g INTEGER,"
"  user TEXT NOT NULL DEFAULT '', device TEXT NOT NULL DEFAULT '',"
"  opened TEXT NOT NULL, closed TEXT, shipped TEXT"
");"
"CREATE INDEX cartons_order ON cartons(order_id, status);"
"CREATE TABLE carton_lines ("
"  carton_id INTEGER NOT NULL REFERENCES cartons(id),"
"  pick_id INTEGER NOT NULL REFERENCES picks(id),"
"  qty INTEGER NOT NULL CHECK (qty > 0),"
"  PRIMARY KEY (carton_id, pick_id)"
") WITHOUT ROWID;"
/* Box types for cartonization: inner size in mm, max content weight and
 * tare in g. */
"CREATE TABLE boxes ("
"  id INTEGER PRIMARY KEY,"
"  code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 64),"
"  length_mm INTEGER NOT NULL CHECK (length_mm > 0),"
"  width_mm INTEGER NOT NULL CHECK (width_mm > 0),"
"  height_mm INTEGER NOT NULL CHECK (height_mm > 0),"
"  max_weight_g INTEGER NOT NULL CHECK (max_weight_g > 0),"
"  tare_g INTEGER NOT NULL DEFAULT 0 CHECK (tare_g >= 0)"
");"
/* Returns: against a shipped order (order_id set) or unknown (NULL until a
 * supervisor matches it). */
"CREATE TABLE returns ("
"  id INTEGER PRIMARY KEY,"
"  order_id INTEGER REFERENCES orders(id),"
"  kind TEXT NOT NULL CHECK (kind IN ('order','unknown')),"
"  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed','written_off')),"
"  opened_by TEXT NOT NULL DEFAULT '',"
"  reference TEXT NOT NULL DEFAULT '',"
"  user TEXT NOT NULL DEFAULT '', device TEXT NOT NULL DEFAULT '',"
"  opened TEXT NOT NULL, closed TEXT"
");"
"CREATE TABLE return_lines ("
"  id INTEGER PRIMARY KEY,"
"  return_id INTEGER NOT NULL REFERENCES returns(id),"
"  item_id INTEGER NOT NULL REFERENCES items(id),"
"  lot TEXT NOT NULL DEFAULT '', expiry TEXT NOT NULL DEFAULT '', serial TEXT NOT NULL DEFAULT '',"
"  qty INTEGER NOT NULL CHECK (qty > 0),"
"  grade TEXT CHECK (grade IS NULL OR grade IN ('resaleable','damaged','scrap')),"
"  reason TEXT NOT NULL DEFAULT '',"
"  bin_id INTEGER REFERENCES bins(id)"
");"
"CREATE INDEX return_lines_return ON return_lines(return_id);",

/* 5: scanner self-tests per device (scanner.selftest; store/device.h).
 * quirks: codes comma-separated; detail: "CODE: message" lines; gs_sub: the
 * substitute separator found ('' = none). */
"CREATE TABLE scanner_selftests ("
"  id INTEGER PRIMARY KEY,"
"  device TEXT NOT NULL CHECK (length(device) BETWEEN 1 AND 64),"
"  user TEXT NOT NULL DEFAULT '',"
"  ts TEXT NOT NULL,"
"  ok INTEGER NOT NULL CHECK (ok IN (0, 1)),"
"  usable INTEGER NOT NULL CHECK (usable IN (0, 1)),"
"  quirks TEXT NOT NULL DEFAULT '',"
"  detail TEXT NOT NULL DEFAULT '',"
"  gs_sub TEXT NOT NULL DEFAULT '' CHECK (length(gs_sub) <= 1)"
");"
"CREATE INDEX scanner_selftests_device ON scanner_selftests(device, id);",

/* 6: pick-and-sort (store/sort.h).  A sort wave's pickers pick quant
 * totals: one bulk task (order_id NULL) per quant, and each allocation it
 * covers names it (bulk_task_id).  Units picked by a bulk task are booked
 * to their orders at once (picks rows, to_sort = 1, bulk_tote = the tote
 * scanned) and wait at a put wall; sorting moves them (to_sort = 0) into
 * the order's slot, a totes row whose code is the slot label and whose
 * slot is 'wall:' || the wall.  Slot labels are unique across walls. */
"CREATE TABLE putwall_slots ("
"  wall TEXT NOT NULL CHECK (length(wall) BETWEEN 1 AND 24),"
"  label TEXT NOT NULL UNIQUE CHECK (length(label) BETWEEN 1 AND 31),"
"  seq INTEGER NOT NULL,"
"  PRIMARY KEY (wall, label)"
") WITHOUT ROWID;"
"ALTER TABLE allocations ADD COLUMN bulk_task_id INTEGER REFERENCES tasks(id);"
"CREATE INDEX allocations_bulk ON allocations(bulk_task_id) WHERE bulk_task_id IS NOT NULL;"
"ALTER TABLE picks ADD COLUMN to_sort INTEGER NOT NULL DEFAULT 0 CHECK (to_sort IN (0, 1));"
"ALTER TABLE picks ADD COLUMN bulk_tote TEXT NOT NULL DEFAULT '';"
"CREATE INDEX picks_to_sort ON picks(item_id, order_id) WHERE to_sort = 1;",

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
