/* device.c - scanner self-test records and the device list. */
#include "store/device.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

/* The quirks as "CODE: message" lines. */
static void detail_text(const wms_selftest *t, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < t->n_quirks && len + 1 < n; i++) {
        int w = snprintf(buf + len, n - len, "%s%s: %s", i ? "\n" : "",
                         wms_selftest_quirk_code(t->quirks[i].kind), t->quirks[i].message);
        if (w < 0)
            break;
        len += (size_t)w < n - len ? (size_t)w : n - len - 1;
    }
}

int wms_selftest_record(wms_db *db, const char *device, const char *user, const wms_selftest *t,
                        wms_error *err)
{
    if (device == NULL || device[0] == '\0' || strlen(device) > 64 || t == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "a self-test needs a device id (1-64 bytes)");
    if (user != NULL && strlen(user) > 32)
        return wms_error_set(err, WMS_EBAD_ARGS, "user name longer than 32 bytes");
    char codes[160], detail[WMS_SELFTEST_DETAIL_MAX], sub[2] = {t->gs_sub, '\0'};
    if (wms_selftest_codes(t, codes, sizeof(codes)) < 0)
        return wms_error_set(err, WMS_ETOO_LARGE, "too many quirks to record");
    detail_text(t, detail, sizeof(detail));
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    static const char ins[] =
        "INSERT INTO scanner_selftests(device, user, ts, ok, usable, quirks, detail, gs_sub) "
        "VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?3, ?4, ?5, ?6, ?7)";
    static const char prune[] =
        "DELETE FROM scanner_selftests WHERE device = ?1 AND id <= "
        "(SELECT id FROM scanner_selftests WHERE device = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)";
    sqlite3_stmt *st = db__stmt(db, ins, err);
    if (st == NULL)
        return db__op_end(db, err ? err->code : WMS_ESTORAGE, err);
    db__bind_text(st, 1, device);
    db__bind_text(st, 2, user);
    sqlite3_bind_int(st, 3, t->ok ? 1 : 0);
    sqlite3_bind_int(st, 4, t->usable ? 1 : 0);
    db__bind_text(st, 5, codes);
    db__bind_text(st, 6, detail);
    db__bind_text(st, 7, sub);
    if ((rc = db__exec_stmt(db, st, err, "record self-test")) < 0)
        return db__op_end(db, rc, err);
    if ((st = db__stmt(db, prune, err)) == NULL)
        return db__op_end(db, err ? err->code : WMS_ESTORAGE, err);
    db__bind_text(st, 1, device);
    sqlite3_bind_int(st, 2, WMS_SELFTEST_KEEP);
    rc = db__exec_stmt(db, st, err, "prune self-tests");
    rc = db__op_end(db, rc, err);
    return rc < 0 ? rc : 0;
}

int wms_device_list(wms_db *db, int failed_only, int limit,
                    int (*cb)(void *, const wms_device_row *), void *ctx, int *more, wms_error *err)
{
    if (more != NULL)
        *more = 0;
    if (limit < 1 || limit > WMS_DEVICE_LIST_MAX)
        return wms_error_set(err, WMS_EBAD_ARGS, "limit must be 1 to %d", WMS_DEVICE_LIST_MAX);
    /* The latest test of each device (scanner_selftests_device index). */
    static const char sql[] =
        "SELECT s.device, s.user, s.ts, s.ok, s.usable, s.quirks, s.gs_sub, s.detail, "
        " (SELECT count(*) FROM scanner_selftests t WHERE t.device = s.device), "
        " coalesce((SELECT max(t.ts) FROM scanner_selftests t "
        "           WHERE t.device = s.device AND t.ok = 1), '') "
        "FROM scanner_selftests s "
        "WHERE s.id = (SELECT max(t.id) FROM scanner_selftests t WHERE t.device = s.device) "
        "  AND (?1 = 0 OR s.ok = 0) "
        "ORDER BY s.device LIMIT ?2";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int(st, 1, failed_only ? 1 : 0);
    sqlite3_bind_int(st, 2, limit + 1);
    int n = 0, rc;
    wms_device_row row;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == limit) {
            if (more != NULL)
                *more = 1;
            break;
        }
        memset(&row, 0, sizeof(row));
        db__col_text(st, 0, row.device, sizeof(row.device));
        db__col_text(st, 1, row.user, sizeof(row.user));
        db__col_text(st, 2, row.ts, sizeof(row.ts));
        row.ok = sqlite3_column_int(st, 3) != 0;
        row.usable = sqlite3_column_int(st, 4) != 0;
        db__col_text(st, 5, row.quirks, sizeof(row.quirks));
        db__col_text(st, 6, row.gs_sub, sizeof(row.gs_sub));
        db__col_text(st, 7, row.detail, sizeof(row.detail));
        row.tests = sqlite3_column_int64(st, 8);
        db__col_text(st, 9, row.last_ok, sizeof(row.last_ok));
        n++;
        if (cb(ctx, &row) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        n = db__fail(db, rc, err, "list devices");
    sqlite3_reset(st);
    return n;
}
