/* wmsctl.h - shared pieces of the admin command line (thin front end). */
#ifndef WMSCTL_H
#define WMSCTL_H

#include "wms.h"

#include <stdio.h>

/* Exit statuses. */
enum { CTL_OK = 0, CTL_FAIL = 1, CTL_USAGE = 2 };

/* Parsed command line: global options and the remaining words. */
typedef struct ctl {
    const char *db_path;
    int json;
    int update;
    const char *user;
    const char *device;
    char gs_sub;
    int argc; /* positional words after the command */
    char **argv;
    /* --name value options, looked up with ctl_opt() */
    int nopts;
    const char *opt_name[32];
    const char *opt_val[32];
} ctl;

/* Value of option --name, or NULL. */
const char *ctl_opt(const ctl *c, const char *name);
/* Integer option with a range; on a bad value prints and returns CTL_USAGE. */
int ctl_opt_long(const ctl *c, const char *name, long long min, long long max, long long dflt,
                 long long *out);
/* Opens the database (creating it only for `init`). Prints errors. */
int ctl_open(const ctl *c, int create, wms_db **db);
/* Opens the database read-only (WMS_DB_READONLY: nothing is written, no
 * migration; flags may add WMS_DB_OLDER_OK).  For commands that only read.
 * Prints errors. */
int ctl_open_ro(const ctl *c, int flags, wms_db **db);
/* Prints err to stderr as "wmsctl: CODE: message"; returns the exit status
 * for that error (2 for bad input, 1 otherwise). */
int ctl_fail(const wms_error *err);
/* Exit status for an error code. */
int ctl_status(int code);
/* Writes s as a JSON string literal. */
#define ctl_json_str wms_json_str

int cmd_init(ctl *c);
int cmd_import(ctl *c);
int cmd_export(ctl *c);
int cmd_barcode(ctl *c);
int cmd_label(ctl *c);
int cmd_receive(ctl *c);
int cmd_move(ctl *c);
int cmd_stock(ctl *c);
int cmd_expiring(ctl *c);
int cmd_verify(ctl *c);
int cmd_demo_data(ctl *c);
int cmd_user(ctl *c);
int cmd_receipt(ctl *c);
int cmd_count(ctl *c);
int cmd_order(ctl *c);
int cmd_gift(ctl *c);
int cmd_route(ctl *c);
int cmd_wave(ctl *c);
int cmd_backup(ctl *c);
int cmd_restore(ctl *c);
int cmd_allocate(ctl *c);
int cmd_pickface(ctl *c);
int cmd_replenish(ctl *c);
int cmd_report(ctl *c);
int cmd_sscc(ctl *c);
int cmd_carton(ctl *c);
int cmd_return(ctl *c);
int cmd_device(ctl *c);
int cmd_putwall(ctl *c);
int cmd_cartonize(ctl *c);
int cmd_boxes(ctl *c);

#endif
