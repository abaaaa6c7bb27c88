/*
 * backup.h - online backup and restore of the database (SQLite backup API).
 *
 * A backup is a consistent snapshot taken while other connections (wmsd)
 * keep reading and writing: the source stays in one read transaction for
 * the whole copy, which in WAL mode blocks no writer.  The copy is written
 * to PATH.tmp, made a single self-contained file (rollback-journal mode, no
 * -wal to carry along), fsynced and then moved to PATH atomically, so PATH
 * is either absent or a complete backup, never half of one.
 *
 * A restore checks the backup first (a database, the tables of this
 * engine, a schema version this program accepts, PRAGMA quick_check) and
 * then copies it into the target with the same API in reverse: into an
 * existing database as one write transaction (other connections see the
 * old or the new content, never a mix), into a new path through PATH.tmp
 * and an atomic rename.
 */
#ifndef WMS_STORE_BACKUP_H
#define WMS_STORE_BACKUP_H

#include "wms.h"

/* Flags of wms_db_backup_ex and wms_db_restore. */
enum {
    WMS_BACKUP_OVERWRITE = 1, /* replace an existing file (and a leftover PATH.tmp) */
};

/* Pages copied per sqlite3_backup_step (4 MiB with 4 KiB pages). */
#define WMS_BACKUP_STEP_PAGES 1024
/* How long a locked database is retried before giving up with WMS_EBUSY. */
#define WMS_BACKUP_BUSY_MS 30000

/* Progress callback: called after each step with the pages still to copy
 * and the total.  A negative return aborts the copy with that code (the
 * partial file is removed); anything else continues. */
typedef int (*wms_backup_progress)(void *ctx, int remaining, int total);

/*
 * Writes a consistent copy of the open database `db` to `path`.  Refuses
 * with WMS_EEXISTS when `path` (or a leftover `path`.tmp) exists, unless
 * flags has WMS_BACKUP_OVERWRITE.  `db` must not be inside a transaction
 * (WMS_EBUSY).  Returns the number of pages copied, or a negative code:
 * WMS_EBAD_ARGS (no path, too long, the database itself), WMS_EEXISTS,
 * WMS_EBUSY (locked for longer than WMS_BACKUP_BUSY_MS), WMS_EDISK_FULL,
 * WMS_EIO, WMS_ESTORAGE; `path` is then untouched and no .tmp is left.
 * progress may be NULL.
 */
int wms_db_backup_ex(wms_db *db, const char *path, int flags, wms_backup_progress progress,
                     void *ctx, wms_error *err);

/* wms_db_backup_ex without flags: never overwrites. */
int wms_db_backup(wms_db *db, const char *path, int (*progress)(void *, int remaining, int total),
                  void *ctx, wms_error *err);

/*
 * Replaces the database at `target` by the backup at `backup`.  The backup
 * is checked first (WMS_ESTORAGE: not a database of this engine or damaged;
 * WMS_ESCHEMA: made by a newer program; WMS_ENOT_FOUND: no such file).  An
 * existing target is replaced only with WMS_BACKUP_OVERWRITE (else
 * WMS_EEXISTS); stop wmsd first: a running server would go on from the
 * restored state.  A missing target is created (orphan -wal/-shm/-journal
 * files of an earlier database at that path are removed first so they can
 * never be replayed onto it).  An older schema is accepted and migrated by
 * the next wms_db_open.  Returns the pages copied or a negative code; on
 * failure an existing target keeps its content.
 */
int wms_db_restore(const char *backup, const char *target, int flags, wms_backup_progress progress,
                   void *ctx, wms_error *err);

#endif
