/* backup.c - online backup and restore through the SQLite backup API. */
#include "store/backup.h"
#include "store/db.h"
#include "store/schema.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BK_PATH_MAX 1024
#define BK_SLEEP_MS 10

/* Maps a SQLite error on connection h (may be NULL) to a WMS code and a
 * message naming what failed and the file. */
static int bk_fail(sqlite3 *h, int rc, wms_error *err, const char *what, const char *path)
{
    const char *m = h != NULL ? sqlite3_errmsg(h) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return wms_error_set(err, WMS_EDISK_FULL, "%s %s: the disk is full; nothing was written",
                             what, path);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return wms_error_set(err, WMS_EBUSY,
                             "%s %s: the database is locked by another process; try again", what,
                             path);
    case SQLITE_NOMEM:
        return wms_error_set(err, WMS_ENOMEM, "%s %s: out of memory", what, path);
    case SQLITE_IOERR:
        return wms_error_set(err, WMS_EIO, "%s %s: I/O error: %s", what, path, m);
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return wms_error_set(err, WMS_ESTORAGE, "%s %s: not a usable database: %s", what, path, m);
    default:
        return wms_error_set(err, WMS_ESTORAGE, "%s %s: %s", what, path, m);
    }
}

/* Maps errno after a failed file operation (disk full is its own code). */
static int bk_errno(int e, wms_error *err, const char *what, const char *path)
{
    if (e == ENOSPC || e == EDQUOT)
        return wms_error_set(err, WMS_EDISK_FULL, "%s %s: the disk is full; nothing was written",
                             what, path);
    return wms_error_set(err, WMS_EIO, "%s %s: %s", what, path, strerror(e));
}

static bool bk_exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* True when a and b exist and are the same file. */
static bool bk_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Removes path+suffix if it exists (companion files: -wal, -shm, -journal). */
static void bk_unlink_suffix(const char *path, const char *suffix)
{
    char p[BK_PATH_MAX + 16];
    snprintf(p, sizeof(p), "%s%s", path, suffix);
    unlink(p);
}

static void bk_unlink_all(const char *path)
{
    unlink(path);
    bk_unlink_suffix(path, "-journal");
    bk_unlink_suffix(path, "-wal");
    bk_unlink_suffix(path, "-shm");
}

/* fsyncs a file, or (dir) the directory holding `path`. */
static int bk_fsync(const char *path, bool dir, wms_error *err)
{
    char d[BK_PATH_MAX];
    const char *p = path;
    if (dir) {
        snprintf(d, sizeof(d), "%s", path);
        char *slash = strrchr(d, '/');
        if (slash == NULL)
            snprintf(d, sizeof(d), ".");
        else if (slash == d)
            d[1] = '\0';
        else
            *slash = '\0';
        p = d;
    }
    int fd = open(p, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
    if (fd < 0)
        return bk_errno(errno, err, "open for fsync", p);
    if (fsync(fd) != 0) {
        int e = errno;
        close(fd);
        return bk_errno(e, err, "fsync", p);
    }
    close(fd);
    return 0;
}

/* Claims `tmp` for a new copy: a leftover is refused unless overwrite,
 * companions of an earlier attempt are removed, the file is created
 * exclusively (mode 0600: a database holds PIN hashes). */
static int bk_claim_tmp(const char *tmp, bool overwrite, wms_error *err)
{
    if (bk_exists(tmp)) {
        if (!overwrite)
            return wms_error_set(err, WMS_EEXISTS,
                                 "%s exists (left by an interrupted backup or restore?): remove "
                                 "it or overwrite (wmsctl: --force)",
                                 tmp);
        if (unlink(tmp) != 0)
            return bk_errno(errno, err, "remove", tmp);
    }
    bk_unlink_suffix(tmp, "-journal");
    bk_unlink_suffix(tmp, "-wal");
    bk_unlink_suffix(tmp, "-shm");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return wms_error_set(err, WMS_EEXISTS, "%s is being written by someone else", tmp);
        return bk_errno(errno, err, "create", tmp);
    }
    close(fd);
    return 0;
}

/* Moves the finished `tmp` to `path` atomically.  Without overwrite a file
 * that appeared at `path` meanwhile is kept (link fails with EEXIST). */
static int bk_install(const char *tmp, const char *path, bool overwrite, wms_error *err)
{
    if (overwrite) {
        if (rename(tmp, path) != 0)
            return bk_errno(errno, err, "rename to", path);
    } else if (link(tmp, path) == 0) {
        unlink(tmp);
    } else if (errno == EEXIST) {
        return wms_error_set(err, WMS_EEXISTS, "%s appeared while copying; it was kept", path);
    } else if (errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP || errno == ENOSYS) {
        /* A file system without hard links: check, then rename. */
        if (bk_exists(path))
            return wms_error_set(err, WMS_EEXISTS, "%s appeared while copying; it was kept", path);
        if (rename(tmp, path) != 0)
            return bk_errno(errno, err, "rename to", path);
    } else {
        return bk_errno(errno, err, "link to", path);
    }
    return bk_fsync(path, true, err);
}

