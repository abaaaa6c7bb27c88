/* test_backup.c - online backup (consistent snapshot while another
 * connection writes), overwrite refusal, restore round trip and checks. */
#include "fixture.h"
#include "store/backup.h"

#include <sys/stat.h>
#include <unistd.h>

static const char *const tables[] = {"items", "packs",   "barcodes", "bins",
                                     "stock", "journal", "layout"};

/* Books `qty` units of A into `bin` through connection db. */
static void receive(wms_db *db, const char *bin, int64_t qty, const char *lot)
{
    wms_actor who = {"test", "RF-BK", NULL};
    wms_receive_req req = {.bin = bin, .code = "4006381333931", .mult = qty, .lot = lot};
    wms_booking b;
    wms_error err;
    int rc = wms_stock_receive(db, &who, &req, &b, &err);
    if (rc < 0)
        fail_msg("receive: %s", err.msg);
    assert_int_equal(b.qty, qty);
}

/* A database with some history: receipts into two bins and a move. */
static int bk_setup(void **state)
{
    fx_setup(state);
    fx *f = *state;
    receive(f->db, "P2", 10, "L1");
    receive(f->db, "R1", 7, "L2");
    wms_actor who = {"test", "RF-BK", NULL};
    wms_move_req mv = {.from = "P2", .to = "R1", .sku = "A", .qty = 3};
    wms_booking b;
    assert_int_equal(wms_stock_move(f->db, &who, &mv, &b, &f->err), 0);
    return 0;
}

static long long sql_int(const char *path, const char *sql)
{
    sqlite3 *s;
    assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(s));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

static long long count_rows(const char *path, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    return sql_int(path, sql);
}

static int exists(const char *dir, const char *name)
{
    char p[700];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

/* The journal mode stored in a closed database file's header (1 rollback
 * journal, 2 WAL). */
static int header_mode(const char *path)
{
    unsigned char h[20];
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(h, 1, sizeof(h), fp), sizeof(h));
    fclose(fp);
    return h[18];
}

/* Opens path with the engine and checks its stock against its journal. */
static void assert_verifies(const char *path)
{
    wms_db *db;
    wms_error err;
    if (wms_db_open(path, 0, &db, &err) < 0)
        fail_msg("open %s: %s", path, err.msg);
    assert_int_equal(wms_stock_verify(db, NULL, NULL, &err), 0);
    wms_db_close(db);
}

static void assert_same_rows(const char *a, const char *b)
{
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
        assert_int_equal(count_rows(a, tables[i]), count_rows(b, tables[i]));
    static const char q[] = "SELECT sum(qty * (bin_id + 7)) FROM stock";
    assert_int_equal(sql_int(a, q), sql_int(b, q));
}

static void test_backup_equals_original(void **state)
{
    fx *f = *state;
    char out[700];
    snprintf(out, sizeof(out), "%s/copy.db", f->dir);
    int pages = wms_db_backup(f->db, out, NULL, NULL, &f->err);
    assert_true(pages > 0);
    assert_int_equal(count_rows(out, "journal"), 3);
    assert_same_rows(f->path, out);
    /* One self-contained file: nothing beside it, rollback-journal mode. */
    assert_false(exists(f->dir, "copy.db.tmp"));
    assert_false(exists(f->dir, "copy.db-wal"));
    assert_false(exists(f->dir, "copy.db-journal"));
    assert_int_equal(header_mode(out), 1);
    struct stat sb;
    assert_int_equal(stat(out, &sb), 0);
    assert_int_equal(sb.st_size, (off_t)pages * 4096);
    assert_int_equal(sb.st_mode & 077, 0); /* PIN hashes: owner only */
    assert_verifies(out);
    /* The original goes on working. */
    receive(f->db, "P2", 1, "L1");
    assert_int_equal(count_rows(f->path, "journal"), 4);
}

