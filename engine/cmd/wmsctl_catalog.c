/* wmsctl_catalog.c - import, export, barcode parse|resolve, label. */
#include "wmsctl.h"
#include "domain/gs1.h"
#include "domain/selftest.h"
#include "label/label.h"

#include <stdlib.h>
#include <string.h>

int cmd_import(ctl *c)
{
    if (c->argc != 2) {
        fprintf(stderr, "wmsctl: BAD_ARGS: usage: wmsctl import KIND FILE.csv [--update]\n");
        return CTL_USAGE;
    }
    FILE *in = strcmp(c->argv[1], "-") ? fopen(c->argv[1], "r") : stdin;
    if (in == NULL) {
        fprintf(stderr, "wmsctl: IO: cannot open %s\n", c->argv[1]);
        return CTL_USAGE;
    }
    wms_db *db;
    int rc = ctl_open(c, 0, &db);
    if (rc) {
        if (in != stdin)
            fclose(in);
        return rc;
    }
    wms_actor who = {c->user, c->device, NULL};
    wms_import_stats st;
    wms_error err;
    wms_error_clear(&err);
    rc = wms_import(db, &who, c->argv[0], in, c->update, &st, &err);
    if (in != stdin)
        fclose(in);
    wms_db_close(db);
    if (rc < 0) {
        fprintf(stderr, "wmsctl: %s: %s: %s (nothing was imported)\n", wms_err_name(err.code),
                c->argv[1], err.msg);
        return CTL_USAGE;
    }
    if (c->json)
        printf("{\"kind\":\"%s\",\"rows\":%ld,\"inserted\":%ld,\"updated\":%ld,"
               "\"unchanged\":%ld,\"ambiguous\":%ld}\n",
               c->argv[0], st.rows, st.inserted, st.updated, st.unchanged, st.ambiguous);
    else
        printf("imported %s: %ld rows (%ld new, %ld updated, %ld unchanged)\n", c->argv[0], st.rows,
               st.inserted, st.updated, st.unchanged);
    if (st.ambiguous > 0)
        fprintf(stderr,
                "wmsctl: warning: %ld code(s) now belong to more than one item; scans of them "
                "will ask which item is meant (AMBIGUOUS_CODE)\n",
                st.ambiguous);
    return 0;
}

int cmd_export(ctl *c)
{
    if (c->argc != 1) {
        fprintf(stderr, "wmsctl: BAD_ARGS: usage: wmsctl export KIND [--json]\n");
        return CTL_USAGE;
    }
    wms_db *db;
    int rc = ctl_open_ro(c, 0, &db);
    if (rc)
        return rc;
    wms_error err;
    wms_error_clear(&err);
    rc = wms_export(db, c->argv[0], stdout, c->json, &err);
    wms_db_close(db);
    return rc < 0 ? ctl_fail(&err) : 0;
}

static void parse_human(const wms_gs1 *g)
{
    printf("symbology        %s\n", g->symbology);
    for (int i = 0; i < g->n_ais; i++)
        printf("AI (%s)%*s%s\n", g->ais[i].ai, (int)(12 - strlen(g->ais[i].ai)), "",
               g->ais[i].value);
    if (g->gtin[0])
        printf("GTIN             %s\n", g->gtin);
    if (g->content_gtin[0])
        printf("content GTIN     %s\n", g->content_gtin);
    if (g->sscc[0])
        printf("SSCC             %s\n", g->sscc);
    if (g->lot[0])
        printf("lot              %s\n", g->lot);
    if (g->expiry[0])
        printf("expiry           %s\n", g->expiry);
    if (g->best_before[0])
        printf("best before      %s\n", g->best_before);
    if (g->serial[0])
        printf("serial           %s\n", g->serial);
    if (g->has_count)
        printf("count            %ld\n", g->count);
    if (g->has_net_weight)
        printf("net weight       %.3f kg\n", g->net_weight_kg);
}

static void resolve_print(const ctl *c, const char *code, const wms_resolution *r)
{
    static const char *const kinds[] = {"unknown", "item", "bin", "sscc"};
    if (!c->json) {
        printf("code %s: %s\n", code, kinds[r->kind]);
        if (r->kind == WMS_CODE_BIN)
            printf("  bin %s\n", r->bin);
        for (int i = 0; i < r->n; i++)
            printf("  item %-12s %-30s %s pack = %lld unit(s)\n", r->m[i].sku, r->m[i].description,
                   r->m[i].level, (long long)r->m[i].units);
        if (r->n > 1)
            printf("  AMBIGUOUS_CODE: %d items share this code; a booking must name the item\n",
                   r->n);
        else if (r->n == 1)
            printf("  one scan books %lld unit(s)\n", (long long)r->qty);
        if (r->lot[0])
            printf("  lot %s\n", r->lot);
        if (r->expiry[0])
            printf("  expiry %s\n", r->expiry);
        if (r->serial[0])
            printf("  serial %s\n", r->serial);
        if (r->sscc[0])
            printf("  SSCC %s\n", r->sscc);
        return;
    }
    printf("{\"code\":");
    ctl_json_str(stdout, code);
    printf(",\"kind\":\"%s\",\"key\":", kinds[r->kind]);
    ctl_json_str(stdout, r->key);
    if (r->kind == WMS_CODE_BIN) {
        printf(",\"bin\":");
        ctl_json_str(stdout, r->bin);
    }
    printf(",\"items\":[");
    for (int i = 0; i < r->n; i++) {
        printf("%s{\"sku\":", i ? "," : "");
        ctl_json_str(stdout, r->m[i].sku);
        printf(",\"description\":");
        ctl_json_str(stdout, r->m[i].description);
        printf(",\"level\":\"%s\",\"units\":%lld}", r->m[i].level, (long long)r->m[i].units);
    }
    printf("]");
    if (r->n > 1)
        printf(",\"ambiguous\":true,\"error\":\"AMBIGUOUS_CODE\"");
    else if (r->n == 1)
        printf(",\"ambiguous\":false,\"qty\":%lld", (long long)r->qty);
    if (r->gs1)
        printf(",\"count\":%lld", (long long)r->count);
    const char *keys[] = {"lot", "expiry", "serial", "sscc"};
    const char *vals[] = {r->lot, r->expiry, r->serial, r->sscc};
    for (int i = 0; i < 4; i++)
        if (vals[i][0]) {
            printf(",\"%s\":", keys[i]);
            ctl_json_str(stdout, vals[i]);
        }
    printf("}\n");
}