/* Starts a read transaction on src that pins one snapshot for the whole
 * copy (WAL: writers go on; the backup never restarts).  Retries a busy
 * database for WMS_BACKUP_BUSY_MS. */
static int bk_snapshot_begin(sqlite3 *src, const char *path, wms_error *err)
{
    if (!sqlite3_get_autocommit(src))
        return wms_error_set(err, WMS_EBUSY,
                             "a transaction is open on this connection: copy outside of it");
    for (int waited = 0;; waited += BK_SLEEP_MS) {
        int rc = sqlite3_exec(src, "BEGIN", NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            return bk_fail(src, rc, err, "read", path);
        rc = sqlite3_exec(src, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            return 0;
        sqlite3_exec(src, "ROLLBACK", NULL, NULL, NULL);
        int prim = rc & 0xff;
        if ((prim != SQLITE_BUSY && prim != SQLITE_LOCKED) || waited >= WMS_BACKUP_BUSY_MS)
            return bk_fail(src, rc, err, "read", path);
        sqlite3_sleep(BK_SLEEP_MS);
    }
}

/* Copies every page of src (main) into dst (main), WMS_BACKUP_STEP_PAGES
 * at a time, sleeping briefly while either side is locked.  Returns the
 * page count or a negative code (dst is then rolled back by SQLite). */
static int bk_copy(sqlite3 *dst, sqlite3 *src, const char *path, wms_backup_progress progress,
                   void *ctx, wms_error *err)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (b == NULL)
        return bk_fail(dst, sqlite3_extended_errcode(dst), err, "copy to", path);
    int rc, waited = 0, abort_rc = 0;
    for (;;) {
        rc = sqlite3_backup_step(b, WMS_BACKUP_STEP_PAGES);
        if (rc == SQLITE_OK || rc == SQLITE_DONE) {
            waited = 0;
            if (progress != NULL) {
                int p = progress(ctx, sqlite3_backup_remaining(b), sqlite3_backup_pagecount(b));
                if (p < 0) {
                    abort_rc = p;
                    break;
                }
            }
            if (rc == SQLITE_DONE)
                break;
            continue;
        }
        int prim = rc & 0xff;
        if ((prim == SQLITE_BUSY || prim == SQLITE_LOCKED) && waited < WMS_BACKUP_BUSY_MS) {
            sqlite3_sleep(BK_SLEEP_MS);
            waited += BK_SLEEP_MS;
            continue;
        }
        break;
    }
    int total = sqlite3_backup_pagecount(b);
    int frc = sqlite3_backup_finish(b);
    if (abort_rc < 0)
        return wms_error_set(err, abort_rc, "copy to %s stopped: %s", path, wms_strerror(abort_rc));
    if (rc != SQLITE_DONE)
        return bk_fail(dst, rc, err, "copy to", path);
    if (frc != SQLITE_OK)
        return bk_fail(dst, frc, err, "copy to", path);
    return total;
}

/* Runs `pragma` on h and checks its one text result equals `want`. */
static int bk_pragma(sqlite3 *h, const char *pragma, const char *want, const char *path,
                     wms_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h, pragma, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return bk_fail(h, rc, err, "set up", path);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        int r = bk_fail(h, rc, err, "set up", path);
        sqlite3_finalize(st);
        return r;
    }
    const unsigned char *v = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
    int ok = want == NULL || (v != NULL && strcmp((const char *)v, want) == 0);
    sqlite3_finalize(st);
    if (!ok)
        return wms_error_set(err, WMS_ESTORAGE, "%s: '%s' did not give '%s'", path, pragma, want);
    return 0;
}

/* Opens a new database file for writing (no busy waits: nobody else knows
 * the file). */
static int bk_open_rw(const char *path, sqlite3 **out, wms_error *err)
{
    int rc = sqlite3_open_v2(path, out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        int r = bk_fail(*out, rc, err, "open", path);
        sqlite3_close(*out);
        *out = NULL;
        return r;
    }
    sqlite3_extended_result_codes(*out, 1);
    sqlite3_busy_timeout(*out, 1000);
    return 0;
}

/* Copies src into the new file `tmp` (claimed by bk_claim_tmp), sets its
 * journal mode (`mode`: "delete" for a backup file, "wal" for a restored
 * database), closes and fsyncs it.  Returns pages copied or an error. */
