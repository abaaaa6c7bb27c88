/*
 * wmsctl - the warehouse engine's admin command line.
 *
 * A thin front end on the engine library: parses words, calls one engine
 * function, prints a human table or (--json) machine output.
 */
#include "wmsctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "usage: wmsctl [--db PATH] [--json] [--user NAME] [--device ID] COMMAND ...\n"
    "\n"
    "  init                                  create or migrate the database\n"
    "  import KIND FILE.csv [--update]       KIND: items packs barcodes layout bins stock\n"
    "                                        customers orders boxes putwall\n"
    "  export KIND [--json]                  write KIND back as CSV (or JSON)\n"
    "  barcode parse CODE [--json] [--gs C]  show what a scanned code holds (GS1)\n"
    "  barcode resolve CODE [--json]         which item/pack/bin a code means\n"
    "  label SKU [--png F] [--svg F]         ZPL item label (assigns an internal code)\n"
    "  receive --bin B --code C [--qty N] [--lot L] [--expiry YYYY-MM-DD] [--item SKU]\n"
    "          [--quarantine]                book goods in (a case code books its pack)\n"
    "  move --from B --to B (--item SKU | --code C) --qty N [--lot L] [--status S]\n"
    "       [--to-status S] [--reason R]     move stock (FEFO when no lot is named)\n"
    "  stock [--bin B] [--item SKU]          on-hand by bin/item/lot/expiry/status\n"
    "  expiring --days N                     lots expiring soon; old lots left behind\n"
    "  report abc [--from D] [--to D] [--days N] [--a-share PCT] [--b-share PCT] [--top N]\n"
    "                                        ABC classes by picks/units; A items to move nearer\n"
    "  report expiring --days N              the same as expiring\n"
    "  verify                                recompute stock from the journal\n"
    "  demo-data --out DIR [--seed N] [--bins N] [--items N]\n"
    "                                        generate a demo warehouse as CSV files\n"
    "  user add NAME --role ROLE             add a user (role: picker receiver supervisor\n"
    "                                        admin); the PIN is read from standard input\n"
    "  user set-pin NAME                     new PIN from standard input\n"
    "  user disable NAME | enable NAME       block or allow a user's logins\n"
    "  user list [--json]                    users with role and status (never PINs)\n"
    "  user login NAME [--device ID]         check a PIN (stdin) like a handheld login\n"
    "  receipt create REF [--tolerance PCT] SKU=QTY ...\n"
    "                                        an expected list (ASN) to receive against\n"
    "  receipt show REF | close REF [--json] expected vs received per item (close: final)\n"
    "  count create BIN [--reason R]         ask for a bin to be counted (blind count)\n"
    "  count list [--status S] [--json]      counts: open counting pending_approval done\n"
    "  count show ID | approve ID | reject ID\n"
    "                                        a count's lines; decide a large difference\n"
    "  order show REF [--json]               an order: header, lines, status history\n"
    "  order list [--status S] [--json]      orders (S: received held released allocated ...)\n"
    "  order release REF | cancel REF [--reason R]\n"
    "                                        release a held order; cancel one not yet picked\n"
    "  gift add PRODUCT GIFT --per N [--safety S]\n"
    "                                        N gift units per unit while more than S available\n"
    "  gift list [--json] | on ID | off ID   gift-with-purchase rules; switch one on or off\n"
    "  route [--json] BIN...                 shortest tour from the depot through the bins\n"
    "  wave plan|release [--method M] [--max-orders N] [--max-lines N] [--max-units N]\n"
    "       [--max-totes N] [--totes N] [--json]\n"
    "                                        plan the next wave (M: discrete batch zone\n"
    "                                        sort); release: allocate, create pick tasks\n"
    "  wave status ID [--json]               a wave's orders and tasks\n"
    "  allocate REF [--json]                 reserve stock FEFO for a released order\n"
    "  pickface set BIN SKU --min N --max M  replenishment levels of a pick face\n"
    "  replenish check [--wave ID] [--json]  create replenishment tasks (below min, wave)\n"
    "  replenish done TASK --qty N           report a replenishment moved (reserve -> face)\n"
    "  sscc prefix DIGITS [--extension N]    GS1 company prefix for carton SSCCs; sscc show\n"
    "  carton label SSCC [--png F] [--svg F] a closed carton's label (ZPL) and preview\n"
    "  return list [--status S] | show ID    customer returns and their lines (--json)\n"
    "  label selftest [--png F] [--svg F]    the scanner self-test label (GS1-128, ZPL)\n"
    "  device list [--failed] [--limit N]    devices by their latest scanner self-test\n"
    "  device check SCAN [--gs C]            diagnose a scan of the self-test label\n"
    "  cartonize REF [--json]                boxes for an order and where each unit goes\n"
    "  cartonize --skus SKU=QTY[,...]        the same for a list of units (a tote)\n"
    "  boxes [--json]                        the box types (import boxes FILE.csv)\n"
    "  putwall WALL [--open [--wave ID]] [--json]\n"
    "                                        a put wall's slots and orders (import putwall\n"
    "                                        FILE.csv); --open gives free slots orders\n"
    "  backup FILE [--force]                 consistent copy of the database, also while\n"
    "                                        wmsd serves (--force: replace FILE)\n"
    "  restore FILE [--force]                replace the database by a backup (stop wmsd\n"
    "                                        first; --force: the database exists)\n"
    "\n"
    "The database defaults to ./var/wms.db (or $WMS_DB).  $WMS_TODAY fixes today's date.\n";

