/*
 * device.h - the scanner self-tests of handheld devices (table
 * scanner_selftests, migration 5).
 *
 * Every self-test (scanner.selftest) is recorded: device, user, time,
 * whether the scan was exact (ok) and still parses (usable), the quirk
 * codes and messages, and the substitute separator found.  The newest
 * WMS_SELFTEST_KEEP tests of a device are kept; older ones are pruned when
 * a new one is recorded, so a device's history cannot grow without bound.
 * A supervisor lists the devices by their latest test (wmsctl device list,
 * device.list); a device whose latest test was not exact has "failed".
 */
#ifndef WMS_STORE_DEVICE_H
#define WMS_STORE_DEVICE_H

#include "domain/selftest.h"
#include "wms.h"

#define WMS_SELFTEST_KEEP 20     /* tests kept per device */
#define WMS_DEVICE_LIST_MAX 1000 /* devices one listing may return */
#define WMS_SELFTEST_DETAIL_MAX (WMS_SELFTEST_MAX_QUIRKS * (WMS_SELFTEST_MSG_MAX + 24))

/* A device and its latest self-test. */
typedef struct wms_device_row {
    char device[65];
    char user[33];                        /* who ran the latest test */
    char ts[32];                          /* when (UTC, ISO 8601) */
    int ok;                               /* the latest test was exact */
    int usable;                           /* its scan still parsed to the label's data */
    char quirks[160];                     /* codes, comma-separated ("" when ok) */
    char gs_sub[2];                       /* the substitute found, "" when none */
    char detail[WMS_SELFTEST_DETAIL_MAX]; /* "CODE: message" lines */
    int64_t tests;                        /* tests kept for the device */
    char last_ok[32];                     /* time of its latest exact test, "" when none */
} wms_device_row;

/* Records one self-test result `t` of `device` (1-64 bytes) run by `user`
 * (may be NULL or "") and prunes the device's tests beyond
 * WMS_SELFTEST_KEEP.  Atomic (its own savepoint or transaction).  Errors:
 * WMS_EBAD_ARGS (device), storage errors. */
int wms_selftest_record(wms_db *db, const char *device, const char *user, const wms_selftest *t,
                        wms_error *err);

/* Calls cb for each device that ran a self-test (only those whose latest
 * test failed when failed_only), ordered by device id, at most `limit`
 * (1..WMS_DEVICE_LIST_MAX); a non-zero return from cb stops the walk.  cb
 * must not call other engine functions.  *more (may be NULL) is set to 1
 * when more devices matched than `limit`.  Returns the number passed to cb,
 * or WMS_EBAD_ARGS (limit) or a storage error. */
int wms_device_list(wms_db *db, int failed_only, int limit,
                    int (*cb)(void *, const wms_device_row *), void *ctx, int *more,
                    wms_error *err);

#endif
