/*
 * bench_sqlite.c - the baseline for wmsd: this machine's rate of durable
 * bookings when every request is its own SQLite transaction.
 *
 *   bench_sqlite [--dir DIR] [--n N] [--seconds S] [--batch B] [--summary FILE]
 *
 * Three measurements, each on a fresh database file in DIR (default: a new
 * directory ./bench_sqlite.XXXXXX, removed afterwards), WAL mode and
 * synchronous=FULL as wmsd uses:
 *   engine   N calls of wms_stock_receive (one unit scan into bin P2), each
 *            in autocommit mode: one COMMIT, one fsync per booking.  This is
 *            "one commit per request", the figure wmsd is compared with.
 *   raw      N x (BEGIN IMMEDIATE; INSERT one row; COMMIT) in plain sqlite3
 *            with the same pragmas: the floor of a durable commit here.
 *   batched  the same bookings as engine, B per transaction: what group
 *            commit could reach in-process (no network, no txn outcomes).
 * Each stops after N requests or S seconds, whichever comes first.  Prints
 * requests/s and latency percentiles; with --summary appends one line per
 * measurement ("sqlite kind=engine n=... rps=... p50_ms=...") for run.sh.
 * Exits 1 when a booking fails or the stock does not add up.
 */
#include "wms.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_N 1000000 /* requests per measurement (hard cap) */
#define MAX_BATCH 10000
#define PATH_MAX_LEN 4096
#define WARMUP 10

#define BIN "P2"
#define UNIT_CODE "4006381333931"

typedef struct opts {
    const char *dir;
    long n;
    double seconds;
    long batch;
    const char *summary;
} opts;

/* One measurement: per-request latencies in nanoseconds. */
typedef struct run {
    const char *kind, *what;
    long n;
    double secs;
    uint64_t *lat; /* n entries (NULL for batched) */
} run;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile p (0..100] of the sorted v[0..n), in ms. */
static double pct_ms(const uint64_t *v, long n, double p)
{
    if (n <= 0)
        return 0;
    long i = (long)ceil(p / 100.0 * (double)n) - 1;
    if (i < 0)
        i = 0;
    if (i >= n)
        i = n - 1;
    return (double)v[i] / 1e6;
}

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_sqlite: %s: %s\n", what, msg);
    exit(1);
}

