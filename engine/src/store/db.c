/* db.c - opening the database, migrations, statement cache, transactions. */
#include "store/db.h"
#include "store/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int db__fail(wms_db *db, int rc, wms_error *err, const char *what)
{
    const char *m = db != NULL && db->sql != NULL ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return wms_error_set(err, WMS_EDISK_FULL, "%s: the disk is full; nothing was stored", what);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return wms_error_set(err, WMS_EBUSY, "%s: the database is locked by another process", what);
    case SQLITE_NOMEM:
        return wms_error_set(err, WMS_ENOMEM, "%s: out of memory", what);
    case SQLITE_IOERR:
        if (rc == SQLITE_IOERR_NOMEM)
            return wms_error_set(err, WMS_ENOMEM, "%s: out of memory", what);
        return wms_error_set(err, WMS_EIO, "%s: I/O error: %s", what, m);
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return wms_error_set(err, WMS_ESTORAGE, "%s: database unusable: %s", what, m);
    default:
        return wms_error_set(err, WMS_ESTORAGE, "%s: %s", what, m);
    }
}

sqlite3_stmt *db__stmt(wms_db *db, const char *sql, wms_error *err)
{
    size_t h = ((uintptr_t)sql >> 4) % DB__STMT_CACHE;
    for (size_t probe = 0; probe < DB__STMT_CACHE; probe++) {
        size_t i = (h + probe) % DB__STMT_CACHE;
        if (db->cache[i].sql == sql) {
            sqlite3_stmt *st = db->cache[i].stmt;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
        if (db->cache[i].sql == NULL) {
            sqlite3_stmt *st = NULL;
            int rc = sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
            if (rc != SQLITE_OK) {
                db__fail(db, rc, err, "prepare");
                return NULL;
            }
            db->cache[i].sql = sql;
            db->cache[i].stmt = st;
            return st;
        }
    }
    /* Cache full: a programming error (more distinct statements than slots). */
    wms_error_set(err, WMS_ESTORAGE, "statement cache full");
    return NULL;
}

int db__exec_stmt(wms_db *db, sqlite3_stmt *st, wms_error *err, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        int r = db__fail(db, rc, err, what);
        sqlite3_reset(st);
        return r;
    }
    sqlite3_reset(st);
    return 0;
}

int db__exec(wms_db *db, const char *sql, wms_error *err)
{
    int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : db__fail(db, rc, err, "exec");
}

int db__bind_text(sqlite3_stmt *st, int idx, const char *s)
{
    return sqlite3_bind_text(st, idx, s != NULL ? s : "", -1, SQLITE_TRANSIENT);
}

void db__col_text(sqlite3_stmt *st, int col, char *dst, size_t n)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, n, "%s", t != NULL ? (const char *)t : "");
}

const char *db__today(wms_db *db)
{
    if (db->today[0] == '\0') {
        static __thread char buf[11];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
        return buf;
    }
    return db->today;
}

int wms_db_set_today(wms_db *db, const char *day)
{
    if (day == NULL || day[0] == '\0') {
        db->today[0] = '\0';
        return 0;
    }
    if (strlen(day) != 10)
        return WMS_EBAD_ARGS;
    memcpy(db->today, day, 11);
    return 0;
}

const char *wms_db_today(wms_db *db)
{
    return db__today(db);
}

int db__op_begin(wms_db *db, wms_error *err)
{
    int rc;
    if (db->op_depth == 0 && sqlite3_get_autocommit(db->sql)) {
        rc = db__exec(db, "BEGIN IMMEDIATE", err);
        if (rc < 0)
            return rc;
        db->own_tx = true;
    } else if (db->op_depth == 0) {
        db->own_tx = false;
    }
    rc = db__exec(db, "SAVEPOINT op", err);
    if (rc < 0) {
        if (db->op_depth == 0 && db->own_tx) {
            db__exec(db, "ROLLBACK", NULL);
            db->own_tx = false;
        }
        return rc;
    }
    db->op_depth++;
    return 0;
}

void db__cache_clear(wms_db *db)
{
    free(db->resolve);
    db->resolve = NULL;
}

void wms_db_cache_clear(wms_db *db)
{
    db__cache_clear(db);
}

