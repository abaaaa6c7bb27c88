/* wmsctl_carton.c - cartonize REF | --skus SKU=QTY,..., and boxes (box type list). */
#include "wmsctl.h"
#include "store/boxes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char cartonize_usage[] =
    "usage: wmsctl cartonize REF [--json]\n"
    "       wmsctl cartonize --skus SKU=QTY[,SKU=QTY...] [--json]\n";

static int usage_fail(const char *why)
{
    fprintf(stderr, "wmsctl: BAD_ARGS: %s\n%s", why, cartonize_usage);
    return CTL_USAGE;
}

/* The readable form of a proposal. */
static void print_text(const char *ref, const wms_carton_result *r)
{
    printf("%s: %d box%s for %d unit%s, %.1f l of boxes, %.0f%% filled\n", ref, r->nbox,
           r->nbox == 1 ? "" : "es", r->nplace, r->nplace == 1 ? "" : "s",
           (double)r->box_volume_mm3 / 1e6,
           r->box_volume_mm3 > 0 ? 100.0 * (double)r->units_volume_mm3 / (double)r->box_volume_mm3
                                 : 0.0);
    for (int b = 0; b < r->nbox; b++) {
        const wms_carton_box *bx = &r->box[b];
        const wms_box_type *t = &r->types[bx->type];
        int64_t vol = wms_box_type_volume(t);
        printf("\nbox %d: %s %lld x %lld x %lld mm, %d unit%s, %lld g + tare %lld g = %lld g "
               "(limit %lld g), %.0f%% filled\n",
               b + 1, t->code, (long long)t->length_mm, (long long)t->width_mm,
               (long long)t->height_mm, bx->units, bx->units == 1 ? "" : "s",
               (long long)bx->content_weight_g, (long long)t->tare_g,
               (long long)(bx->content_weight_g + t->tare_g), (long long)t->max_weight_g,
               vol > 0 ? 100.0 * (double)bx->content_volume_mm3 / (double)vol : 0.0);
        printf("  %3s  %-20s %-22s %s\n", "#", "SKU", "AT x,y,z (mm)", "SIZE x y z (mm)");
        for (int k = bx->first_place; k < bx->first_place + bx->units; k++) {
            const wms_carton_place *p = &r->place[k];
            const char *sku = r->items[p->item].sku;
            if (!p->placed) {
                printf("  %3d  %-20s %-22s %s\n", k - bx->first_place + 1, sku, "-",
                       "no dimensions: by weight only");
                continue;
            }
            char at[64];
            snprintf(at, sizeof(at), "%lld,%lld,%lld", (long long)p->x_mm, (long long)p->y_mm,
                     (long long)p->z_mm);
            printf("  %3d  %-20s %-22s %lld x %lld x %lld\n", k - bx->first_place + 1, sku, at,
                   (long long)p->dx_mm, (long long)p->dy_mm, (long long)p->dz_mm);
        }
    }
    char note[512];
    for (int which = 0; which < 2; which++)
        if (wms_cartonize_note(r, which, note, sizeof(note)))
            printf("\nnote: %s\n", note);
}

/* Parses "SKU=QTY,SKU=QTY" (s is modified) into lines (at most max). */
static int parse_skus(char *s, wms_cartonize_line *lines, int max)
{
    int n = 0;
    for (char *tok = strtok(s, ","); tok != NULL; tok = strtok(NULL, ",")) {
        char *eq = strrchr(tok, '=');
        if (eq == NULL || eq == tok || n >= max)
            return -1;
        *eq = '\0';
        char *end;
        errno = 0;
        long long q = strtoll(eq + 1, &end, 10);
        if (errno || end == eq + 1 || *end || q < 1 || q > WMS_CARTON_UNITS_MAX)
            return -1;
        lines[n].item_id = 0;
        lines[n].sku = tok;
        lines[n].qty = q;
        n++;
    }
    return n;
}

int cmd_cartonize(ctl *c)
{
    const char *skus = ctl_opt(c, "skus");
    if ((skus == NULL && c->argc != 1) || (skus != NULL && c->argc != 0))
        return usage_fail("cartonize takes one order reference, or --skus");
    static wms_cartonize_line lines[WMS_CARTON_UNITS_MAX];
    char *buf = NULL;
    int n = 0;
    if (skus != NULL) {
        if ((buf = strdup(skus)) == NULL) {
            fprintf(stderr, "wmsctl: NOMEM: out of memory\n");
            return CTL_FAIL;
        }
        if ((n = parse_skus(buf, lines, WMS_CARTON_UNITS_MAX)) < 1) {
            free(buf);
            return usage_fail("--skus wants SKU=QTY[,SKU=QTY...] with quantities 1 to 1000");
        }
    }
    wms_db *db;
    int rc = ctl_open_ro(c, 0, &db);
    if (rc) {
        free(buf);
        return rc;
    }
    wms_carton_result r;
    wms_error err;
    wms_error_clear(&err);
    int prc = skus != NULL ? wms_cartonize_units(db, lines, n, &r, &err)
                           : wms_cartonize_order(db, c->argv[0], &r, &err);
    if (prc < 0) {
        rc = ctl_fail(&err);
    } else {
        const char *ref = skus != NULL ? NULL : c->argv[0];
        if (c->json) {
            if (wms_cartonize_json(stdout, ref, &r) < 0) {
                fprintf(stderr, "wmsctl: IO: cannot write the output\n");
                rc = CTL_FAIL;
            }
        } else {
            char head[96];
            snprintf(head, sizeof(head), "order %s", ref != NULL ? ref : "");
            print_text(ref != NULL ? head : "units", &r);
        }
        wms_carton_result_free(&r);
    }
    wms_db_close(db);
    free(buf);
    return rc;
}

typedef struct list_ctx {
    int json, n;
} list_ctx;

static int print_box(void *ctx, const wms_box_type *b)
{
    list_ctx *lc = ctx;
    if (lc->json) {
        printf("%s\n  {\"code\":", lc->n++ ? "," : "");
        ctl_json_str(stdout, b->code);
        printf(",\"length_mm\":%lld,\"width_mm\":%lld,\"height_mm\":%lld,\"max_weight_g\":%lld,"
               "\"tare_g\":%lld}",
               (long long)b->length_mm, (long long)b->width_mm, (long long)b->height_mm,
               (long long)b->max_weight_g, (long long)b->tare_g);
    } else {
        printf("%-20s %8lld %8lld %8lld %12lld %8lld\n", b->code, (long long)b->length_mm,
               (long long)b->width_mm, (long long)b->height_mm, (long long)b->max_weight_g,
               (long long)b->tare_g);
    }
    return 0;
}

int cmd_boxes(ctl *c)
{
    if (c->argc != 0) {
        fprintf(stderr, "wmsctl: BAD_ARGS: usage: wmsctl boxes [--json]\n");
        return CTL_USAGE;
    }
    wms_db *db;
    int rc = ctl_open_ro(c, 0, &db);
    if (rc)
        return rc;
    list_ctx lc = {c->json, 0};
    if (c->json)
        printf("[");
    else
        printf("%-20s %8s %8s %8s %12s %8s\n", "CODE", "L mm", "W mm", "H mm", "MAX g", "TARE g");
    wms_error err;
    wms_error_clear(&err);
    if (wms_box_list(db, print_box, &lc, &err) < 0)
        rc = ctl_fail(&err);
    if (c->json)
        printf("%s]\n", lc.n ? "\n" : "");
    wms_db_close(db);
    return rc;
}