static int bk_copy_new(sqlite3 *src, const char *tmp, const char *mode,
                       wms_backup_progress progress, void *ctx, wms_error *err)
{
    sqlite3 *dst = NULL;
    int rc = bk_open_rw(tmp, &dst, err);
    if (rc < 0)
        return rc;
    if ((rc = bk_pragma(dst, "PRAGMA synchronous=FULL", NULL, tmp, err)) < 0)
        goto out;
    if ((rc = bk_snapshot_begin(src, tmp, err)) < 0)
        goto out;
    int pages = bk_copy(dst, src, tmp, progress, ctx, err);
    sqlite3_exec(src, "COMMIT", NULL, NULL, NULL); /* ends the read snapshot */
    if ((rc = pages) < 0)
        goto out;
    char pragma[40];
    snprintf(pragma, sizeof(pragma), "PRAGMA journal_mode=%s", mode);
    if ((rc = bk_pragma(dst, pragma, mode, tmp, err)) < 0)
        goto out;
    rc = sqlite3_close(dst);
    dst = NULL;
    if (rc != SQLITE_OK) {
        rc = bk_fail(NULL, rc, err, "close", tmp);
        goto out;
    }
    if ((rc = bk_fsync(tmp, false, err)) < 0)
        goto out;
    rc = pages;
out:
    if (dst != NULL)
        sqlite3_close(dst);
    return rc;
}

static int bk_check_path(const char *path, const char *what, wms_error *err)
{
    if (path == NULL || path[0] == '\0')
        return wms_error_set(err, WMS_EBAD_ARGS, "%s: no file name", what);
    if (strlen(path) + sizeof(".tmp") > BK_PATH_MAX)
        return wms_error_set(err, WMS_EBAD_ARGS, "%s: path longer than %d bytes", what,
                             BK_PATH_MAX - 8);
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return wms_error_set(err, WMS_EBAD_ARGS, "%s: %s is a directory", what, path);
    return 0;
}

int wms_db_backup_ex(wms_db *db, const char *path, int flags, wms_backup_progress progress,
                     void *ctx, wms_error *err)
{
    bool overwrite = (flags & WMS_BACKUP_OVERWRITE) != 0;
    if (db == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "backup: no database");
    int rc = bk_check_path(path, "backup", err);
    if (rc < 0)
        return rc;
    if (bk_same_file(path, db->path))
        return wms_error_set(err, WMS_EBAD_ARGS, "backup: %s is the database itself", path);
    if (!overwrite && bk_exists(path))
        return wms_error_set(err, WMS_EEXISTS,
                             "backup file %s exists: choose another name or overwrite it "
                             "(wmsctl: --force)",
                             path);
    char tmp[BK_PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if ((rc = bk_claim_tmp(tmp, overwrite, err)) < 0)
        return rc;
    int pages = bk_copy_new(db->sql, tmp, "delete", progress, ctx, err);
    if (pages < 0) {
        bk_unlink_all(tmp);
        return pages;
    }
    if ((rc = bk_install(tmp, path, overwrite, err)) < 0) {
        bk_unlink_all(tmp);
        return rc;
    }
    return pages;
}

int wms_db_backup(wms_db *db, const char *path, int (*progress)(void *, int remaining, int total),
                  void *ctx, wms_error *err)
{
    return wms_db_backup_ex(db, path, 0, progress, ctx, err);
}

/* One integer from `sql` on h, or a negative code. */
static int bk_int(sqlite3 *h, const char *sql, const char *path, int64_t *out, wms_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        }
    }
    int r = rc == SQLITE_OK ? 0 : bk_fail(h, rc, err, "read backup", path);
    sqlite3_finalize(st);
    return r;
}

/* Opens the backup through the engine's read-only path (nothing is written
 * to it: its journal mode stays, nothing is migrated) and checks it is an
 * intact database of this engine with a schema version this program
 * accepts (older ones are migrated when the restored database is opened).
 * On success *out owns the connection (wms_db_close). */