/* Removes a database and its WAL/shm side files (absent is fine). */
static void db_unlink(const char *path)
{
    char side[PATH_MAX_LEN + 8];
    unlink(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
}

/* Imports one CSV text of `kind` through wms_import (the same path as
 * `wmsctl import`).  Dies on error. */
static void import_text(wms_db *db, const char *kind, const char *csv)
{
    FILE *f = fmemopen((void *)csv, strlen(csv), "r");
    if (f == NULL)
        die("fmemopen", strerror(errno));
    wms_error err;
    wms_error_clear(&err);
    wms_import_stats st;
    int rc = wms_import(db, NULL, kind, f, 0, &st, &err);
    fclose(f);
    if (rc < 0)
        die(kind, err.msg);
}

/* A fresh engine database at path with bin P2 (unlimited) and item A with
 * the unit EAN-13 UNIT_CODE.  Returns the open connection (caller closes). */
static wms_db *engine_setup(const char *path)
{
    wms_db *db = NULL;
    wms_error err;
    wms_error_clear(&err);
    db_unlink(path);
    if (wms_db_open(path, WMS_DB_CREATE, &db, &err) < 0)
        die(path, err.msg);
    import_text(db, "layout", "kind,id,x_m,y_m,length_m\ndepot,D,0,,\naisle,A1,0,,20\n");
    import_text(db, "bins",
                "code,zone,type,aisle,y_m,capacity,blocked\n"
                "DOCK-01,Z1,dock,A1,1,0,0\n" BIN ",Z1,pick,A1,4,0,0\n");
    import_text(db, "items", "sku,description\nA,Apple juice 1l\n");
    import_text(db, "barcodes", "code,sku,level\n" UNIT_CODE ",A,each\n");
    return db;
}

/* One booking of one unit; txn i names it in the journal.  Dies on error. */
static void engine_book(wms_db *db, long i)
{
    char txn[48];
    snprintf(txn, sizeof(txn), "BENCH-SQLITE-%ld", i);
    wms_actor who = {.user = "bench", .device = "BENCH-SQLITE", .txn = txn};
    wms_receive_req req = {.bin = BIN, .code = UNIT_CODE};
    wms_booking b;
    wms_error err;
    wms_error_clear(&err);
    if (wms_stock_receive(db, &who, &req, &b, &err) < 0)
        die("wms_stock_receive", err.msg);
}

static int sum_cb(void *ctx, const wms_stock_row *row)
{
    *(int64_t *)ctx += row->qty;
    return 0;
}

/* Checks that bin P2 holds exactly `want` units and the journal agrees. */
static void engine_check(wms_db *db, int64_t want)
{
    wms_error err;
    wms_error_clear(&err);
    int64_t have = 0;
    if (wms_stock_list(db, BIN, NULL, sum_cb, &have, &err) < 0)
        die("wms_stock_list", err.msg);
    if (have != want) {
        fprintf(stderr, "bench_sqlite: bin %s holds %lld units, %lld were booked\n", BIN,
                (long long)have, (long long)want);
        exit(1);
    }
    int diffs = wms_stock_verify(db, NULL, NULL, &err);
    if (diffs != 0)
        die("wms_stock_verify", diffs < 0 ? err.msg : "stock differs from the journal");
}

/* engine: one wms_stock_receive per commit, timed one by one. */
static void bench_engine(const opts *o, const char *path, run *r)
{
    wms_db *db = engine_setup(path);
    for (long i = 0; i < WARMUP; i++)
        engine_book(db, i);
    uint64_t start = now_ns(), limit = (uint64_t)(o->seconds * 1e9);
    long n = 0;
    while (n < o->n) {
        uint64_t t0 = now_ns();
        engine_book(db, WARMUP + n);
        uint64_t t1 = now_ns();
        r->lat[n++] = t1 - t0;
        if (t1 - start >= limit)
            break;
    }
    r->secs = (double)(now_ns() - start) / 1e9;
    r->n = n;
    engine_check(db, WARMUP + n);
    wms_db_close(db);
    db_unlink(path);
}

/* batched: the same bookings, o->batch per transaction; per-request
 * latency is not meaningful here (r->lat stays unused). */
static void bench_batched(const opts *o, const char *path, run *r)
{
    wms_db *db = engine_setup(path);
    wms_error err;
    wms_error_clear(&err);
    uint64_t start = now_ns(), limit = (uint64_t)(o->seconds * 1e9);
    long n = 0, max = o->n * 10 < MAX_N ? o->n * 10 : MAX_N;
    while (n < max && now_ns() - start < limit) {
        if (wms_tx_begin(db, &err) < 0)
            die("BEGIN", err.msg);
        for (long k = 0; k < o->batch && n < max; k++)
            engine_book(db, n++);
        if (wms_tx_commit(db, &err) < 0)
            die("COMMIT", err.msg);
    }
    r->secs = (double)(now_ns() - start) / 1e9;
    r->n = n;
    engine_check(db, n);
    wms_db_close(db);
    db_unlink(path);
}

static void sql_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bench_sqlite: %s: %s\n", sql, msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        exit(1);
    }
}

static void sql_step(sqlite3 *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        die("sqlite3_step", sqlite3_errmsg(db));
    sqlite3_reset(st);
}

/* raw: BEGIN IMMEDIATE; INSERT one row; COMMIT - prepared statements. */
static void bench_raw(const opts *o, const char *path, run *r)
{
    sqlite3 *db = NULL;
    db_unlink(path);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        die(path, db ? sqlite3_errmsg(db) : "cannot open");
    sql_exec(db, "PRAGMA journal_mode=WAL");
    sql_exec(db, "PRAGMA synchronous=FULL");
    sql_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, txn TEXT NOT NULL UNIQUE, qty INTEGER)");
    sqlite3_stmt *begin = NULL, *ins = NULL, *commit = NULL;
    if (sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO t(txn, qty) VALUES (?1, 1)", -1, &ins, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL) != SQLITE_OK)
        die("prepare", sqlite3_errmsg(db));
    uint64_t start = 0, limit = (uint64_t)(o->seconds * 1e9);
    long n = 0;
    for (long i = 0; n < o->n; i++) {
        if (i == WARMUP)
            start = now_ns();
        char txn[48];
        snprintf(txn, sizeof(txn), "RAW-%ld", i);
        uint64_t t0 = now_ns();
        sql_step(db, begin);
        sqlite3_bind_text(ins, 1, txn, -1, SQLITE_TRANSIENT);
        sql_step(db, ins);
        sql_step(db, commit);
        uint64_t t1 = now_ns();
        if (i < WARMUP)
            continue;
        r->lat[n++] = t1 - t0;
        if (t1 - start >= limit)
            break;
    }
    r->secs = (double)(now_ns() - start) / 1e9;
    r->n = n;
    sqlite3_finalize(begin);
    sqlite3_finalize(ins);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    db_unlink(path);
}

