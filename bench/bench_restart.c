/*
 * bench_restart.c - how long wmsd is away when it restarts on a big
 * database: from exec until it answers ping, on a database with 10 million
 * stock rows and, as the baseline, on an empty one.
 *
 *   bench_restart --wmsd PATH --cache DIR --dir DIR [--rows N] [--runs R]
 *                 [--summary FILE]
 *
 * 1. The big database is DIR(cache)/bench-stock-N.db.  When it is missing
 *    (or is not a database of this program with exactly N stock rows) it is
 *    built: the schema through wms_db_open, then in one transaction with
 *    prepared inserts, journal off: a layout of 100 aisles, 100,000 bins
 *    (200 positions x 5 levels an aisle), 50,000 items, and N stock quants,
 *    ceil(N / 100,000) a bin, each a distinct (bin, item, lot, expiry), all
 *    keys valid.  The index stock_item is dropped for the load and made
 *    again afterwards with its own SQL from the schema, so the result has
 *    exactly the schema of a migrated database.  It is built under a
 *    temporary name and renamed when complete, so an interrupted build is
 *    never taken for a cached one.  The quants have no journal rows (this
 *    database is for restarts, not for `wmsctl verify`).
 * 2. Before timing, both databases are opened once with wms_db_open, so a
 *    pending migration is not counted as restart time; the big one's stock
 *    rows are counted.
 * 3. R times (default 7) for each database, twice: fork and exec
 *    `wmsd --db DB --listen 127.0.0.1:0 --log-level warn`, read its
 *    "listening on port N", connect, send ping, read the pong: that is the
 *    start time.  Then SIGTERM until it has exited (status 0 required): the
 *    stop time.  One of the two starts is "cold": the database file's pages
 *    are first dropped from the page cache (posix_fadvise DONTNEED on that
 *    file only), as after a reboot.  Medians are reported.
 *
 * With --summary appends "restart db=empty|stock rows=... size_mb=...
 * start_ms=... stop_ms=..." lines for bench/run.sh.  Exit 0, 1 on any
 * failure, 2 on bad usage.  Every wmsd it starts is stopped before it exits.
 */
#define _GNU_SOURCE
#include "wms.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <msgpack.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define N_AISLES 100
#define N_POS 200
#define N_LEVELS 5
#define N_BINS (N_AISLES * N_POS * N_LEVELS)
#define N_ITEMS 50000
#define MAX_RUNS 50
#define PATH_LEN 4096
#define START_TIMEOUT_MS 120000
#define STOP_TIMEOUT_MS 60000

static const char *wmsd_path;
static long long bin_base, item_base; /* ids before the first bin and item loaded here */
static pid_t child = -1;              /* the running wmsd, stopped by die() too */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench_restart: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
    exit(1);
}

static void unlink_db(const char *path)
{
    char p[PATH_LEN + 8];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-journal", path);
    unlink(p);
}

static double file_mb(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (double)st.st_size / 1e6 : 0;
}

/* Runs SQL on s; dies with what on error. */
static void exec_sql(sqlite3 *s, const char *sql, const char *what)
{
    char *msg = NULL;
    if (sqlite3_exec(s, sql, NULL, NULL, &msg) != SQLITE_OK)
        die("%s: %s", what, msg ? msg : sqlite3_errmsg(s));
}

static sqlite3_stmt *prepare(sqlite3 *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
        die("prepare %s: %s", sql, sqlite3_errmsg(s));
    return st;
}

static void step_done(sqlite3 *s, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        die("insert: %s", sqlite3_errmsg(s));
    sqlite3_reset(st);
}

/* Creates path with the current schema (wms_db_open), then closes it. */
static void create_schema(const char *path)
{
    wms_db *db = NULL;
    wms_error err;
    wms_error_clear(&err);
    if (wms_db_open(path, WMS_DB_CREATE, &db, &err) < 0)
        die("%s: %s", path, err.msg);
    wms_db_close(db);
}

/* The largest id in table (0 when empty): the schema may bring rows of
 * its own (the OUTBOUND bin). */
static long long max_id(sqlite3 *s, const char *sql)
{
    sqlite3_stmt *st = prepare(s, sql);
    long long id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return id;
}