static void test_backup_refuses_overwrite(void **state)
{
    fx *f = *state;
    char out[700];
    th_write_file(f->dir, "taken.db", "precious\n", out, sizeof(out));
    assert_int_equal(wms_db_backup(f->db, out, NULL, NULL, &f->err), WMS_EEXISTS);
    assert_non_null(strstr(f->err.msg, "exists"));
    char *text = NULL;
    assert_int_equal(th_run(&text, "cat '%s'", out), 0);
    assert_string_equal(text, "precious\n");
    free(text);
    assert_false(exists(f->dir, "taken.db.tmp"));
    /* Asked to: replaced by a real backup. */
    assert_true(wms_db_backup_ex(f->db, out, WMS_BACKUP_OVERWRITE, NULL, NULL, &f->err) > 0);
    assert_same_rows(f->path, out);
    /* A leftover .tmp of an interrupted backup is not silently reused. */
    char tmp[700], out2[700];
    th_write_file(f->dir, "b2.db.tmp", "half", tmp, sizeof(tmp));
    snprintf(out2, sizeof(out2), "%s/b2.db", f->dir);
    assert_int_equal(wms_db_backup(f->db, out2, NULL, NULL, &f->err), WMS_EEXISTS);
    assert_non_null(strstr(f->err.msg, "b2.db.tmp"));
    assert_false(exists(f->dir, "b2.db"));
    assert_true(wms_db_backup_ex(f->db, out2, WMS_BACKUP_OVERWRITE, NULL, NULL, &f->err) > 0);
    assert_false(exists(f->dir, "b2.db.tmp"));
    /* Never onto the database itself, never inside an open transaction. */
    assert_int_equal(wms_db_backup_ex(f->db, f->path, WMS_BACKUP_OVERWRITE, NULL, NULL, &f->err),
                     WMS_EBAD_ARGS);
    assert_int_equal(wms_tx_begin(f->db, &f->err), 0);
    char out3[700];
    snprintf(out3, sizeof(out3), "%s/b3.db", f->dir);
    assert_int_equal(wms_db_backup(f->db, out3, NULL, NULL, &f->err), WMS_EBUSY);
    wms_tx_rollback(f->db);
    assert_false(exists(f->dir, "b3.db"));
    assert_false(exists(f->dir, "b3.db.tmp"));
    /* A directory that does not exist: an error, nothing half-made. */
    snprintf(out3, sizeof(out3), "%s/no/such/dir/b.db", f->dir);
    int rc = wms_db_backup(f->db, out3, NULL, NULL, &f->err);
    assert_true(rc == WMS_EIO || rc == WMS_ESTORAGE);
}

typedef struct {
    wms_db *writer; /* a second connection writing during the copy */
    int calls;
    int last_remaining;
    int total;
    int stop_at; /* abort with WMS_EIO at this call (0: never) */
} progress_ctx;

static int on_progress(void *ctx, int remaining, int total)
{
    progress_ctx *p = ctx;
    p->calls++;
    /* A pinned snapshot never restarts: remaining only goes down. */
    if (p->calls > 1)
        assert_true(remaining < p->last_remaining);
    p->last_remaining = remaining;
    p->total = total;
    if (p->writer != NULL)
        receive(p->writer, "P2", 5, "DURING");
    if (p->stop_at && p->calls == p->stop_at)
        return WMS_EIO;
    return 0;
}

