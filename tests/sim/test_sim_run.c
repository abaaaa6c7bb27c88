/*
 * test_sim_run.c - wms-sim end to end against a real wmsd (which it starts
 * itself): a short shift with every fault on, over TCP and a serial line,
 * with server kills, must pass its ledger check; and the check must catch
 * an acknowledged effect that is lost or applied twice (--test-tamper),
 * with the right counts and a non-zero exit status.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Common flags: a small warehouse, a short shift at 60x (about 12 s). */
#define SMALL                                                                                      \
    "--set bins=300 --set items=80 --set customers=20 --set wave_every=120 "                       \
    "--set orders_per_picker_hour=60 --set inbound_every=300 --no-progress "

static const char *sim_exe(void)
{
    const char *p = getenv("WMS_SIM");
    if (p == NULL || p[0] == '\0')
        fail_msg("WMS_SIM is not set (run under ctest)");
    return p;
}

static const char *wmsd_exe(void)
{
    const char *p = getenv("WMSD");
    if (p == NULL || p[0] == '\0')
        fail_msg("WMSD is not set (run under ctest)");
    return p;
}

/* The value after `key` on the line starting with `prefix` (or -1). */
static long long field(const char *out, const char *prefix, const char *key)
{
    const char *line = strstr(out, prefix);
    if (line == NULL)
        return -1;
    const char *end = strchr(line, '\n');
    const char *k = strstr(line, key);
    if (k == NULL || (end != NULL && k > end))
        return -1;
    return atoll(k + strlen(key));
}

/* The number just before `what` on the summary line `prefix`. */
static long long before(const char *out, const char *prefix, const char *what)
{
    const char *line = strstr(out, prefix);
    if (line == NULL)
        return -1;
    const char *w = strstr(line, what);
    if (w == NULL)
        return -1;
    const char *p = w;
    while (p > line && p[-1] == ' ')
        p--;
    while (p > line && p[-1] >= '0' && p[-1] <= '9')
        p--;
    return atoll(p);
}

static void test_shift_with_faults(void **state)
{
    (void)state;
    char dir[512];
    th_mkdtemp(dir, sizeof(dir), "simrun");
    char *out = NULL;
    int rc = th_run(&out,
                    "%s --wmsd %s --workdir %s --report %s/report --seed 5 --pickers 3 "
                    "--serial-pickers 1 --receivers 1 --duration 720 --speed 60 "
                    "--chaos-restart --set restart_every=240 --set wrong_bin=0.05 "
                    "--set wrong_item=0.05 --set unreadable=0.05 --set short=0.08 "
                    "--set drop=0.05 --set dup_frame=0.05 --set serial_corrupt=0.05 " SMALL "2>&1",
                    sim_exe(), wmsd_exe(), dir, dir);
    printf("%s", out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "sim-check: stage=final ok=1 "));
    assert_int_equal(field(out, "sim-check: stage=final", "lost="), 0);
    assert_int_equal(field(out, "sim-check: stage=final", "doubled="), 0);
    assert_int_equal(field(out, "sim-check: stage=final", "mismatches="), 0);
    assert_int_equal(field(out, "sim-check: stage=final", "in_doubt="), 0);
    assert_true(field(out, "sim-check: stage=final", "checked=") > 100);
    /* Work was done, over both transports, and faults really happened. */
    assert_true(before(out, "  picks ", "(") > 10);
    assert_true(before(out, "  receipts ", "(") > 0);
    assert_non_null(strstr(out, "SIM-S01 on serial line /dev/pts/"));
    assert_true(before(out, "  scan faults", ", accepted") > 0);
    assert_int_equal(before(out, "  scan faults", "; pickers stuck"), 0); /* none accepted */
    assert_true(before(out, "  connections:", "server restarts") >= 1);
    assert_true(before(out, "  connections:", "resends") > 0);
    assert_int_equal(before(out, "  connections:", "not)"), 0); /* replays identical */
    /* The serial picker really worked through wmsd's serial line. */
    char *log = NULL;
    assert_int_equal(
        th_run(&log, "grep -c 'login pick01 (picker) device SIM-S01' %s/wmsd.log", dir), 0);
    assert_true(atoi(log) >= 1);
    free(log);
    char path[700];
    struct stat sb;
    snprintf(path, sizeof(path), "%s/report/report.json", dir);
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size > 100);
    snprintf(path, sizeof(path), "%s/report/report.html", dir);
    assert_int_equal(stat(path, &sb), 0);
    free(out);
}

static void test_check_catches_tampering(void **state)
{
    (void)state;
    char dir[512];
    th_mkdtemp(dir, sizeof(dir), "simtamper");
    char *out = NULL;
    int rc = th_run(&out,
                    "%s --wmsd %s --workdir %s --seed 9 --pickers 2 --receivers 1 "
                    "--duration 600 --speed 60 --set short=0 --set inbound_every=120 " SMALL
                    "--test-tamper ledger-lost,db-double,forget-pick 2>&1",
                    sim_exe(), wmsd_exe(), dir);
    printf("%s", out);
    /* The untampered run passes ... */
    assert_non_null(strstr(out, "sim-check: stage=final ok=1 "));
    /* ... a receipt the ledger has but the engine never made is lost ... */
    assert_non_null(strstr(out, "sim-check: stage=ledger-lost ok=0 "));
    assert_int_equal(field(out, "sim-check: stage=ledger-lost", "lost="), 1);
    assert_int_equal(field(out, "sim-check: stage=ledger-lost", "doubled="), 0);
    assert_true(field(out, "sim-check: stage=ledger-lost", "mismatches=") >= 1);
    /* ... a receipt booked twice under one txn is doubled ... */
    assert_non_null(strstr(out, "sim-check: stage=db-double ok=0 "));
    assert_int_equal(field(out, "sim-check: stage=db-double", "lost="), 1);
    assert_int_equal(field(out, "sim-check: stage=db-double", "doubled="), 1);
    assert_non_null(strstr(out, "applied twice"));
    /* ... and a pick the engine has without the acknowledgment too. */
    assert_non_null(strstr(out, "sim-check: stage=forget-pick ok=0 "));
    assert_int_equal(field(out, "sim-check: stage=forget-pick", "lost="), 1);
    assert_int_equal(field(out, "sim-check: stage=forget-pick", "doubled="), 2);
    assert_non_null(strstr(out, "never acknowledged"));
    assert_int_equal(rc, 1); /* a failed check is a failed run */
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shift_with_faults),
        cmocka_unit_test(test_check_catches_tampering),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