static void report(const run *r, FILE *summary)
{
    double rps = r->secs > 0 ? (double)r->n / r->secs : 0;
    if (r->lat != NULL) {
        qsort(r->lat, (size_t)r->n, sizeof(r->lat[0]), cmp_u64);
        double p50 = pct_ms(r->lat, r->n, 50), p90 = pct_ms(r->lat, r->n, 90);
        double p99 = pct_ms(r->lat, r->n, 99), max = pct_ms(r->lat, r->n, 100);
        printf("%-48s %8ld %7.2f %9.1f %8.3f %8.3f %8.3f %8.3f\n", r->what, r->n, r->secs, rps, p50,
               p90, p99, max);
        if (summary)
            fprintf(summary,
                    "sqlite kind=%s n=%ld secs=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f "
                    "p99_ms=%.3f max_ms=%.3f\n",
                    r->kind, r->n, r->secs, rps, p50, p90, p99, max);
    } else {
        printf("%-48s %8ld %7.2f %9.1f %8s %8s %8s %8s\n", r->what, r->n, r->secs, rps, "-", "-",
               "-", "-");
        if (summary)
            fprintf(summary, "sqlite kind=%s n=%ld secs=%.3f rps=%.1f\n", r->kind, r->n, r->secs,
                    rps);
    }
    fflush(stdout);
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_sqlite [--dir DIR] [--n N] [--seconds S] [--batch B] "
                    "[--summary FILE]\n");
    exit(2);
}

static long num_arg(const char *v, long min, long max)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < min || x > max)
        usage();
    return x;
}

int main(int argc, char **argv)
{
    opts o = {.dir = NULL, .n = 2000, .seconds = 5, .batch = 100, .summary = NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--dir"))
            o.dir = v;
        else if (!strcmp(a, "--n"))
            o.n = num_arg(v, 1, MAX_N);
        else if (!strcmp(a, "--seconds"))
            o.seconds = (double)num_arg(v, 1, 3600);
        else if (!strcmp(a, "--batch"))
            o.batch = num_arg(v, 1, MAX_BATCH);
        else if (!strcmp(a, "--summary"))
            o.summary = v;
        else
            usage();
    }
    char tmpdir[] = "./bench_sqlite.XXXXXX";
    const char *dir = o.dir;
    if (dir == NULL && (dir = mkdtemp(tmpdir)) == NULL)
        die("mkdtemp", strerror(errno));
    if (strlen(dir) > PATH_MAX_LEN - 32)
        die("--dir", "path too long");
    FILE *summary = NULL;
    if (o.summary && (summary = fopen(o.summary, "a")) == NULL)
        die(o.summary, strerror(errno));

    char path[PATH_MAX_LEN];
    uint64_t *lat = malloc((size_t)o.n * sizeof(*lat));
    if (lat == NULL)
        die("malloc", "out of memory");
    printf("bench_sqlite: durable bookings, SQLite %s, WAL + synchronous=FULL, databases in %s\n"
           "(each row stops after %ld requests or %.0f s; latency = one request incl. its "
           "commit)\n",
           sqlite3_libversion(), dir, o.n, o.seconds);
    printf("%-48s %8s %7s %9s %8s %8s %8s %8s\n", "what", "requests", "seconds", "req/s", "p50 ms",
           "p90 ms", "p99 ms", "max ms");
    fflush(stdout);

    run r = {.kind = "engine", .what = "wms_stock_receive, one commit per request", .lat = lat};
    snprintf(path, sizeof(path), "%s/bench_engine.db", dir);
    bench_engine(&o, path, &r);
    report(&r, summary);

    r = (run){.kind = "raw", .what = "plain sqlite3 INSERT + COMMIT (floor)", .lat = lat};
    snprintf(path, sizeof(path), "%s/bench_raw.db", dir);
    bench_raw(&o, path, &r);
    report(&r, summary);

    char what[64];
    snprintf(what, sizeof(what), "wms_stock_receive, %ld per commit (in-process)", o.batch);
    r = (run){.kind = "batched", .what = what, .lat = NULL};
    snprintf(path, sizeof(path), "%s/bench_batched.db", dir);
    bench_batched(&o, path, &r);
    report(&r, summary);

    free(lat);
    if (summary)
        fclose(summary);
    if (o.dir == NULL)
        rmdir(tmpdir);
    return 0;
}