int cmd_barcode(ctl *c)
{
    if (c->argc != 2 || (strcmp(c->argv[0], "parse") && strcmp(c->argv[0], "resolve"))) {
        fprintf(stderr, "wmsctl: BAD_ARGS: usage: wmsctl barcode parse|resolve CODE [--json]\n");
        return CTL_USAGE;
    }
    const char *code = c->argv[1];
    wms_error err;
    wms_error_clear(&err);
    if (!strcmp(c->argv[0], "parse")) {
        wms_gs1 g;
        wms_gs1_opts o = {.gs_substitute = c->gs_sub, .current_year = 0};
        if (wms_gs1_parse(code, strlen(code), &o, &g, &err) < 0) {
            fprintf(stderr, "wmsctl: %s: %s\n", wms_err_name(err.code), err.msg);
            return CTL_USAGE;
        }
        if (c->json) {
            char buf[4096];
            if (wms_gs1_to_json(&g, buf, sizeof(buf)) < 0) {
                fprintf(stderr, "wmsctl: TOO_LARGE: parse too large to print\n");
                return CTL_USAGE;
            }
            printf("%s\n", buf);
        } else {
            parse_human(&g);
        }
        return 0;
    }
    wms_db *db;
    int rc = ctl_open(c, 0, &db);
    if (rc)
        return rc;
    wms_resolution r;
    rc = wms_code_resolve(db, code, c->gs_sub, &r, &err);
    wms_db_close(db);
    if (rc < 0)
        return ctl_fail(&err);
    resolve_print(c, code, &r);
    return 0;
}

/* The symbology and preview data for a stored code key. */
static wms_label_sym label_sym(const char *key, char *data, size_t n)
{
    size_t len = strlen(key), digits = strspn(key, "0123456789");
    if (len == 14 && digits == 14 && key[0] == '0') {
        snprintf(data, n, "%s", key + 1); /* GTIN-13 (or padded UPC/EAN-8) */
        return WMS_LABEL_EAN13;
    }
    if (len == 14 && digits == 14) {
        snprintf(data, n, "(01)%s", key);
        return WMS_LABEL_GS1_128;
    }
    snprintf(data, n, "%s", key);
    return WMS_LABEL_CODE128;
}

/* `label selftest`: the scanner self-test label (domain/selftest.h), a
 * GS1-128 with two variable-length AIs that need FNC1 separators.  Needs
 * no database. */
static int label_selftest(ctl *c)
{
    wms_error err;
    wms_error_clear(&err);
    static char zpl[16384];
    int rc = wms_label_gs1_zpl(WMS_SELFTEST_BRACKET, "SCANNER SELF-TEST", zpl, sizeof(zpl), &err);
    if (rc < 0)
        return ctl_fail(&err);
    fputs(zpl, stdout);
    const char *paths[] = {ctl_opt(c, "png"), ctl_opt(c, "svg")};
    for (int i = 0; i < 2; i++) {
        if (paths[i] == NULL)
            continue;
        if ((rc = wms_label_preview(WMS_LABEL_GS1_128, WMS_SELFTEST_BRACKET, paths[i], &err)) < 0)
            return ctl_fail(&err);
        fprintf(stderr, "wmsctl: preview written to %s\n", paths[i]);
    }
    return 0;
}

int cmd_label(ctl *c)
{
    if (c->argc != 1) {
        fprintf(stderr, "wmsctl: BAD_ARGS: usage: wmsctl label SKU|selftest [--png F] [--svg F]\n");
        return CTL_USAGE;
    }
    if (!strcmp(c->argv[0], "selftest"))
        return label_selftest(c);
    wms_db *db;
    int rc = ctl_open(c, 0, &db);
    if (rc)
        return rc;
    wms_error err;
    wms_error_clear(&err);
    wms_item it;
    char key[WMS_CODE_MAX + 1], data[WMS_CODE_MAX + 8];
    int internal = 0;
    if ((rc = wms_item_get(db, c->argv[0], &it, &err)) >= 0 &&
        (rc = wms_item_label_code(db, c->argv[0], key, sizeof(key), &err)) >= 0)
        internal = rc == 1;
    wms_db_close(db);
    if (rc < 0)
        return ctl_fail(&err);
    wms_label_sym sym = label_sym(key, data, sizeof(data));
    static char zpl[16384];
    if ((rc = wms_label_item_zpl(it.sku, it.description, data, sym, zpl, sizeof(zpl), &err)) < 0)
        return ctl_fail(&err);
    fputs(zpl, stdout);
    if (internal)
        fprintf(stderr, "wmsctl: %s has no manufacturer code; internal code %s\n", it.sku, data);
    const char *paths[] = {ctl_opt(c, "png"), ctl_opt(c, "svg")};
    for (int i = 0; i < 2; i++) {
        if (paths[i] == NULL)
            continue;
        if ((rc = wms_label_preview(sym, data, paths[i], &err)) < 0)
            return ctl_fail(&err);
        fprintf(stderr, "wmsctl: preview written to %s\n", paths[i]);
    }
    return 0;
}