const char *ctl_opt(const ctl *c, const char *name)
{
    for (int i = 0; i < c->nopts; i++)
        if (!strcmp(c->opt_name[i], name))
            return c->opt_val[i];
    return NULL;
}

int ctl_opt_long(const ctl *c, const char *name, long long min, long long max, long long dflt,
                 long long *out)
{
    const char *v = ctl_opt(c, name);
    *out = dflt;
    if (v == NULL)
        return 0;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end || x < min || x > max) {
        fprintf(stderr, "wmsctl: BAD_ARGS: --%s '%s' is not a whole number between %lld and %lld\n",
                name, v, min, max);
        return CTL_USAGE;
    }
    *out = x;
    return 0;
}

int ctl_status(int code)
{
    switch (code) {
    case WMS_ESTORAGE:
    case WMS_EIO:
    case WMS_EDISK_FULL:
    case WMS_EBUSY:
    case WMS_ENOMEM:
    case WMS_ESCHEMA:
        return CTL_FAIL;
    default:
        return CTL_USAGE;
    }
}

int ctl_fail(const wms_error *err)
{
    fprintf(stderr, "wmsctl: %s: %s\n", wms_err_name(err->code),
            err->msg[0] ? err->msg : wms_strerror(err->code));
    return ctl_status(err->code);
}

int ctl_open(const ctl *c, int create, wms_db **db)
{
    wms_error err;
    wms_error_clear(&err);
    if (create) {
        /* Make the parent directory of the default path. */
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s", c->db_path);
        char *slash = strrchr(dir, '/');
        if (slash != NULL && slash != dir) {
            *slash = '\0';
            mkdir(dir, 0755);
        }
    } else {
        struct stat sb;
        if (stat(c->db_path, &sb) != 0) {
            fprintf(stderr, "wmsctl: NOT_FOUND: no database at %s (run 'wmsctl init' first)\n",
                    c->db_path);
            return CTL_FAIL;
        }
    }
    if (wms_db_open(c->db_path, create ? WMS_DB_CREATE : 0, db, &err) < 0)
        return ctl_fail(&err);
    const char *today = getenv("WMS_TODAY");
    if (today != NULL && today[0] && wms_db_set_today(*db, today) < 0) {
        fprintf(stderr, "wmsctl: BAD_ARGS: WMS_TODAY '%s' is not YYYY-MM-DD\n", today);
        wms_db_close(*db);
        *db = NULL;
        return CTL_USAGE;
    }
    return 0;
}

int ctl_open_ro(const ctl *c, int flags, wms_db **db)
{
    wms_error err;
    wms_error_clear(&err);
    struct stat sb;
    if (stat(c->db_path, &sb) != 0) {
        fprintf(stderr, "wmsctl: NOT_FOUND: no database at %s (run 'wmsctl init' first)\n",
                c->db_path);
        return CTL_FAIL;
    }
    if (wms_db_open(c->db_path, WMS_DB_READONLY | (flags & WMS_DB_OLDER_OK), db, &err) < 0)
        return ctl_fail(&err);
    const char *today = getenv("WMS_TODAY");
    if (today != NULL && today[0] && wms_db_set_today(*db, today) < 0) {
        fprintf(stderr, "wmsctl: BAD_ARGS: WMS_TODAY '%s' is not YYYY-MM-DD\n", today);
        wms_db_close(*db);
        *db = NULL;
        return CTL_USAGE;
    }
    return 0;
}