/* Adds ~12 MB of pages so that a copy takes several steps. */
static void pad(fx *f)
{
    sqlite3 *s;
    assert_int_equal(sqlite3_open(f->path, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s,
                                  "CREATE TABLE pad(b BLOB); WITH RECURSIVE n(i) AS "
                                  "(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
                                  "INSERT INTO pad SELECT randomblob(4000) FROM n",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(s);
}

static void test_backup_is_a_snapshot_while_writes_go_on(void **state)
{
    fx *f = *state;
    pad(f);
    long long journal_before = count_rows(f->path, "journal");
    wms_db *writer;
    assert_int_equal(wms_db_open(f->path, 0, &writer, &f->err), 0);
    progress_ctx p = {.writer = writer};
    char out[700];
    snprintf(out, sizeof(out), "%s/snap.db", f->dir);
    int pages = wms_db_backup(f->db, out, on_progress, &p, &f->err);
    assert_true(pages > 3 * WMS_BACKUP_STEP_PAGES / 2);
    assert_true(p.calls >= 3);
    assert_int_equal(p.last_remaining, 0);
    assert_int_equal(p.total, pages);
    /* Every callback wrote through the other connection, yet the backup is
     * the state at its start, whole. */
    assert_int_equal(count_rows(f->path, "journal"), journal_before + p.calls);
    assert_int_equal(count_rows(out, "journal"), journal_before);
    assert_int_equal(sql_int(out, "SELECT count(*) FROM journal WHERE lot = 'DURING'"), 0);
    assert_verifies(out);
    /* Aborted by the callback: the code comes back, no file is left. */
    progress_ctx stop = {.stop_at = 1};
    snprintf(out, sizeof(out), "%s/stopped.db", f->dir);
    assert_int_equal(wms_db_backup(f->db, out, on_progress, &stop, &f->err), WMS_EIO);
    assert_false(exists(f->dir, "stopped.db"));
    assert_false(exists(f->dir, "stopped.db.tmp"));
    wms_db_close(writer);
}

static void test_restore_round_trip(void **state)
{
    fx *f = *state;
    char bk[700];
    snprintf(bk, sizeof(bk), "%s/day1.db", f->dir);
    assert_true(wms_db_backup(f->db, bk, NULL, NULL, &f->err) > 0);
    long long journal_at_backup = count_rows(f->path, "journal");
    receive(f->db, "R1", 4, "LATER");
    assert_int_equal(count_rows(f->path, "journal"), journal_at_backup + 1);

    /* Into the existing database: only when asked. */
    assert_int_equal(wms_db_restore(bk, f->path, 0, NULL, NULL, &f->err), WMS_EEXISTS);
    assert_int_equal(count_rows(f->path, "journal"), journal_at_backup + 1);
    int pages = wms_db_restore(bk, f->path, WMS_BACKUP_OVERWRITE, NULL, NULL, &f->err);
    if (pages < 0)
        fail_msg("restore: %s", f->err.msg);
    assert_same_rows(bk, f->path);
    assert_int_equal(count_rows(f->path, "journal"), journal_at_backup);
    /* The connection that stayed open sees the restored state and writes on. */
    wms_db_cache_clear(f->db);
    assert_int_equal(wms_stock_verify(f->db, NULL, NULL, &f->err), 0);
    receive(f->db, "R1", 2, "AFTER");
    assert_int_equal(count_rows(f->path, "journal"), journal_at_backup + 1);
    /* Opening the backup read-only left nothing beside it. */
    assert_false(exists(f->dir, "day1.db-wal"));
    assert_false(exists(f->dir, "day1.db-shm"));

    /* Into a new path: a stale WAL left there by an earlier database must
     * not be replayed onto the restored one. */
    char fresh[700], junk[700];
    snprintf(fresh, sizeof(fresh), "%s/fresh.db", f->dir);
    th_write_file(f->dir, "fresh.db-wal", "stale wal from another database", junk, sizeof(junk));
    assert_true(wms_db_restore(bk, fresh, 0, NULL, NULL, &f->err) > 0);
    assert_false(exists(f->dir, "fresh.db.tmp"));
    assert_false(exists(f->dir, "fresh.db-wal"));
    assert_int_equal(header_mode(fresh), 2); /* a live database: WAL */
    assert_same_rows(bk, fresh);
    assert_verifies(fresh);
}

static void test_restore_checks_the_backup(void **state)
{
    fx *f = *state;
    char p[700], target[700];
    snprintf(target, sizeof(target), "%s/target.db", f->dir);
    /* Missing, not a database, another program's database, a newer schema. */
    snprintf(p, sizeof(p), "%s/missing.db", f->dir);
    assert_int_equal(wms_db_restore(p, target, 0, NULL, NULL, &f->err), WMS_ENOT_FOUND);
    char junk[700];
    char text[8192];
    memset(text, 'x', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    th_write_file(f->dir, "junk.db", text, junk, sizeof(junk));
    assert_int_equal(wms_db_restore(junk, target, 0, NULL, NULL, &f->err), WMS_ESTORAGE);
    snprintf(p, sizeof(p), "%s/other.db", f->dir);
    sqlite3 *s;
    assert_int_equal(sqlite3_open(p, &s), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(s, "CREATE TABLE t(x); INSERT INTO t VALUES (1)", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(s);
    assert_int_equal(wms_db_restore(p, target, 0, NULL, NULL, &f->err), WMS_ESTORAGE);
    assert_non_null(strstr(f->err.msg, "not one of this program"));
    char newer[700];
    snprintf(newer, sizeof(newer), "%s/newer.db", f->dir);
    assert_true(wms_db_backup(f->db, newer, NULL, NULL, &f->err) > 0);
    assert_int_equal(sqlite3_open(newer, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
    assert_int_equal(wms_db_restore(newer, target, 0, NULL, NULL, &f->err), WMS_ESCHEMA);
    /* None of these created the target. */
    assert_false(exists(f->dir, "target.db"));
    assert_false(exists(f->dir, "target.db.tmp"));
    /* A damaged backup (a page of the journal table overwritten). */
    char bad[700];
    snprintf(bad, sizeof(bad), "%s/bad.db", f->dir);
    assert_true(wms_db_backup(f->db, bad, NULL, NULL, &f->err) > 0);
    long long root = sql_int(bad, "SELECT rootpage FROM sqlite_schema WHERE name = 'journal'");
    FILE *fp = fopen(bad, "r+b");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, (long)(root - 1) * 4096, SEEK_SET), 0);
    assert_int_equal(fwrite(text, 1, 4096, fp), 4096);
    fclose(fp);
    assert_int_equal(wms_db_restore(bad, target, 0, NULL, NULL, &f->err), WMS_ESTORAGE);
    assert_false(exists(f->dir, "target.db"));
    /* The original was never touched by any of this. */
    assert_int_equal(wms_stock_verify(f->db, NULL, NULL, &f->err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_backup_equals_original, bk_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_backup_refuses_overwrite, bk_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_backup_is_a_snapshot_while_writes_go_on, bk_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_restore_round_trip, bk_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_restore_checks_the_backup, bk_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
