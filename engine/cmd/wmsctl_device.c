/* wmsctl_device.c - device list [--failed] (scanner self-tests), device check. */
#include "wmsctl.h"
#include "domain/selftest.h"
#include "store/device.h"

#include <string.h>

static const char device_usage[] =
    "usage: wmsctl device list [--failed] [--limit N] [--json]\n"
    "       wmsctl device check SCAN [--gs C] [--json]   (diagnose a scan of the self-test "
    "label)\n";

typedef struct list_ctx {
    const ctl *c;
    int n;
} list_ctx;

/* A one-byte string for display: the character, or "0xNN" for a control. */
static const char *show_sub(const char *s, char *buf, size_t n)
{
    unsigned char ch = (unsigned char)s[0];
    if (ch == 0)
        snprintf(buf, n, "-");
    else if (ch <= 0x20 || ch >= 0x7F)
        snprintf(buf, n, "0x%02X", ch);
    else
        snprintf(buf, n, "%c", ch);
    return buf;
}

static int print_device(void *ctx, const wms_device_row *r)
{
    list_ctx *lc = ctx;
    if (lc->c->json) {
        printf("%s\n  {\"device\":", lc->n++ ? "," : "");
        ctl_json_str(stdout, r->device);
        printf(",\"user\":");
        ctl_json_str(stdout, r->user);
        printf(",\"ts\":");
        ctl_json_str(stdout, r->ts);
        printf(",\"ok\":%s,\"usable\":%s,\"quirks\":", r->ok ? "true" : "false",
               r->usable ? "true" : "false");
        ctl_json_str(stdout, r->quirks);
        printf(",\"gs_sub\":");
        if (r->gs_sub[0])
            ctl_json_str(stdout, r->gs_sub);
        else
            printf("null");
        printf(",\"tests\":%lld,\"last_ok\":", (long long)r->tests);
        if (r->last_ok[0])
            ctl_json_str(stdout, r->last_ok);
        else
            printf("null");
        printf(",\"detail\":");
        ctl_json_str(stdout, r->detail);
        printf("}");
        return 0;
    }
    char sub[8];
    lc->n++;
    printf("%-20s %-24s %-12s %-6s %-4s %s\n", r->device, r->ts, r->user,
           r->ok       ? "ok"
           : r->usable ? "quirks"
                       : "FAILED",
           show_sub(r->gs_sub, sub, sizeof(sub)), r->ok ? "" : r->quirks);
    for (const char *p = r->detail; !r->ok && *p;) {
        size_t len = strcspn(p, "\n");
        printf("    %.*s\n", (int)len, p);
        p += len + (p[len] == '\n');
    }
    return 0;
}

static int device_list(ctl *c)
{
    long long limit;
    int rc = ctl_opt_long(c, "limit", 1, WMS_DEVICE_LIST_MAX, 200, &limit);
    if (rc)
        return rc;
    wms_db *db;
    if ((rc = ctl_open_ro(c, 0, &db)) != 0)
        return rc;
    wms_error err;
    wms_error_clear(&err);
    list_ctx lc = {c, 0};
    int more = 0;
    if (c->json)
        printf("{\"devices\":[");
    else
        printf("%-20s %-24s %-12s %-6s %-4s %s\n", "DEVICE", "LAST SELF-TEST", "USER", "RESULT",
               "GS", "QUIRKS");
    rc = wms_device_list(db, ctl_opt(c, "failed") != NULL, (int)limit, print_device, &lc, &more,
                         &err);
    wms_db_close(db);
    if (c->json)
        printf("%s],\"more\":%s}\n", lc.n ? "\n" : "", more ? "true" : "false");
    else if (more)
        printf("(more devices: raise --limit)\n");
    if (rc < 0)
        return ctl_fail(&err);
    return 0;
}

/* Diagnoses a scan of the self-test label without recording anything. */
static int device_check(ctl *c)
{
    if (c->argc != 2) {
        fprintf(stderr, "wmsctl: BAD_ARGS: device check needs the scanned text\n%s", device_usage);
        return CTL_USAGE;
    }
    wms_selftest t;
    wms_selftest_check(c->argv[1], strlen(c->argv[1]), c->gs_sub, &t);
    if (c->json) {
        printf("{\"ok\":%s,\"usable\":%s,\"gs_sub\":", t.ok ? "true" : "false",
               t.usable ? "true" : "false");
        char sub[2] = {t.gs_sub, '\0'};
        if (t.gs_sub)
            ctl_json_str(stdout, sub);
        else
            printf("null");
        printf(",\"quirks\":[");
        for (int i = 0; i < t.n_quirks; i++) {
            printf("%s{\"code\":", i ? "," : "");
            ctl_json_str(stdout, wms_selftest_quirk_code(t.quirks[i].kind));
            printf(",\"message\":");
            ctl_json_str(stdout, t.quirks[i].message);
            printf(",\"setting\":");
            ctl_json_str(stdout, t.quirks[i].setting);
            printf("}");
        }
        printf("]}\n");
    } else if (t.ok) {
        printf("self-test ok: the scanner sends the label exactly\n");
    } else {
        printf("self-test: %s\n", t.usable ? "quirks (scans still parse)" : "FAILED");
        for (int i = 0; i < t.n_quirks; i++)
            printf("  %s: %s\n    setting: %s\n", wms_selftest_quirk_code(t.quirks[i].kind),
                   t.quirks[i].message, t.quirks[i].setting);
    }
    return t.ok ? CTL_OK : CTL_FAIL;
}

int cmd_device(ctl *c)
{
    if (c->argc >= 1 && !strcmp(c->argv[0], "list") && c->argc == 1)
        return device_list(c);
    if (c->argc >= 1 && !strcmp(c->argv[0], "check"))
        return device_check(c);
    fprintf(stderr, "wmsctl: BAD_ARGS: unknown or incomplete device command\n%s", device_usage);
    return CTL_USAGE;
}
