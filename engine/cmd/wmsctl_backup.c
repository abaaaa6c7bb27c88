/* wmsctl_backup.c - backup FILE (online, while wmsd serves) and restore FILE. */
#include "wmsctl.h"
#include "store/backup.h"

#include <sys/stat.h>
#include <unistd.h>

/* Shows "N of M pages" on a terminal's stderr; silent otherwise. */
static int show_progress(void *ctx, int remaining, int total)
{
    const char *what = ctx;
    if (total > 0)
        fprintf(stderr, "\r%s: %d of %d pages", what, total - remaining, total);
    if (remaining == 0)
        fputc('\n', stderr);
    return 0;
}

static wms_backup_progress progress_fn(void)
{
    return isatty(STDERR_FILENO) ? show_progress : NULL;
}

static long long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

int cmd_backup(ctl *c)
{
    if (c->argc != 1) {
        fprintf(stderr, "wmsctl: BAD_ARGS: usage: wmsctl backup FILE [--force]\n");
        return CTL_USAGE;
    }
    const char *file = c->argv[0];
    wms_db *db;
    /* Read-only: the source is never changed (not migrated, and a
     * rollback-journal file, e.g. an earlier backup, stays one). */
    int rc = ctl_open_ro(c, WMS_DB_OLDER_OK, &db);
    if (rc)
        return rc;
    int version = wms_db_schema_version(db);
    wms_error err;
    wms_error_clear(&err);
    int flags = ctl_opt(c, "force") != NULL ? WMS_BACKUP_OVERWRITE : 0;
    int pages = wms_db_backup_ex(db, file, flags, progress_fn(), "backup", &err);
    wms_db_close(db);
    if (pages < 0)
        return ctl_fail(&err);
    if (c->json) {
        printf("{\"file\":");
        ctl_json_str(stdout, file);
        printf(",\"pages\":%d,\"bytes\":%lld,\"schema_version\":%d}\n", pages, file_size(file),
               version);
    } else {
        printf("backup of %s written to %s: %d pages (%lld bytes), schema version %d\n", c->db_path,
               file, pages, file_size(file), version);
    }
    return 0;
}

int cmd_restore(ctl *c)
{
    if (c->argc != 1) {
        fprintf(stderr, "wmsctl: BAD_ARGS: usage: wmsctl restore FILE [--force]\n");
        return CTL_USAGE;
    }
    const char *file = c->argv[0];
    wms_error err;
    wms_error_clear(&err);
    int flags = ctl_opt(c, "force") != NULL ? WMS_BACKUP_OVERWRITE : 0;
    int pages = wms_db_restore(file, c->db_path, flags, progress_fn(), "restore", &err);
    if (pages < 0)
        return ctl_fail(&err);
    /* Opening applies the migrations an older backup lacks. */
    wms_db *db;
    int rc = ctl_open(c, 0, &db);
    if (rc)
        return rc;
    int version = wms_db_schema_version(db);
    wms_db_close(db);
    if (c->json) {
        printf("{\"file\":");
        ctl_json_str(stdout, file);
        printf(",\"db\":");
        ctl_json_str(stdout, c->db_path);
        printf(",\"pages\":%d,\"schema_version\":%d}\n", pages, version);
    } else {
        printf("restored %s into %s: %d pages, schema version %d\n", file, c->db_path, pages,
               version);
    }
    return 0;
}
