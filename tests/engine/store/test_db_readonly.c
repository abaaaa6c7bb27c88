/* test_db_readonly.c - wms_db_open(..., WMS_DB_READONLY): a real read-only
 * open that writes nothing (journal mode kept, no migration, writes fail),
 * works on WAL and rollback-journal files, and refuses a database that
 * needs migration; the backup source and restore's check use it. */
#include "fixture.h"
#include "store/backup.h"
#include "store/db.h"
#include "store/schema.h"

#include <sys/stat.h>
#include <unistd.h>

/* The journal mode stored in a database file's header (1 rollback journal,
 * 2 WAL). */
static int header_mode(const char *path)
{
    unsigned char h[20];
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(h, 1, sizeof(h), fp), sizeof(h));
    fclose(fp);
    return h[18];
}

/* FNV-1a of a whole file, with its size: "the file did not change". */
static uint64_t file_digest(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    uint64_t h = 1469598103934665603ULL;
    int ch;
    size_t n = 0;
    while ((ch = fgetc(fp)) != EOF) {
        h = (h ^ (uint64_t)ch) * 1099511628211ULL;
        n++;
    }
    fclose(fp);
    return h ^ (n << 1);
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* Runs literal SQL on a plain SQLite connection (not the engine). */
static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *s;
    assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(s, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
    sqlite3_close(s);
}

/* Reads through db: the schema version, journal against stock (verify),
 * and the units of A in bin. */
static long long ro_read(wms_db *db, const char *bin)
{
    wms_error err;
    assert_int_equal(wms_db_schema_version(db), schema__count());
    if (wms_stock_verify(db, NULL, NULL, &err) != 0)
        fail_msg("verify: %s", err.msg);
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT coalesce(sum(qty), 0) FROM stock s JOIN bins b ON b.id = s.bin_id "
             "WHERE b.code = '%s'",
             bin);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* An import of one item through db; returns wms_import's rc. */
static int import_item(wms_db *db, wms_error *err)
{
    static const char csv[] = "sku,description\nZ,zed\n";
    FILE *in = fmemopen((void *)csv, strlen(csv), "r");
    assert_non_null(in);
    wms_import_stats st;
    wms_actor who = {"test", "RF-RO", NULL};
    int rc = wms_import(db, &who, "items", in, 0, &st, err);
    fclose(in);
    return rc;
}

/* Books qty units of A into bin through db; returns wms_stock_receive's rc. */
static int receive(wms_db *db, const char *bin, int64_t qty, wms_error *err)
{
    wms_actor who = {"test", "RF-RO", NULL};
    wms_receive_req req = {.bin = bin, .code = "4006381333931", .mult = qty};
    wms_booking b;
    return wms_stock_receive(db, &who, &req, &b, err);
}

static int ro_setup(void **state)
{
    fx_setup(state);
    fx *f = *state;
    assert_int_equal(receive(f->db, "P2", 10, &f->err), 0);
    /* Closed: each test opens what it needs. */
    wms_db_close(f->db);
    f->db = NULL;
    return 0;
}

/* A rollback-journal file (as a backup is) opens read-only and stays a
 * rollback-journal file, byte for byte; writes through it fail. */
static void test_readonly_on_rollback_journal_file(void **state)
{
    fx *f = *state;
    raw_exec(f->path, "PRAGMA journal_mode=DELETE");
    assert_int_equal(header_mode(f->path), 1);
    uint64_t before = file_digest(f->path);

    wms_db *db = NULL;
    if (wms_db_open(f->path, WMS_DB_READONLY, &db, &f->err) < 0)
        fail_msg("read-only open: %s", f->err.msg);
    assert_int_equal(ro_read(db, "P2"), 10);
    /* Every write fails and changes nothing. */
    wms_error err;
    wms_error_clear(&err);
    assert_true(receive(db, "P2", 5, &err) < 0);
    assert_true(err.msg[0] != '\0');
    assert_true(import_item(db, &err) < 0);
    assert_int_not_equal(sqlite3_exec(db->sql, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(ro_read(db, "P2"), 10);
    wms_db_close(db);
    assert_int_equal(header_mode(f->path), 1);
    assert_true(file_digest(f->path) == before);
    char p[700];
    snprintf(p, sizeof(p), "%s-journal", f->path);
    assert_false(exists(p));
    snprintf(p, sizeof(p), "%s-wal", f->path);
    assert_false(exists(p));

    /* The read-write open converts the file to WAL (the contrast). */
    assert_int_equal(wms_db_open(f->path, 0, &db, &f->err), 0);
    wms_db_close(db);
    assert_int_equal(header_mode(f->path), 2);
}

/* On a WAL database a read-only connection reads what a writer committed
 * (also what is still only in the -wal) and never blocks it. */
static void test_readonly_on_wal_with_a_writer(void **state)
{
    fx *f = *state;
    wms_db *rw = NULL, *ro = NULL;
    assert_int_equal(wms_db_open(f->path, 0, &rw, &f->err), 0);
    assert_int_equal(header_mode(f->path), 2);
    assert_int_equal(wms_db_open(f->path, WMS_DB_READONLY, &ro, &f->err), 0);
    assert_int_equal(ro_read(ro, "R1"), 0);
    assert_int_equal(receive(rw, "R1", 7, &f->err), 0); /* while ro is open */
    assert_int_equal(ro_read(ro, "R1"), 7);
    wms_error err;
    assert_true(receive(ro, "R1", 1, &err) < 0);
    assert_int_equal(receive(rw, "R1", 1, &f->err), 0); /* the writer goes on */
    wms_db_close(ro);
    wms_db_close(rw);
    assert_int_equal(fx_qty(f, "R1", "A"), 8);
}

/* A database that needs migration is refused with a clear error and left
 * exactly as it was; WMS_DB_OLDER_OK takes it as it is. */
static void test_readonly_refuses_migration(void **state)
{
    fx *f = *state;
    char old[700];
    snprintf(old, sizeof(old), "%s/old.db", f->dir);
    /* A database of schema version 1 (the first migration only). */
    sqlite3 *s;
    assert_int_equal(sqlite3_open(old, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s, schema__migration(0), NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s, "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
    assert_true(schema__count() > 1);
    uint64_t before = file_digest(old);

    wms_db *db = NULL;
    wms_error err;
    wms_error_clear(&err);
    assert_int_equal(wms_db_open(old, WMS_DB_READONLY, &db, &err), WMS_ESCHEMA);
    assert_null(db);
    assert_non_null(strstr(err.msg, "needs migration"));
    assert_non_null(strstr(err.msg, "schema version 1"));
    assert_non_null(strstr(err.msg, old));
    assert_true(file_digest(old) == before);

    assert_int_equal(wms_db_open(old, WMS_DB_READONLY | WMS_DB_OLDER_OK, &db, &err), 0);
    assert_int_equal(wms_db_schema_version(db), 1);
    wms_db_close(db);
    assert_true(file_digest(old) == before);

    /* Newer than this program: refused either way. */
    raw_exec(old, "PRAGMA user_version = 99");
    assert_int_equal(wms_db_open(old, WMS_DB_READONLY | WMS_DB_OLDER_OK, &db, &err), WMS_ESCHEMA);
    assert_non_null(strstr(err.msg, "newer"));

    /* The read-write open still migrates (version 1 -> current). */
    raw_exec(old, "PRAGMA user_version = 1");
    assert_int_equal(wms_db_open(old, 0, &db, &err), 0);
    assert_int_equal(wms_db_schema_version(db), schema__count());
    wms_db_close(db);
}

/* Not a database, a missing file, contradictory flags. */
static void test_readonly_bad_files(void **state)
{
    fx *f = *state;
    wms_db *db = NULL;
    wms_error err;
    char junk[700], missing[700];
    char text[8192];
    memset(text, 'x', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    th_write_file(f->dir, "junk.db", text, junk, sizeof(junk));
    assert_int_equal(wms_db_open(junk, WMS_DB_READONLY, &db, &err), WMS_ESTORAGE);
    assert_non_null(strstr(err.msg, "not a database"));
    snprintf(missing, sizeof(missing), "%s/missing.db", f->dir);
    assert_int_equal(wms_db_open(missing, WMS_DB_READONLY, &db, &err), WMS_ESTORAGE);
    assert_false(exists(missing));
    assert_int_equal(wms_db_open(missing, WMS_DB_READONLY | WMS_DB_CREATE, &db, &err),
                     WMS_EBAD_ARGS);
    assert_false(exists(missing));
    /* An empty file is a database of schema version 0: needs migration. */
    th_write_file(f->dir, "empty.db", "", junk, sizeof(junk));
    assert_int_equal(wms_db_open(junk, WMS_DB_READONLY, &db, &err), WMS_ESCHEMA);
    assert_null(db);
}

/* A backup taken through a read-only connection from a rollback-journal
 * source (an earlier backup) leaves the source untouched; restore checks a
 * WAL-mode and a rollback-journal backup alike and leaves both as they
 * were. */
static void test_backup_and_restore_use_readonly(void **state)
{
    fx *f = *state;
    char b1[700], b2[700], wal[700], target[700], p[720];
    snprintf(b1, sizeof(b1), "%s/b1.db", f->dir);
    snprintf(b2, sizeof(b2), "%s/b2.db", f->dir);
    snprintf(wal, sizeof(wal), "%s/walcopy.db", f->dir);
    snprintf(target, sizeof(target), "%s/target.db", f->dir);
    wms_db *db = NULL;
    assert_int_equal(wms_db_open(f->path, WMS_DB_READONLY, &db, &f->err), 0);
    assert_true(wms_db_backup(db, b1, NULL, NULL, &f->err) > 0);
    wms_db_close(db);
    assert_int_equal(header_mode(b1), 1);
    uint64_t d1 = file_digest(b1);

    /* Backup of the backup: its source stays a rollback-journal file. */
    assert_int_equal(wms_db_open(b1, WMS_DB_READONLY | WMS_DB_OLDER_OK, &db, &f->err), 0);
    assert_true(wms_db_backup(db, b2, NULL, NULL, &f->err) > 0);
    wms_db_close(db);
    assert_int_equal(header_mode(b1), 1);
    assert_true(file_digest(b1) == d1);

    /* Restore from the rollback-journal backup: the check opens it
     * read-only; it stays as it was, with nothing left beside it. */
    assert_true(wms_db_restore(b1, target, 0, NULL, NULL, &f->err) > 0);
    assert_true(file_digest(b1) == d1);
    snprintf(p, sizeof(p), "%s-wal", b1);
    assert_false(exists(p));
    assert_int_equal(wms_db_open(target, WMS_DB_READONLY, &db, &f->err), 0);
    assert_int_equal(ro_read(db, "P2"), 10);
    wms_db_close(db);

    /* Restore from a WAL-mode file (a copy of a live database). */
    raw_exec(b2, "PRAGMA journal_mode=WAL");
    assert_int_equal(rename(b2, wal), 0);
    assert_int_equal(header_mode(wal), 2);
    assert_true(wms_db_restore(wal, target, WMS_BACKUP_OVERWRITE, NULL, NULL, &f->err) > 0);
    assert_int_equal(header_mode(wal), 2);
    assert_int_equal(wms_db_open(target, 0, &db, &f->err), 0);
    assert_int_equal(wms_stock_verify(db, NULL, NULL, &f->err), 0);
    wms_db_close(db);

    /* An older-schema backup is still accepted by restore (migrated when
     * the restored database is next opened read-write). */
    raw_exec(b1, "PRAGMA user_version = 1");
    assert_true(wms_db_restore(b1, target, WMS_BACKUP_OVERWRITE, NULL, NULL, &f->err) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_readonly_on_rollback_journal_file, ro_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_readonly_on_wal_with_a_writer, ro_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_readonly_refuses_migration, ro_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_readonly_bad_files, ro_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_backup_and_restore_use_readonly, ro_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
