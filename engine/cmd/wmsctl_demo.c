/* wmsctl_demo.c - demo-data: a generated warehouse as CSV files. */
#include "wmsctl.h"
#include "domain/demogen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cmd_demo_data(ctl *c)
{
    long long seed, bins, items, customers, orders;
    int rc;
    if ((rc = ctl_opt_long(c, "seed", 0, INT64_MAX, 1, &seed)) ||
        (rc = ctl_opt_long(c, "bins", 10, 1000000, 400, &bins)) ||
        (rc = ctl_opt_long(c, "items", 1, 1000000, 150, &items)) ||
        (rc = ctl_opt_long(c, "customers", 1, 1000000, 40, &customers)) ||
        (rc = ctl_opt_long(c, "orders", 0, 10000000, 200, &orders)))
        return rc;
    const char *dir = ctl_opt(c, "out");
    if (dir == NULL) {
        fprintf(stderr, "wmsctl: BAD_ARGS: demo-data needs --out DIR\n");
        return CTL_USAGE;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "wmsctl: IO: cannot create %s: %s\n", dir, strerror(errno));
        return CTL_FAIL;
    }
    static const char *const names[] = {"layout", "items", "packs",     "barcodes",
                                        "bins",   "stock", "customers", "orders"};
    FILE *f[8] = {0};
    for (int i = 0; i < 8; i++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s.csv", dir, names[i]);
        if ((f[i] = fopen(path, "w")) == NULL) {
            fprintf(stderr, "wmsctl: IO: cannot write %s: %s\n", path, strerror(errno));
            rc = CTL_FAIL;
            goto close_files;
        }
    }
    const char *today = getenv("WMS_TODAY");
    wms_demo_opts o = {.seed = (uint64_t)seed,
                       .bins = (int)bins,
                       .items = (int)items,
                       .customers = (int)customers,
                       .orders = (int)orders,
                       .today = today && today[0] ? today : NULL};
    wms_demo_out out = {f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]};
    wms_error err;
    wms_error_clear(&err);
    if (wms_demo_generate(&o, &out, &err) < 0) {
        rc = ctl_fail(&err);
        goto close_files;
    }
    printf("demo warehouse (seed %lld): %lld bins, %lld items, %lld customers, %lld orders in "
           "%s/\nload it with:\n",
           seed, bins, items, customers, orders, dir);
    for (int i = 0; i < 6; i++)
        printf("  wmsctl import %s %s/%s.csv\n", names[i], dir, names[i]);
close_files:
    for (int i = 0; i < 8; i++)
        if (f[i] != NULL && fclose(f[i]) != 0 && rc == 0) {
            fprintf(stderr, "wmsctl: IO: write failed: %s\n", strerror(errno));
            rc = CTL_FAIL;
        }
    return rc;
}