int db__op_end(wms_db *db, int rc, wms_error *err)
{
    db->op_depth--;
    if (rc < 0)
        db__cache_clear(db); /* the cache may hold what is being undone */
    if (rc >= 0) {
        int r = db__exec(db, "RELEASE op", err);
        if (r < 0)
            rc = r;
    }
    if (rc < 0) {
        /* A failed RELEASE or the op's own error: undo the op only. */
        if (!sqlite3_get_autocommit(db->sql)) {
            db__exec(db, "ROLLBACK TO op", NULL);
            db__exec(db, "RELEASE op", NULL);
        }
    }
    if (db->op_depth == 0 && db->own_tx) {
        db->own_tx = false;
        if (rc >= 0) {
            int r = db__exec(db, "COMMIT", err);
            if (r < 0) {
                db__exec(db, "ROLLBACK", NULL);
                return r;
            }
        } else if (!sqlite3_get_autocommit(db->sql)) {
            db__exec(db, "ROLLBACK", NULL);
        }
    }
    return rc;
}

int db__counter_next(wms_db *db, const char *name, int64_t *out, wms_error *err)
{
    static const char sql[] = "INSERT INTO meta(name, value) VALUES (?1, 1) "
                              "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err != NULL ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        int r = db__fail(db, rc, err, "counter");
        sqlite3_reset(st);
        return r;
    }
    *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

int db__query_i64(wms_db *db, const char *sql, int n, const int64_t *args, int64_t *out,
                  wms_error *err)
{
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err != NULL ? err->code : WMS_ESTORAGE;
    for (int i = 0; i < n; i++)
        sqlite3_bind_int64(st, i + 1, args[i]);
    int rc = sqlite3_step(st);
    *out = 0;
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = 1;
    } else if (rc == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = db__fail(db, rc, err, "query");
    }
    sqlite3_reset(st);
    return rc;
}

/* Applies the migrations the database lacks, each in its own transaction. */
static int db__migrate(wms_db *db, wms_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->sql, "PRAGMA user_version", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db__fail(db, rc, err, "read schema version");
    int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (version > schema__count())
        return wms_error_set(err, WMS_ESCHEMA,
                             "database schema version %d is newer than this program's %d", version,
                             schema__count());
    if (version < schema__count() && (db->flags & WMS_DB_READONLY))
        return wms_error_set(err, WMS_ESCHEMA, "database needs migration; open it read-write");
    for (int i = version; i < schema__count(); i++) {
        char pragma[64];
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", i + 1);
        if ((rc = db__exec(db, "BEGIN IMMEDIATE", err)) < 0)
            return rc;
        if ((rc = db__exec(db, schema__migration(i), err)) < 0 ||
            (rc = db__exec(db, pragma, err)) < 0 || (rc = db__exec(db, "COMMIT", err)) < 0) {
            db__exec(db, "ROLLBACK", NULL);
            return rc;
        }
    }
    return 0;
}

/* The read-only open (WMS_DB_READONLY): writes nothing to the file.  The
 * journal mode stays what the file has (WAL or a rollback journal), no
 * migration runs and query_only makes every later write fail.  Reading the
 * schema first tells a file that is not a database.  Refuses a newer schema
 * and, unless WMS_DB_OLDER_OK, an older one (WMS_ESCHEMA). */
