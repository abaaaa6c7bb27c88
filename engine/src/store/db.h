/*
 * db.h - the SQLite connection: pragmas, migrations, statement cache and
 * nested write transactions.  Internal to the engine library.
 *
 * Every mutating engine call runs inside db__op_begin()/db__op_end():
 * outside a transaction that opens BEGIN IMMEDIATE and commits at the end
 * (one fsync); inside one (the server's group commit) it only takes a
 * SAVEPOINT, so a failing call rolls back itself and nothing else.
 */
#ifndef WMS_STORE_DB_H
#define WMS_STORE_DB_H

#include "wms.h"

#include <sqlite3.h>
#include <stdbool.h>

#define DB__STMT_CACHE 256

struct wms_db {
    sqlite3 *sql;
    char path[1024];
    int flags;
    int op_depth;   /* nesting of db__op_begin */
    bool own_tx;    /* the outermost op opened the transaction */
    char today[11]; /* YYYY-MM-DD override, or "" for the real UTC date */
    struct {
        const char *sql; /* key: address of a static SQL string */
        sqlite3_stmt *stmt;
    } cache[DB__STMT_CACHE];
    struct db__resolve_slot *resolve; /* code -> resolution cache, lazily allocated */
};

#define DB__RESOLVE_SLOTS 256

/* Drops cached code resolutions (any catalog change, a rollback, or another
 * process's commit seen through PRAGMA data_version). */
void db__cache_clear(wms_db *db);

/* Returns the cached prepared statement for the static string `sql`,
 * reset and with bindings cleared; NULL on error (set in err).  The
 * statement stays owned by the cache. */
sqlite3_stmt *db__stmt(wms_db *db, const char *sql, wms_error *err);

/* Maps the SQLite result `rc` to a WMS code and message ("what: ..."). */
int db__fail(wms_db *db, int rc, wms_error *err, const char *what);

/* Steps a statement expected to finish (INSERT/UPDATE/DELETE). */
int db__exec_stmt(wms_db *db, sqlite3_stmt *st, wms_error *err, const char *what);

/* Runs literal SQL with no parameters (DDL, pragmas, savepoints). */
int db__exec(wms_db *db, const char *sql, wms_error *err);

/* Enters an atomic operation (see header comment).  Returns 0 or an error;
 * on success the caller must call db__op_end exactly once. */
int db__op_begin(wms_db *db, wms_error *err);
/* Leaves the operation: commits/releases when rc >= 0, otherwise rolls the
 * operation back.  Returns rc, or a commit error (then nothing is stored). */
int db__op_end(wms_db *db, int rc, wms_error *err);

/* Bind helpers: text NULL binds "" (empty string), never SQL NULL. */
int db__bind_text(sqlite3_stmt *st, int idx, const char *s);

/* Copies column `col` as text into dst (size n), "" for NULL. */
void db__col_text(sqlite3_stmt *st, int col, char *dst, size_t n);

/* The date used for expiry decisions, YYYY-MM-DD. */
const char *db__today(wms_db *db);

/* Reads/writes integer counters in the meta table (inside an op). */
int db__counter_next(wms_db *db, const char *name, int64_t *out, wms_error *err);

/* Runs the static statement `sql` with integer parameters args[0..n) bound
 * to ?1..?n and reads column 0 of its first row into *out (0 when there is
 * no row; NULL reads as 0).  Returns 1 (a row), 0 (none) or an error. */
int db__query_i64(wms_db *db, const char *sql, int n, const int64_t *args, int64_t *out,
                  wms_error *err);
/* The same with 1 and 2 parameters. */
#define db__q1(db, sql, a, out, err) db__query_i64((db), (sql), 1, (int64_t[]){(a)}, (out), (err))
#define db__q2(db, sql, a, b, out, err)                                                            \
    db__query_i64((db), (sql), 2, (int64_t[]){(a), (b)}, (out), (err))

#endif