int cmd_init(ctl *c)
{
    wms_db *db;
    int rc = ctl_open(c, 1, &db);
    if (rc)
        return rc;
    printf("database %s ready (schema version %d)\n", c->db_path, wms_db_schema_version(db));
    wms_db_close(db);
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(ctl *);
} commands[] = {
    {"init", cmd_init},           {"import", cmd_import},       {"export", cmd_export},
    {"barcode", cmd_barcode},     {"label", cmd_label},         {"receive", cmd_receive},
    {"move", cmd_move},           {"stock", cmd_stock},         {"expiring", cmd_expiring},
    {"verify", cmd_verify},       {"demo-data", cmd_demo_data}, {"user", cmd_user},
    {"receipt", cmd_receipt},     {"count", cmd_count},         {"backup", cmd_backup},
    {"restore", cmd_restore},     {"route", cmd_route},         {"wave", cmd_wave},
    {"order", cmd_order},         {"gift", cmd_gift},           {"allocate", cmd_allocate},
    {"pickface", cmd_pickface},   {"replenish", cmd_replenish}, {"report", cmd_report},
    {"sscc", cmd_sscc},           {"carton", cmd_carton},       {"return", cmd_return},
    {"cartonize", cmd_cartonize}, {"boxes", cmd_boxes},         {"device", cmd_device},
    {"putwall", cmd_putwall},
};

/* Flags that take no value. */
static int is_flag(const char *name)
{
    return !strcmp(name, "json") || !strcmp(name, "update") || !strcmp(name, "quarantine") ||
           !strcmp(name, "help") || !strcmp(name, "load") || !strcmp(name, "force") ||
           !strcmp(name, "failed") || !strcmp(name, "open");
}

int main(int argc, char **argv)
{
    ctl c;
    memset(&c, 0, sizeof(c));
    c.db_path = getenv("WMS_DB") ? getenv("WMS_DB") : "./var/wms.db";
    c.user = getenv("USER") ? getenv("USER") : "admin";
    c.device = "wmsctl";
    static char *words[64];
    int nwords = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] == '-' && a[2]) {
            const char *name = a + 2;
            if (is_flag(name)) {
                if (!strcmp(name, "json"))
                    c.json = 1;
                else if (!strcmp(name, "update"))
                    c.update = 1;
                else if (!strcmp(name, "help")) {
                    fputs(usage, stdout);
                    return 0;
                }
                if (c.nopts < 32) {
                    c.opt_name[c.nopts] = name;
                    c.opt_val[c.nopts++] = "1";
                }
                continue;
            }
            if (i + 1 >= argc) {
                fprintf(stderr, "wmsctl: BAD_ARGS: --%s needs a value\n", name);
                return CTL_USAGE;
            }
            const char *v = argv[++i];
            if (!strcmp(name, "db"))
                c.db_path = v;
            else if (!strcmp(name, "user"))
                c.user = v;
            else if (!strcmp(name, "device"))
                c.device = v;
            else if (!strcmp(name, "gs")) {
                if (strlen(v) != 1) {
                    fprintf(stderr, "wmsctl: BAD_ARGS: --gs takes one character\n");
                    return CTL_USAGE;
                }
                c.gs_sub = v[0];
            }
            if (c.nopts >= 32) {
                fprintf(stderr, "wmsctl: BAD_ARGS: too many options\n");
                return CTL_USAGE;
            }
            c.opt_name[c.nopts] = name;
            c.opt_val[c.nopts++] = v;
        } else {
            if (nwords >= 64) {
                fprintf(stderr, "wmsctl: BAD_ARGS: too many words\n");
                return CTL_USAGE;
            }
            words[nwords++] = argv[i];
        }
    }
    if (nwords == 0) {
        fputs(usage, stderr);
        return CTL_USAGE;
    }
    c.argc = nwords - 1;
    c.argv = words + 1;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(words[0], commands[i].name))
            return commands[i].fn(&c);
    fprintf(stderr, "wmsctl: BAD_ARGS: unknown command '%s'\n\n%s", words[0], usage);
    return CTL_USAGE;
}