static int db__open_readonly(wms_db *db, wms_error *err)
{
    int rc;
    if ((rc = db__exec(db, "PRAGMA query_only=ON", err)) < 0 ||
        (rc = db__exec(db, "PRAGMA foreign_keys=ON", err)) < 0 ||
        (rc = db__exec(db, "PRAGMA trusted_schema=OFF", err)) < 0)
        return rc;
    char what[sizeof(db->path) + 32];
    snprintf(what, sizeof(what), "open %s read-only", db->path);
    sqlite3_stmt *st = NULL;
    int version = -1;
    rc = sqlite3_prepare_v2(db->sql,
                            "SELECT (SELECT count(*) FROM sqlite_schema), "
                            "(SELECT user_version FROM pragma_user_version)",
                            -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            version = sqlite3_column_int(st, 1);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_READONLY_ROLLBACK)
        return wms_error_set(err, WMS_ESTORAGE,
                             "%s: an interrupted write left a journal that only a read-write "
                             "open can roll back (wmsctl init)",
                             what);
    if (rc != SQLITE_OK)
        return db__fail(db, rc, err, what);
    if (version > schema__count())
        return wms_error_set(err, WMS_ESCHEMA,
                             "database %s has schema version %d, newer than this program's %d",
                             db->path, version, schema__count());
    if (version < schema__count() && !(db->flags & WMS_DB_OLDER_OK))
        return wms_error_set(err, WMS_ESCHEMA,
                             "database %s has schema version %d and needs migration to %d; a "
                             "read-only open does not migrate: open it read-write once (wmsctl "
                             "init)",
                             db->path, version, schema__count());
    return 0;
}

int wms_db_open(const char *path, int flags, wms_db **out, wms_error *err)
{
    *out = NULL;
    if (path == NULL || strlen(path) >= sizeof(((wms_db *)0)->path))
        return wms_error_set(err, WMS_EBAD_ARGS, "database path missing or too long");
    if ((flags & WMS_DB_READONLY) && (flags & WMS_DB_CREATE))
        return wms_error_set(err, WMS_EBAD_ARGS, "a read-only open cannot create %s", path);
    wms_db *db = calloc(1, sizeof(*db));
    if (db == NULL)
        return wms_error_set(err, WMS_ENOMEM, NULL);
    snprintf(db->path, sizeof(db->path), "%s", path);
    db->flags = flags;
    int oflags = (flags & WMS_DB_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (flags & WMS_DB_CREATE)
        oflags |= SQLITE_OPEN_CREATE;
    oflags |= SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &db->sql, oflags, NULL);
    if (rc != SQLITE_OK) {
        rc = wms_error_set(err, WMS_ESTORAGE, "cannot open database %s: %s", path,
                           db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc));
        goto err_close;
    }
    sqlite3_extended_result_codes(db->sql, 1);
    sqlite3_busy_timeout(db->sql, 5000);
    if (flags & WMS_DB_READONLY) {
        if ((rc = db__open_readonly(db, err)) < 0)
            goto err_close;
        *out = db;
        return 0;
    }
    /* journal_mode first: it fails on a file that is not a database. */
    if ((rc = db__exec(db, "PRAGMA journal_mode=WAL", err)) < 0 ||
        (rc = db__exec(db, "PRAGMA synchronous=FULL", err)) < 0 ||
        (rc = db__exec(db, "PRAGMA foreign_keys=ON", err)) < 0 ||
        (rc = db__exec(db, "PRAGMA trusted_schema=OFF", err)) < 0)
        goto err_close;
    if ((rc = db__migrate(db, err)) < 0)
        goto err_close;
    *out = db;
    return 0;

err_close:
    sqlite3_close_v2(db->sql);
    free(db);
    return rc;
}

void wms_db_close(wms_db *db)
{
    if (db == NULL)
        return;
    for (size_t i = 0; i < DB__STMT_CACHE; i++)
        if (db->cache[i].stmt != NULL)
            sqlite3_finalize(db->cache[i].stmt);
    if (!sqlite3_get_autocommit(db->sql))
        sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close_v2(db->sql);
    db__cache_clear(db);
    free(db);
}

int wms_db_schema_version(wms_db *db)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->sql, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

int wms_tx_begin(wms_db *db, wms_error *err)
{
    int rc = sqlite3_exec(db->sql, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : db__fail(db, rc, err, "start of the change");
}

int wms_tx_commit(wms_db *db, wms_error *err)
{
    int rc = sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL);
    rc = rc == SQLITE_OK ? 0 : db__fail(db, rc, err, "storing the change");
    if (rc < 0 && !sqlite3_get_autocommit(db->sql)) {
        db__exec(db, "ROLLBACK", NULL);
        db__cache_clear(db);
    }
    return rc;
}

void wms_tx_rollback(wms_db *db)
{
    db__cache_clear(db);
    if (!sqlite3_get_autocommit(db->sql))
        db__exec(db, "ROLLBACK", NULL);
}