static int bk_open_backup(const char *path, wms_db **out, wms_error *err)
{
    wms_error why;
    wms_error_clear(&why);
    int rc = wms_db_open(path, WMS_DB_READONLY | WMS_DB_OLDER_OK, out, &why);
    if (rc < 0)
        return wms_error_set(err, rc, "backup %.300s", why.msg);
    sqlite3 *h = (*out)->sql;
    int64_t version = 0, tables = 0;
    if ((rc = bk_int(h, "PRAGMA user_version", path, &version, err)) < 0 ||
        (rc = bk_int(h,
                     "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                     "('meta', 'items', 'bins', 'stock', 'journal')",
                     path, &tables, err)) < 0)
        return rc;
    if (version < 1 || tables != 5)
        return wms_error_set(err, WMS_ESTORAGE,
                             "%s is a database but not one of this program (schema version "
                             "%lld, %lld of its 5 main tables)",
                             path, (long long)version, (long long)tables);
    if (version > schema__count())
        return wms_error_set(err, WMS_ESCHEMA,
                             "backup %s has schema version %lld, newer than this program's %d",
                             path, (long long)version, schema__count());
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(h, "PRAGMA quick_check", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return bk_fail(h, rc, err, "check backup", path);
    rc = sqlite3_step(st);
    const unsigned char *v = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
    if (v == NULL || strcmp((const char *)v, "ok") != 0) {
        int r = rc == SQLITE_ROW ? wms_error_set(err, WMS_ESTORAGE, "backup %s is damaged: %.200s",
                                                 path, v != NULL ? (const char *)v : "?")
                                 : bk_fail(h, rc, err, "check backup", path);
        sqlite3_finalize(st);
        return r;
    }
    sqlite3_finalize(st);
    return 0;
}

/* Restores into an existing database: one write transaction through
 * SQLite's locking, so a reader sees the old or the new content. */
static int bk_restore_over(sqlite3 *src, const char *target, wms_backup_progress progress,
                           void *ctx, wms_error *err)
{
    sqlite3 *dst = NULL;
    int rc = bk_open_rw(target, &dst, err);
    if (rc < 0)
        return rc;
    int64_t n = 0;
    wms_error why;
    wms_error_clear(&why);
    if ((rc = bk_int(dst, "SELECT count(*) FROM sqlite_schema", target, &n, &why)) < 0) {
        wms_error_set(err, rc,
                      "%.200s; move it and its -wal/-shm away, then restore to the free path",
                      why.msg);
        goto out;
    }
    if ((rc = bk_snapshot_begin(src, target, err)) < 0)
        goto out;
    int pages = bk_copy(dst, src, target, progress, ctx, err);
    sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
    if ((rc = pages) < 0)
        goto out;
    /* Fold the WAL into the file; a reader may hold it back (not an error). */
    sqlite3_exec(dst, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    rc = pages;
out:
    sqlite3_close(dst);
    return rc;
}

int wms_db_restore(const char *backup, const char *target, int flags, wms_backup_progress progress,
                   void *ctx, wms_error *err)
{
    bool overwrite = (flags & WMS_BACKUP_OVERWRITE) != 0;
    int rc;
    if ((rc = bk_check_path(backup, "restore", err)) < 0 ||
        (rc = bk_check_path(target, "restore", err)) < 0)
        return rc;
    struct stat sb;
    if (stat(backup, &sb) != 0)
        return wms_error_set(err, WMS_ENOT_FOUND, "no backup file %s: %s", backup, strerror(errno));
    if (bk_same_file(backup, target))
        return wms_error_set(err, WMS_EBAD_ARGS, "restore: %s is the database itself", backup);
    bool exists = bk_exists(target);
    if (exists && !overwrite)
        return wms_error_set(err, WMS_EEXISTS,
                             "database %s exists: a restore replaces all of it; stop wmsd and "
                             "overwrite it (wmsctl: --force)",
                             target);
    /* Opening the backup read-only may create its -wal/-shm (a WAL-mode
     * file): remove them afterwards if they were not there before. */
    char wal[BK_PATH_MAX + 8], shm[BK_PATH_MAX + 8];
    snprintf(wal, sizeof(wal), "%s-wal", backup);
    snprintf(shm, sizeof(shm), "%s-shm", backup);
    bool had_wal = bk_exists(wal), had_shm = bk_exists(shm);
    wms_db *bdb = NULL;
    if ((rc = bk_open_backup(backup, &bdb, err)) < 0)
        goto out;
    sqlite3 *src = bdb->sql;
    if (exists) {
        rc = bk_restore_over(src, target, progress, ctx, err);
        goto out;
    }
    /* A new database: companions of an earlier file at this path would be
     * replayed onto it, so they go first. */
    bk_unlink_suffix(target, "-wal");
    bk_unlink_suffix(target, "-shm");
    bk_unlink_suffix(target, "-journal");
    char tmp[BK_PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s.tmp", target);
    if ((rc = bk_claim_tmp(tmp, overwrite, err)) < 0)
        goto out;
    int pages = bk_copy_new(src, tmp, "wal", progress, ctx, err);
    if (pages < 0 || (rc = bk_install(tmp, target, false, err)) < 0) {
        bk_unlink_all(tmp);
        rc = pages < 0 ? pages : rc;
        goto out;
    }
    rc = pages;
out:
    wms_db_close(bdb);
    if (!had_wal && stat(wal, &sb) == 0 && sb.st_size == 0) {
        unlink(wal);
        if (!had_shm)
            unlink(shm);
    }
    return rc;
}