/* The layout, bins and items the quants refer to. */
static void load_master(sqlite3 *s)
{
    bin_base = max_id(s, "SELECT coalesce(max(id), 0) FROM bins");
    item_base = max_id(s, "SELECT coalesce(max(id), 0) FROM items");
    sqlite3_stmt *lay = prepare(s, "INSERT INTO layout(kind, id, x_m, y_m, length_m) "
                                   "VALUES (?1, ?2, ?3, NULL, ?4)");
    sqlite3_bind_text(lay, 1, "depot", -1, SQLITE_STATIC);
    sqlite3_bind_text(lay, 2, "D", -1, SQLITE_STATIC);
    sqlite3_bind_double(lay, 3, 0);
    sqlite3_bind_null(lay, 4);
    step_done(s, lay);
    for (int a = 0; a < N_AISLES; a++) {
        char id[16];
        snprintf(id, sizeof(id), "R%03d", a + 1);
        sqlite3_bind_text(lay, 1, "aisle", -1, SQLITE_STATIC);
        sqlite3_bind_text(lay, 2, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(lay, 3, 3.0 * a);
        sqlite3_bind_double(lay, 4, N_POS * 0.5 + 1.0);
        step_done(s, lay);
    }
    sqlite3_finalize(lay);

    /* bin id = bin_base + 1 + (aisle * N_POS + pos) * N_LEVELS + level */
    sqlite3_stmt *bin = prepare(s, "INSERT INTO bins(id, code, zone, type, aisle, y_m, level, "
                                   "capacity, blocked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, 0)");
    for (int a = 0, id = 1; a < N_AISLES; a++)
        for (int p = 0; p < N_POS; p++)
            for (int l = 0; l < N_LEVELS; l++, id++) {
                char code[32], aisle[16], zone[16];
                snprintf(code, sizeof(code), "R%03d-%03d-%d", a + 1, p + 1, l);
                snprintf(aisle, sizeof(aisle), "R%03d", a + 1);
                snprintf(zone, sizeof(zone), "Z%d", 1 + a / 25);
                sqlite3_bind_int64(bin, 1, bin_base + id);
                sqlite3_bind_text(bin, 2, code, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(bin, 3, zone, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(bin, 4, l == 0 ? "pick" : "reserve", -1, SQLITE_STATIC);
                sqlite3_bind_text(bin, 5, aisle, -1, SQLITE_TRANSIENT);
                sqlite3_bind_double(bin, 6, 0.5 * p + 1.0);
                sqlite3_bind_int(bin, 7, l);
                step_done(s, bin);
            }
    sqlite3_finalize(bin);

    sqlite3_stmt *item = prepare(s, "INSERT INTO items(id, sku, description) VALUES (?1, ?2, ?3)");
    for (int i = 1; i <= N_ITEMS; i++) {
        char sku[16], desc[32];
        snprintf(sku, sizeof(sku), "SKU%06d", i);
        snprintf(desc, sizeof(desc), "Bench item %d", i);
        sqlite3_bind_int64(item, 1, item_base + i);
        sqlite3_bind_text(item, 2, sku, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(item, 3, desc, -1, SQLITE_TRANSIENT);
        step_done(s, item);
    }
    sqlite3_finalize(item);
}

/* n quants: bin by bin (the primary key's order), q = ceil(n / N_BINS) a
 * bin, the k-th of bin b holding the item numbered ((b - 1) * 7 + k) mod
 * N_ITEMS + 1 of those loaded, so no (bin, item) repeats (q <= N_ITEMS:
 * main checks rows). */
static void load_stock(sqlite3 *s, long long n)
{
    long long q = (n + N_BINS - 1) / N_BINS;
    char expiry[366][16];
    for (int d = 0; d < 366; d++) {
        struct tm tm = {.tm_year = 127, .tm_mon = 0, .tm_mday = 1 + d, .tm_hour = 12};
        time_t t = timegm(&tm);
        gmtime_r(&t, &tm);
        strftime(expiry[d], sizeof(expiry[d]), "%Y-%m-%d", &tm);
    }
    sqlite3_stmt *st = prepare(s, "INSERT INTO stock(bin_id, item_id, lot, expiry, status, qty) "
                                  "VALUES (?1, ?2, ?3, ?4, 'available', ?5)");
    for (long long r = 0; r < n; r++) {
        long long bin = r / q + 1, k = r % q;
        char lot[16];
        snprintf(lot, sizeof(lot), "L%05lld", (bin * 31 + k) % 100000);
        sqlite3_bind_int64(st, 1, bin_base + bin);
        sqlite3_bind_int64(st, 2, item_base + ((bin - 1) * 7 + k) % N_ITEMS + 1);
        sqlite3_bind_text(st, 3, lot, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, expiry[r % 366], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, 1 + r % 97);
        step_done(s, st);
    }
    sqlite3_finalize(st);
}

/* Builds the big database at path (through path.tmp); returns seconds. */
static double build_db(const char *path, long long rows)
{
    char tmp[PATH_LEN + 8];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    unlink_db(tmp);
    double t0 = now_ms();
    create_schema(tmp);
    sqlite3 *s = NULL;
    if (sqlite3_open_v2(tmp, &s, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        die("%s: %s", tmp, s ? sqlite3_errmsg(s) : "cannot open");
    exec_sql(s,
             "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF; "
             "PRAGMA cache_size=-262144",
             "pragmas");
    sqlite3_stmt *ix = prepare(s, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND "
                                  "name = 'stock_item'");
    if (sqlite3_step(ix) != SQLITE_ROW || sqlite3_column_text(ix, 0) == NULL)
        die("the schema has no index stock_item: update bench_restart.c");
    char *index_sql = strdup((const char *)sqlite3_column_text(ix, 0));
    sqlite3_finalize(ix);
    if (index_sql == NULL)
        die("out of memory");
    exec_sql(s, "DROP INDEX stock_item", "drop index");
    exec_sql(s, "BEGIN", "begin");
    load_master(s);
    load_stock(s, rows);
    exec_sql(s, "COMMIT", "commit");
    double t1 = now_ms();
    exec_sql(s, index_sql, "create index stock_item");
    free(index_sql);
    exec_sql(s, "PRAGMA journal_mode=WAL", "journal_mode");
    if (sqlite3_close(s) != SQLITE_OK)
        die("close %s", tmp);
    int fd = open(tmp, O_RDONLY);
    if (fd < 0 || fsync(fd) < 0)
        die("fsync %s: %s", tmp, strerror(errno));
    close(fd);
    if (rename(tmp, path) < 0)
        die("rename %s: %s", tmp, strerror(errno));
    double t2 = now_ms();
    printf("built %s: %lld stock rows in %.1f s (load %.1f s, index %.1f s), %.0f MB\n", path, rows,
           (t2 - t0) / 1e3, (t1 - t0) / 1e3, (t2 - t1) / 1e3, file_mb(path));
    fflush(stdout);
    return (t2 - t0) / 1e3;
}

/* Opens path with wms_db_open (applying any pending migration) and counts
 * its stock rows; -1 when it is not a usable database of this program. */
static long long prepare_db(const char *path)
{
    wms_db *db = NULL;
    wms_error err;
    wms_error_clear(&err);
    if (wms_db_open(path, 0, &db, &err) < 0) {
        fprintf(stderr, "bench_restart: %s: %s\n", path, err.msg);
        return -1;
    }
    wms_db_close(db);
    sqlite3 *s = NULL;
    long long n = -1;
    if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s, "SELECT count(*) FROM stock", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(s);
    return n;
}

/* ---- one restart -------------------------------------------------------------- */

/* Reads a line from fd into buf within the deadline (ms); 0 or -1. */
static int read_line(int fd, char *buf, size_t n, double deadline)
{
    size_t len = 0;
    while (len + 1 < n) {
        int left = (int)(deadline - now_ms());
        if (left <= 0)
            return -1;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        ssize_t k = read(fd, buf + len, 1);
        if (k <= 0)
            return -1;
        if (buf[len] == '\n') {
            buf[len] = '\0';
            return 0;
        }
        len += (size_t)k;
    }
    return -1;
}

/* Sends ping on a fresh connection to port; 0 when a pong came back. */
static int ping(int port, double deadline)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = -1;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_unpacker up;
    if (!msgpack_unpacker_init(&up, 4096)) {
        close(fd);
        return -1;
    }
    msgpack_unpacked res;
    msgpack_unpacked_init(&res);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
        goto out;
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 4);
    msgpack_pack_int(&pk, 0);
    msgpack_pack_uint32(&pk, 1);
    msgpack_pack_str(&pk, 4);
    msgpack_pack_str_body(&pk, "ping", 4);
    msgpack_pack_array(&pk, 1);
    msgpack_pack_map(&pk, 0);
    if (send(fd, sb.data, sb.size, MSG_NOSIGNAL) != (ssize_t)sb.size)
        goto out;
    for (;;) {
        int left = (int)(deadline - now_ms());
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            goto out;
        if (!msgpack_unpacker_reserve_buffer(&up, 4096))
            goto out;
        ssize_t k =
            recv(fd, msgpack_unpacker_buffer(&up), msgpack_unpacker_buffer_capacity(&up), 0);
        if (k <= 0)
            goto out;
        msgpack_unpacker_buffer_consumed(&up, (size_t)k);
        if (msgpack_unpacker_next(&up, &res) == MSGPACK_UNPACK_SUCCESS)
            break;
        if (msgpack_unpacker_message_size(&up) > 65536)
            goto out;
    }
    const msgpack_object *m = &res.data;
    if (m->type == MSGPACK_OBJECT_ARRAY && m->via.array.size == 4 &&
        m->via.array.ptr[0].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
        m->via.array.ptr[0].via.u64 == 1 && m->via.array.ptr[2].type == MSGPACK_OBJECT_NIL &&
        m->via.array.ptr[3].type == MSGPACK_OBJECT_MAP)
        rc = 0;
out:
    msgpack_unpacked_destroy(&res);
    msgpack_unpacker_destroy(&up);
    msgpack_sbuffer_destroy(&sb);
    close(fd);
    return rc;
}

/* Drops db's pages from the page cache (only this file's: nothing else
 * is touched), so the next open reads them from the disk. */
static void evict(const char *db)
{
    int fd = open(db, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die("%s: %s", db, strerror(errno));
    fdatasync(fd); /* dirty pages are not dropped */
    int rc = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
    if (rc != 0)
        die("posix_fadvise %s: %s", db, strerror(rc));
}

/* Starts wmsd on db, times exec -> pong (start) and SIGTERM -> exit
 * (stop); with cold, db's pages are evicted from the page cache first.
 * wmsd's stderr goes to log_path.  Dies on any failure. */
static void restart_once(const char *db, int cold, const char *log_path, double *start,
                         double *stop)
{
    if (cold)
        evict(db);
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0)
        die("pipe: %s", strerror(errno));
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        int err = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        dup2(pfd[1], 1);
        if (err >= 0)
            dup2(err, 2);
        execl(wmsd_path, wmsd_path, "--db", db, "--listen", "127.0.0.1:0", "--log-level", "warn",
              (char *)NULL);
        _exit(127);
    }
    child = pid;
    close(pfd[1]);
    char line[256];
    int port = 0;
    double deadline = t0 + START_TIMEOUT_MS;
    if (read_line(pfd[0], line, sizeof(line), deadline) < 0 ||
        sscanf(line, "listening on port %d", &port) != 1 || port <= 0)
        die("wmsd on %s did not say 'listening on port N' (see %s)", db, log_path);
    if (ping(port, deadline) < 0)
        die("wmsd on %s did not answer ping", db);
    *start = now_ms() - t0;
    double t1 = now_ms();
    kill(pid, SIGTERM);
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            die("waitpid: %s", strerror(errno));
        if (now_ms() - t1 > STOP_TIMEOUT_MS)
            die("wmsd on %s did not stop within %d s of SIGTERM", db, STOP_TIMEOUT_MS / 1000);
        usleep(200);
    }
    *stop = now_ms() - t1;
    child = -1;
    close(pfd[0]);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("wmsd on %s exited with status %d (see %s)", db, status, log_path);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Times `runs` restarts on db with a warm page cache and `runs` with the
 * file evicted (cold), alternating; prints a row; appends a summary line. */
static void measure(const char *label, const char *db, long long rows, int runs,
                    const char *log_path, FILE *summary)
{
    double warm[MAX_RUNS], cold[MAX_RUNS], stop[2 * MAX_RUNS];
    for (int i = 0; i < runs; i++) {
        restart_once(db, 1, log_path, &cold[i], &stop[2 * i]);
        restart_once(db, 0, log_path, &warm[i], &stop[2 * i + 1]);
    }
    qsort(warm, (size_t)runs, sizeof(warm[0]), cmp_double);
    qsort(cold, (size_t)runs, sizeof(cold[0]), cmp_double);
    qsort(stop, (size_t)(2 * runs), sizeof(stop[0]), cmp_double);
    double w50 = warm[runs / 2], c50 = cold[runs / 2], s50 = stop[runs];
    printf("%-8s %12lld %9.1f %5d %10.1f %10.1f %10.1f %10.1f %10.1f\n", label, rows, file_mb(db),
           runs, w50, warm[0], warm[runs - 1], c50, s50);
    fflush(stdout);
    if (summary)
        fprintf(summary,
                "restart db=%s rows=%lld size_mb=%.1f runs=%d start_ms=%.2f start_min_ms=%.2f "
                "start_max_ms=%.2f cold_ms=%.2f cold_max_ms=%.2f stop_ms=%.2f\n",
                label, rows, file_mb(db), runs, w50, warm[0], warm[runs - 1], c50, cold[runs - 1],
                s50);
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_restart --wmsd PATH --cache DIR --dir DIR [--rows N] "
                    "[--runs R] [--summary FILE]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *cache = NULL, *dir = NULL, *summary_path = NULL;
    long long rows = 10000000;
    int runs = 7;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        const char *a = argv[i], *v = argv[++i];
        char *end;
        if (!strcmp(a, "--wmsd"))
            wmsd_path = v;
        else if (!strcmp(a, "--cache"))
            cache = v;
        else if (!strcmp(a, "--dir"))
            dir = v;
        else if (!strcmp(a, "--summary"))
            summary_path = v;
        else if (!strcmp(a, "--rows")) {
            rows = strtoll(v, &end, 10);
            if (*end || rows < 1 || rows > (long long)N_BINS * N_ITEMS)
                usage();
        } else if (!strcmp(a, "--runs")) {
            runs = (int)strtol(v, &end, 10);
            if (*end || runs < 1 || runs > MAX_RUNS)
                usage();
        } else
            usage();
    }
    if (wmsd_path == NULL || cache == NULL || dir == NULL)
        usage();
    signal(SIGPIPE, SIG_IGN);
    char big[PATH_LEN], empty[PATH_LEN], log_path[PATH_LEN];
    snprintf(big, sizeof(big), "%s/bench-stock-%lld.db", cache, rows);
    snprintf(empty, sizeof(empty), "%s/restart-empty.db", dir);
    snprintf(log_path, sizeof(log_path), "%s/restart-wmsd.log", dir);
    if (strlen(cache) + 64 >= sizeof(big) || strlen(dir) + 64 >= sizeof(empty))
        die("path too long");
    mkdir(cache, 0755);

    double build_s = 0;
    long long have = access(big, F_OK) == 0 ? prepare_db(big) : -1;
    if (have != rows) {
        if (have >= 0)
            printf("%s has %lld stock rows, not %lld: building it again\n", big, have, rows);
        unlink_db(big);
        build_s = build_db(big, rows);
        have = prepare_db(big);
        if (have != rows)
            die("%s: %lld stock rows after the build, not %lld", big, have, rows);
    } else {
        printf("using the cached %s (%lld stock rows; delete it to build it again)\n", big, have);
    }
    unlink_db(empty);
    create_schema(empty);
    if (prepare_db(empty) != 0)
        die("%s: not an empty database", empty);

    FILE *summary = NULL;
    if (summary_path && (summary = fopen(summary_path, "a")) == NULL)
        die("%s: %s", summary_path, strerror(errno));
    printf("wmsd restarts: exec until ping is answered (start; warm page cache, and cold: the "
           "database file evicted first), SIGTERM until exit (stop); ms, median of %d\n",
           runs);
    printf("%-8s %12s %9s %5s %10s %10s %10s %10s %10s\n", "database", "stock rows", "MB", "runs",
           "start", "start min", "start max", "cold start", "stop");
    measure("empty", empty, 0, runs, log_path, summary);
    measure("stock", big, rows, runs, log_path, summary);
    if (summary) {
        if (build_s > 0)
            fprintf(summary, "restart_build rows=%lld secs=%.1f\n", rows, build_s);
        fclose(summary);
    }
    unlink_db(empty);
    return 0;
}
