/* wmsctl_pack.c - SSCC numbering settings and carton labels. */
#include "wmsctl.h"
#include "label/label.h"
#include "store/pack.h"

#include <stdlib.h>
#include <string.h>

/* wmsctl sscc prefix DIGITS [--extension N] | wmsctl sscc show */
int cmd_sscc(ctl *c)
{
    if (c->argc < 1 || (strcmp(c->argv[0], "prefix") && strcmp(c->argv[0], "show")) ||
        (!strcmp(c->argv[0], "prefix") && c->argc != 2)) {
        fprintf(stderr, "wmsctl: BAD_ARGS: usage: wmsctl sscc prefix DIGITS [--extension N] | "
                        "wmsctl sscc show\n");
        return CTL_USAGE;
    }
    long long ext;
    int rc = ctl_opt_long(c, "extension", 0, 9, 0, &ext);
    if (rc)
        return rc;
    wms_db *db;
    if ((rc = ctl_open(c, 0, &db)) != 0)
        return rc;
    wms_error err;
    wms_error_clear(&err);
    if (!strcmp(c->argv[0], "prefix"))
        rc = wms_sscc_config_set(db, c->argv[1], (int)ext, &err);
    char prefix[16] = "";
    int e = 0;
    if (rc >= 0)
        rc = wms_sscc_config_get(db, prefix, sizeof(prefix), &e, &err);
    wms_db_close(db);
    if (rc < 0)
        return ctl_fail(&err);
    if (c->json) {
        printf("{\"prefix\":");
        ctl_json_str(stdout, prefix);
        printf(",\"extension\":%d}\n", e);
    } else if (prefix[0]) {
        printf("SSCC: extension %d, GS1 company prefix %s, %d-digit serial\n", e, prefix,
               16 - (int)strlen(prefix));
    } else {
        printf("no SSCC prefix set (wmsctl sscc prefix DIGITS)\n");
    }
    return 0;
}

/* wmsctl carton label SSCC [--png F] [--svg F] */
int cmd_carton(ctl *c)
{
    if (c->argc != 2 || strcmp(c->argv[0], "label")) {
        fprintf(stderr, "wmsctl: BAD_ARGS: usage: wmsctl carton label SSCC [--png F] [--svg F]\n");
        return CTL_USAGE;
    }
    wms_db *db;
    int rc = ctl_open_ro(c, 0, &db);
    if (rc)
        return rc;
    wms_error err;
    wms_error_clear(&err);
    char *zpl = malloc(WMS_ZPL_MAX);
    if (zpl == NULL) {
        wms_db_close(db);
        return CTL_FAIL;
    }
    rc = wms_carton_label(db, c->argv[1], zpl, WMS_ZPL_MAX, &err);
    wms_db_close(db);
    if (rc < 0) {
        free(zpl);
        return ctl_fail(&err);
    }
    fputs(zpl, stdout);
    free(zpl);
    char data[32];
    snprintf(data, sizeof(data), "(00)%.18s", c->argv[1]);
    const char *paths[] = {ctl_opt(c, "png"), ctl_opt(c, "svg")};
    for (int i = 0; i < 2; i++) {
        if (paths[i] == NULL)
            continue;
        if ((rc = wms_label_preview(WMS_LABEL_GS1_128, data, paths[i], &err)) < 0)
            return ctl_fail(&err);
        fprintf(stderr, "wmsctl: preview written to %s\n", paths[i]);
    }
    return 0;
}
