/* test_client.c - the blocking handheld client (handheld-proto/client.c)
 * against a fake server thread, and the handheld's screen state machines
 * (handheld-proto/hhui.c). */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <msgpack.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "hhui.h"

/* ------------------------------------------------------------------------ */
/* The fake server                                                          */
/* ------------------------------------------------------------------------ */

#define LOG_MAX 128

typedef struct fake_entry {
    int conn; /* 1-based connection number */
    char method[32];
    char txn[72];
    char user[40], pin[16];
    char txnfile[32]; /* the device's txn file when the request arrived */
} fake_entry;

typedef struct fake {
    int lfd, port;
    pthread_t th;
    atomic_int stop;
    pthread_mutex_t mu;
    fake_entry log[LOG_MAX];
    int nlog;
    int conns;
    /* behaviour */
    int drop_receive;  /* receive.scan: close without answer this many times */
    int silent_count;  /* count.next: no answer this many times */
    int shutting_down; /* stock.query: SHUTTING_DOWN this many times */
    char resume_last[72];
    char txnfile_path[600];
    /* the exactly-once table: txn -> already applied */
    char done[32][72];
    int ndone;
    int effects;
} fake;

static int send_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void pk_str(msgpack_packer *pk, const char *s)
{
    msgpack_pack_str(pk, strlen(s));
    msgpack_pack_str_body(pk, s, strlen(s));
}

/* Starts [1, msgid, nil, <result>]: the caller packs the result. */
static void resp_ok(msgpack_packer *pk, uint64_t msgid)
{
    msgpack_pack_array(pk, 4);
    msgpack_pack_uint8(pk, 1);
    msgpack_pack_uint64(pk, msgid);
    msgpack_pack_nil(pk);
}

static void resp_err(msgpack_packer *pk, uint64_t msgid, const char *code, const char *msg)
{
    msgpack_pack_array(pk, 4);
    msgpack_pack_uint8(pk, 1);
    msgpack_pack_uint64(pk, msgid);
    msgpack_pack_map(pk, 2);
    wms_client_kv_str(pk, "code", code);
    wms_client_kv_str(pk, "message", msg);
    msgpack_pack_nil(pk);
}

static void read_file(const char *path, char *buf, size_t n)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    size_t got = fread(buf, 1, n - 1, f);
    buf[got] = '\0';
    fclose(f);
}

/* Answers one request.  Returns -1 to close the connection at once. */
static int fake_handle(fake *fk, int fd, int conn, int *logged_in, const msgpack_object *m)
{
    if (m->type != MSGPACK_OBJECT_ARRAY || m->via.array.size != 4)
        return -1;
    uint64_t msgid = m->via.array.ptr[1].via.u64;
    const msgpack_object *mo = &m->via.array.ptr[2];
    const msgpack_object *argv = &m->via.array.ptr[3];
    const msgpack_object *args = argv->type == MSGPACK_OBJECT_ARRAY && argv->via.array.size > 0
                                     ? &argv->via.array.ptr[0]
                                     : NULL;
    fake_entry e;
    memset(&e, 0, sizeof(e));
    e.conn = conn;
    snprintf(e.method, sizeof(e.method), "%.*s", (int)mo->via.str.size, mo->via.str.ptr);
    wms_client_get_str(args, "txn", e.txn, sizeof(e.txn));
    wms_client_get_str(args, "user", e.user, sizeof(e.user));
    wms_client_get_str(args, "pin", e.pin, sizeof(e.pin));
    if (fk->txnfile_path[0] != '\0')
        read_file(fk->txnfile_path, e.txnfile, sizeof(e.txnfile));
    pthread_mutex_lock(&fk->mu);
    if (fk->nlog < LOG_MAX)
        fk->log[fk->nlog++] = e;
    pthread_mutex_unlock(&fk->mu);

    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    int rc = 0;
    const char *me = e.method;
    if (strcmp(me, "hello") != 0 && strcmp(me, "login") != 0 && strcmp(me, "ping") != 0 &&
        !*logged_in) {
        resp_err(&pk, msgid, "NOT_LOGGED_IN", "log in first");
    } else if (strcmp(me, "hello") == 0) {
        resp_ok(&pk, msgid);
        msgpack_pack_map(&pk, 3);
        wms_client_kv_str(&pk, "server", "fake/1");
        wms_client_kv_int(&pk, "proto", 1);
        pk_str(&pk, "resume");
        if (fk->resume_last[0] != '\0') {
            msgpack_pack_map(&pk, 1);
            wms_client_kv_str(&pk, "last_txn", fk->resume_last);
        } else {
            msgpack_pack_map(&pk, 0);
        }
    } else if (strcmp(me, "login") == 0) {
        if (strcmp(e.pin, "1234") == 0) {
            *logged_in = 1;
            resp_ok(&pk, msgid);
            msgpack_pack_map(&pk, 2);
            wms_client_kv_str(&pk, "user", e.user);
            wms_client_kv_str(&pk, "role", "receiver");
        } else {
            resp_err(&pk, msgid, "AUTH_FAILED", "wrong user or PIN");
        }
    } else if (strcmp(me, "logout") == 0) {
        *logged_in = 0;
        resp_ok(&pk, msgid);
        msgpack_pack_map(&pk, 0);
    } else if (strcmp(me, "ping") == 0) {
        resp_ok(&pk, msgid);
        msgpack_pack_map(&pk, 1);
        wms_client_kv_bool(&pk, "pong", 1);
    } else if (strcmp(me, "receive.scan") == 0) {
        int seen = 0;
        pthread_mutex_lock(&fk->mu);
        for (int i = 0; i < fk->ndone; i++)
            seen |= strcmp(fk->done[i], e.txn) == 0;
        if (!seen && fk->ndone < 32) {
            snprintf(fk->done[fk->ndone++], sizeof(fk->done[0]), "%s", e.txn);
            fk->effects++; /* the booking happens once per txn */
        }
        int drop = fk->drop_receive > 0;
        if (drop)
            fk->drop_receive--;
        pthread_mutex_unlock(&fk->mu);
        if (drop) {
            rc = -1; /* committed, then the connection dies before the answer */
        } else {
            int64_t qty = 1;
            wms_client_get_int(args, "qty", &qty);
            char bin[64] = "DOCK-01";
            wms_client_get_str(args, "bin", bin, sizeof(bin));
            resp_ok(&pk, msgid);
            msgpack_pack_map(&pk, 5);
            wms_client_kv_str(&pk, "bin", bin);
            wms_client_kv_str(&pk, "sku", "A");
            wms_client_kv_int(&pk, "qty", qty * 24);
            wms_client_kv_str(&pk, "status", "available");
            wms_client_kv_str(&pk, "txn", e.txn);
        }
    } else if (strcmp(me, "count.next") == 0) {
        pthread_mutex_lock(&fk->mu);
        int silent = fk->silent_count > 0;
        if (silent)
            fk->silent_count--;
        pthread_mutex_unlock(&fk->mu);
        if (!silent) {
            resp_ok(&pk, msgid);
            msgpack_pack_map(&pk, 2);
            wms_client_kv_int(&pk, "count", 7);
            wms_client_kv_str(&pk, "bin", "C-01");
        }
    } else if (strcmp(me, "stock.query") == 0) {
        pthread_mutex_lock(&fk->mu);
        int down = fk->shutting_down > 0;
        if (down)
            fk->shutting_down--;
        pthread_mutex_unlock(&fk->mu);
        if (down) {
            resp_err(&pk, msgid, "SHUTTING_DOWN", "the server is stopping");
        } else {
            resp_ok(&pk, msgid);
            msgpack_pack_map(&pk, 2);
            pk_str(&pk, "rows");
            msgpack_pack_array(&pk, 1);
            msgpack_pack_map(&pk, 3);
            wms_client_kv_str(&pk, "bin", "R1");
            wms_client_kv_str(&pk, "sku", "A");
            wms_client_kv_int(&pk, "qty", 48);
            wms_client_kv_int(&pk, "available", 48);
        }
    } else if (strcmp(me, "boom") == 0) {
        resp_err(&pk, msgid, "WRONG_BIN", "wrong bin: scan A-01-01");
    } else if (strcmp(me, "weird") == 0) {
        resp_err(&pk, msgid, "SOMETHING_NEW", "a future error");
    } else if (strcmp(me, "big") == 0) {
        size_t n = (2u << 20) + 100; /* over the 1 MiB limit */
        char *blob = calloc(1, n);
        resp_ok(&pk, msgid);
        msgpack_pack_map(&pk, 1);
        pk_str(&pk, "blob");
        msgpack_pack_str(&pk, n);
        msgpack_pack_str_body(&pk, blob, n);
        free(blob);
    } else if (strcmp(me, "ooo") == 0) {
        resp_ok(&pk, msgid + 1000); /* a response nobody waits for */
        msgpack_pack_map(&pk, 1);
        wms_client_kv_str(&pk, "ok", "stale");
        msgpack_pack_array(&pk, 3); /* a notification */
        msgpack_pack_uint8(&pk, 2);
        pk_str(&pk, "event");
        msgpack_pack_array(&pk, 1);
        msgpack_pack_map(&pk, 1);
        wms_client_kv_str(&pk, "topic", "x");
        resp_ok(&pk, msgid);
        msgpack_pack_map(&pk, 1);
        wms_client_kv_str(&pk, "ok", "yes");
    } else {
        resp_err(&pk, msgid, "UNKNOWN_METHOD", "unknown method");
    }
    if (rc == 0 && sb.size > 0 && send_all(fd, sb.data, sb.size) < 0)
        rc = -1;
    msgpack_sbuffer_destroy(&sb);
    return rc;
}

static void fake_serve(fake *fk, int fd, int conn)
{
    msgpack_unpacker up;
    msgpack_unpacker_init(&up, 1 << 16);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int logged_in = 0;
    while (!atomic_load(&fk->stop)) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        msgpack_unpacker_reserve_buffer(&up, 4096);
        ssize_t r =
            recv(fd, msgpack_unpacker_buffer(&up), msgpack_unpacker_buffer_capacity(&up), 0);
        if (r <= 0)
            break;
        msgpack_unpacker_buffer_consumed(&up, (size_t)r);
        int close_now = 0;
        while (!close_now && msgpack_unpacker_next(&up, &u) == MSGPACK_UNPACK_SUCCESS)
            close_now = fake_handle(fk, fd, conn, &logged_in, &u.data) < 0;
        if (close_now)
            break;
    }
    msgpack_unpacked_destroy(&u);
    msgpack_unpacker_destroy(&up);
    close(fd);
}

static void *fake_main(void *arg)
{
    fake *fk = arg;
    while (!atomic_load(&fk->stop)) {
        struct pollfd pfd = {.fd = fk->lfd, .events = POLLIN};
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        int fd = accept(fk->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        pthread_mutex_lock(&fk->mu);
        int conn = ++fk->conns;
        pthread_mutex_unlock(&fk->mu);
        fake_serve(fk, fd, conn);
    }
    return NULL;
}

static fake *fake_start(void)
{
    fake *fk = calloc(1, sizeof(*fk));
    assert_non_null(fk);
    pthread_mutex_init(&fk->mu, NULL);
    fk->lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fk->lfd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    assert_int_equal(bind(fk->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fk->lfd, 8), 0);
    socklen_t al = sizeof(a);
    assert_int_equal(getsockname(fk->lfd, (struct sockaddr *)&a, &al), 0);
    fk->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&fk->th, NULL, fake_main, fk), 0);
    return fk;
}

static void fake_stop(fake *fk)
{
    atomic_store(&fk->stop, 1);
    pthread_join(fk->th, NULL);
    close(fk->lfd);
    pthread_mutex_destroy(&fk->mu);
    free(fk);
}

/* Log entries of `method`, copied out under the lock. */
static int fake_find(fake *fk, const char *method, fake_entry *out, int max)
{
    int n = 0;
    pthread_mutex_lock(&fk->mu);
    for (int i = 0; i < fk->nlog; i++)
        if (strcmp(fk->log[i].method, method) == 0 && n < max)
            out[n++] = fk->log[i];
    pthread_mutex_unlock(&fk->mu);
    return n;
}

/* ------------------------------------------------------------------------ */
/* Client helpers                                                           */
/* ------------------------------------------------------------------------ */

typedef struct seen {
    int notes;
    char method[64];
    char topic[16];
    int statuses;
    char last_status[64];
} seen;

static void on_notify(void *ctx, const char *method, const msgpack_object *params)
{
    seen *s = ctx;
    s->notes++;
    snprintf(s->method, sizeof(s->method), "%s", method);
    wms_client_get_str(params, "topic", s->topic, sizeof(s->topic));
}

static void on_status(void *ctx, const char *text)
{
    seen *s = ctx;
    s->statuses++;
    snprintf(s->last_status, sizeof(s->last_status), "%s", text);
}

static wms_client_opts opts_for(fake *fk, const char *device, const char *dir, seen *sn)
{
    wms_client_opts o;
    memset(&o, 0, sizeof(o));
    o.host = "127.0.0.1";
    o.port = fk->port;
    o.device = device;
    o.state_dir = dir;
    o.client_name = "test/1";
    o.timeout_ms = 2000;
    o.retries = 3;
    o.backoff_ms = 10;
    o.on_notify = on_notify;
    o.notify_ctx = sn;
    o.on_status = on_status;
    o.status_ctx = sn;
    return o;
}

/* Removes a test's state directory (the txn counter and lock files). */
static void rm_dir(const char *dir)
{
    char *out = NULL;
    assert_int_equal(th_run(&out, "rm -rf '%s'", dir), 0);
    free(out);
}

static wms_client *open_ok(const wms_client_opts *o)
{
    wms_client *c = NULL;
    wms_error err = {0};
    int rc = wms_client_open(o, &c, &err);
    if (rc != 0)
        fail_msg("wms_client_open: %d %s", rc, err.msg);
    return c;
}

static int call_simple(wms_client *c, const char *method, msgpack_object *res, wms_error *err)
{
    msgpack_packer *pk = wms_client_begin(c, method);
    assert_non_null(pk);
    return wms_client_call(c, res, err);
}

/* ------------------------------------------------------------------------ */
/* Client tests                                                             */
/* ------------------------------------------------------------------------ */

/* The connection drops after the server applied receive.scan: the client
 * reconnects, logs in again, resends the same txn and gets the answer; the
 * effect happened once. */
static void test_drop_resend_same_txn(void **state)
{
    (void)state;
    char dir[512], path[600], text[32];
    th_mkdtemp(dir, sizeof(dir), "hhclient");
    snprintf(path, sizeof(path), "%s/RF-T1.txn", dir);
    fake *fk = fake_start();
    snprintf(fk->txnfile_path, sizeof(fk->txnfile_path), "%s", path);
    fk->drop_receive = 1;
    seen sn = {0};
    wms_client_opts o = opts_for(fk, "RF-T1", dir, &sn);
    wms_client *c = open_ok(&o);
    assert_string_equal(wms_client_server_name(c), "fake/1");
    wms_error err = {0};
    msgpack_object res;
    assert_int_equal(wms_client_login(c, "rob", "1234", &res, &err), 0);
    char role[16];
    assert_int_equal(wms_client_get_str(&res, "role", role, sizeof(role)), 8);
    assert_string_equal(role, "receiver");

    assert_int_equal(wms_client_last_txn(c), 0);
    char txn[WMS_CLIENT_TXN_MAX + 1];
    assert_int_equal(wms_client_next_txn(c, txn, sizeof(txn), &err), 0);
    assert_string_equal(txn, "RF-T1-1");
    read_file(path, text, sizeof(text));
    assert_string_equal(text, "1\n");

    msgpack_packer *pk = wms_client_begin(c, "receive.scan");
    wms_client_kv_str(pk, "txn", txn);
    wms_client_kv_str(pk, "code", "14006381333938");
    wms_client_kv_int(pk, "qty", 2);
    wms_client_kv_str(pk, "bin", "R1");
    int rc = wms_client_call(c, &res, &err);
    if (rc != 0)
        fail_msg("receive.scan: %d %s", rc, err.msg);
    int64_t qty = 0;
    assert_int_equal(wms_client_get_int(&res, "qty", &qty), 0);
    assert_int_equal(qty, 48);
    char got_txn[72];
    wms_client_get_str(&res, "txn", got_txn, sizeof(got_txn));
    assert_string_equal(got_txn, txn);

    fake_entry ent[8];
    int n = fake_find(fk, "receive.scan", ent, 8);
    assert_int_equal(n, 2);
    assert_string_equal(ent[0].txn, txn);
    assert_string_equal(ent[1].txn, txn); /* the SAME txn was resent */
    assert_int_equal(ent[0].conn, 1);
    assert_int_equal(ent[1].conn, 2);           /* on a new connection */
    assert_string_equal(ent[0].txnfile, "1\n"); /* persisted before sending */
    fake_entry lg[8];
    n = fake_find(fk, "login", lg, 8);
    assert_int_equal(n, 2);
    assert_int_equal(lg[1].conn, 2); /* logged in again */
    assert_string_equal(lg[1].user, "rob");
    assert_string_equal(lg[1].pin, "1234");
    fake_entry he[8];
    assert_int_equal(fake_find(fk, "hello", he, 8), 2);
    pthread_mutex_lock(&fk->mu);
    assert_int_equal(fk->effects, 1);
    pthread_mutex_unlock(&fk->mu);

    wms_client_stats st;
    wms_client_get_stats(c, &st);
    assert_int_equal(st.resends, 1);
    assert_int_equal(st.connects, 2);
    assert_true(sn.statuses >= 2); /* "reconnecting..." then "" */
    assert_string_equal(sn.last_status, "");

    assert_int_equal(wms_client_next_txn(c, txn, sizeof(txn), &err), 0);
    assert_string_equal(txn, "RF-T1-2");
    wms_client_close(c);

    /* A restarted handheld continues after the last id. */
    c = open_ok(&o);
    assert_int_equal(wms_client_last_txn(c), 2);
    assert_int_equal(wms_client_next_txn(c, txn, sizeof(txn), &err), 0);
    assert_string_equal(txn, "RF-T1-3");
    read_file(path, text, sizeof(text));
    assert_string_equal(text, "3\n");
    wms_client_close(c);
    fake_stop(fk);
    rm_dir(dir);
}

/* No answer within timeout_ms: the same request goes out again. */
static void test_timeout_resend(void **state)
{
    (void)state;
    char dir[512];
    th_mkdtemp(dir, sizeof(dir), "hhclient");
    fake *fk = fake_start();
    fk->silent_count = 1;
    seen sn = {0};
    wms_client_opts o = opts_for(fk, "RF-T5", dir, &sn);
    o.timeout_ms = 300;
    wms_client *c = open_ok(&o);
    wms_error err = {0};
    msgpack_object res;
    assert_int_equal(wms_client_login(c, "rob", "1234", &res, &err), 0);
    char txn[WMS_CLIENT_TXN_MAX + 1];
    assert_int_equal(wms_client_next_txn(c, txn, sizeof(txn), &err), 0);
    msgpack_packer *pk = wms_client_begin(c, "count.next");
    wms_client_kv_str(pk, "txn", txn);
    assert_int_equal(wms_client_call(c, &res, &err), 0);
    int64_t id = 0;
    assert_int_equal(wms_client_get_int(&res, "count", &id), 0);
    assert_int_equal(id, 7);
    fake_entry ent[8];
    assert_int_equal(fake_find(fk, "count.next", ent, 8), 2);
    assert_string_equal(ent[0].txn, txn);
    assert_string_equal(ent[1].txn, txn);
    assert_true(ent[1].conn > ent[0].conn);
    wms_client_close(c);
    fake_stop(fk);
    rm_dir(dir);
}

/* SHUTTING_DOWN means nothing happened: the client retries by itself. */
static void test_shutting_down_retried(void **state)
{
    (void)state;
    fake *fk = fake_start();
    fk->shutting_down = 1;
    seen sn = {0};
    wms_client_opts o = opts_for(fk, "RF-T6", NULL, &sn);
    wms_client *c = open_ok(&o);
    wms_error err = {0};
    msgpack_object res;
    assert_int_equal(wms_client_login(c, "rob", "1234", &res, &err), 0);
    msgpack_packer *pk = wms_client_begin(c, "stock.query");
    wms_client_kv_str(pk, "bin", "R1");
    assert_int_equal(wms_client_call(c, &res, &err), 0);
    const msgpack_object *rows = wms_client_get_array(&res, "rows");
    assert_non_null(rows);
    assert_int_equal(rows->via.array.size, 1);
    assert_null(wms_client_get_map(&res, "rows"));
    fake_entry ent[4];
    assert_int_equal(fake_find(fk, "stock.query", ent, 4), 2);
    /* No state dir: no txns. */
    char txn[WMS_CLIENT_TXN_MAX + 1];
    assert_int_equal(wms_client_next_txn(c, txn, sizeof(txn), &err), WMS_EBAD_ARGS);
    wms_client_close(c);
    fake_stop(fk);
}

/* Every attempt dropped: WMS_EIO after retries + 1 sends of the same txn. */
static void test_retries_exhausted(void **state)
{
    (void)state;
    char dir[512];
    th_mkdtemp(dir, sizeof(dir), "hhclient");
    fake *fk = fake_start();
    fk->drop_receive = 100;
    seen sn = {0};
    wms_client_opts o = opts_for(fk, "RF-T7", dir, &sn);
    o.retries = 2;
    wms_client *c = open_ok(&o);
    wms_error err = {0};
    msgpack_object res;
    assert_int_equal(wms_client_login(c, "rob", "1234", &res, &err), 0);
    char txn[WMS_CLIENT_TXN_MAX + 1];
    assert_int_equal(wms_client_next_txn(c, txn, sizeof(txn), &err), 0);
    msgpack_packer *pk = wms_client_begin(c, "receive.scan");
    wms_client_kv_str(pk, "txn", txn);
    wms_client_kv_str(pk, "code", "X");
    assert_int_equal(wms_client_call(c, &res, &err), WMS_EIO);
    assert_non_null(strstr(err.msg, "3 attempts"));
    assert_non_null(strstr(sn.last_status, "reconnecting"));
    fake_entry ent[8];
    assert_int_equal(fake_find(fk, "receive.scan", ent, 8), 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(ent[i].txn, txn);
    pthread_mutex_lock(&fk->mu);
    assert_int_equal(fk->effects, 1);
    fk->drop_receive = 0;
    pthread_mutex_unlock(&fk->mu);
    /* Later the caller sends the same request again and gets its answer. */
    pk = wms_client_begin(c, "receive.scan");
    wms_client_kv_str(pk, "txn", txn);
    wms_client_kv_str(pk, "code", "X");
    assert_int_equal(wms_client_call(c, &res, &err), 0);
    pthread_mutex_lock(&fk->mu);
    assert_int_equal(fk->effects, 1);
    pthread_mutex_unlock(&fk->mu);
    wms_client_close(c);
    fake_stop(fk);
    rm_dir(dir);
}

static void test_error_mapping(void **state)
{
    (void)state;
    fake *fk = fake_start();
    seen sn = {0};
    wms_client_opts o = opts_for(fk, "RF-T2", NULL, &sn);
    wms_client *c = open_ok(&o);
    wms_error err = {0};
    msgpack_object res;
    assert_int_equal(wms_client_login(c, "rob", "0000", &res, &err), WMS_EAUTH_FAILED);
    assert_string_equal(err.msg, "wrong user or PIN");
    assert_int_equal(call_simple(c, "boom", &res, &err), WMS_ENOT_LOGGED_IN);
    assert_int_equal(wms_client_login(c, "rob", "1234", &res, &err), 0);
    assert_string_equal(wms_client_error_name(c), "");
    assert_int_equal(call_simple(c, "boom", &res, &err), WMS_EWRONG_BIN);
    assert_int_equal(err.code, WMS_EWRONG_BIN);
    assert_string_equal(err.msg, "wrong bin: scan A-01-01");
    assert_string_equal(wms_client_error_name(c), "WRONG_BIN");
    assert_int_equal(call_simple(c, "weird", &res, &err), WMS_EIO);
    assert_string_equal(err.msg, "a future error");
    assert_string_equal(wms_client_error_name(c), "SOMETHING_NEW");
    assert_int_equal(call_simple(c, "ping", &res, &err), 0);
    assert_int_equal(wms_client_get_bool(&res, "pong"), 1);
    assert_string_equal(wms_client_error_name(c), "");
    /* Every code of the list maps back from its wire name. */
    assert_int_equal(wms_client_code_of("SHUTTING_DOWN", 13), WMS_ESHUTTING_DOWN);
    assert_int_equal(wms_client_code_of("NOMEM", 5), WMS_ENOMEM);
    assert_int_equal(wms_client_code_of("WRONG_BINX", 10), WMS_EIO);
    assert_int_equal(wms_client_code_of("WRONG_BINX", 9), WMS_EWRONG_BIN);
    wms_client_close(c);
    fake_stop(fk);
}

static void test_too_large_refused(void **state)
{
    (void)state;
    fake *fk = fake_start();
    seen sn = {0};
    wms_client_opts o = opts_for(fk, "RF-T3", NULL, &sn);
    wms_client *c = open_ok(&o);
    wms_error err = {0};
    msgpack_object res;
    assert_int_equal(wms_client_login(c, "rob", "1234", &res, &err), 0);
    assert_int_equal(call_simple(c, "big", &res, &err), WMS_ETOO_LARGE);
    assert_non_null(strstr(err.msg, "limit"));
    /* The connection was dropped; the next call reconnects and works. */
    assert_int_equal(call_simple(c, "ping", &res, &err), 0);
    wms_client_stats st;
    wms_client_get_stats(c, &st);
    assert_int_equal(st.connects, 2);
    wms_client_close(c);

    /* An option above the 1 MiB cap is refused. */
    o.max_response = WMS_CLIENT_MAX_RESPONSE + 1;
    assert_int_equal(wms_client_open(&o, &c, &err), WMS_EBAD_ARGS);
    assert_null(c);
    fake_stop(fk);
}

static void test_out_of_order_and_notification(void **state)
{
    (void)state;
    fake *fk = fake_start();
    seen sn = {0};
    wms_client_opts o = opts_for(fk, "RF-T4", NULL, &sn);
    wms_client *c = open_ok(&o);
    wms_error err = {0};
    msgpack_object res;
    assert_int_equal(wms_client_login(c, "rob", "1234", &res, &err), 0);
    assert_int_equal(call_simple(c, "ooo", &res, &err), 0);
    char ok[16];
    assert_int_equal(wms_client_get_str(&res, "ok", ok, sizeof(ok)), 3);
    assert_string_equal(ok, "yes");
    wms_client_stats st;
    wms_client_get_stats(c, &st);
    assert_int_equal(st.ignored, 1);
    assert_int_equal(st.notifications, 1);
    assert_int_equal(sn.notes, 1);
    assert_string_equal(sn.method, "event");
    assert_string_equal(sn.topic, "x");
    /* The connection is still the first one. */
    assert_int_equal(st.connects, 1);
    wms_client_close(c);
    fake_stop(fk);
}

static void test_resume_and_counter_file(void **state)
{
    (void)state;
    char dir[512], path[600];
    th_mkdtemp(dir, sizeof(dir), "hhclient");
    fake *fk = fake_start();
    seen sn = {0};
    /* The server knows a later txn of this device than the (lost) file. */
    snprintf(fk->resume_last, sizeof(fk->resume_last), "RF-T8-41");
    wms_client_opts o = opts_for(fk, "RF-T8", dir, &sn);
    wms_client *c = open_ok(&o);
    assert_int_equal(wms_client_last_txn(c), 41);
    wms_error err = {0};
    char txn[WMS_CLIENT_TXN_MAX + 1];
    assert_int_equal(wms_client_next_txn(c, txn, sizeof(txn), &err), 0);
    assert_string_equal(txn, "RF-T8-42");

    /* A second program on the same device and directory is refused. */
    wms_client *c2 = NULL;
    assert_int_equal(wms_client_open(&o, &c2, &err), WMS_EBUSY);
    assert_null(c2);
    wms_client_close(c);

    /* Another device's txn in resume is ignored. */
    snprintf(fk->resume_last, sizeof(fk->resume_last), "RF-T8X-900");
    c = open_ok(&o);
    assert_int_equal(wms_client_last_txn(c), 42);
    wms_client_close(c);

    /* A damaged counter file is refused rather than guessed. */
    th_write_file(dir, "RF-T9.txn", "12abc\n", path, sizeof(path));
    wms_client_opts o9 = opts_for(fk, "RF-T9", dir, &sn);
    assert_int_equal(wms_client_open(&o9, &c2, &err), WMS_EIO);
    assert_non_null(strstr(err.msg, "damaged"));
    assert_null(c2);

    /* Bad device ids never reach the file system. */
    wms_client_opts ob = opts_for(fk, "../etc", dir, &sn);
    assert_int_equal(wms_client_open(&ob, &c2, &err), WMS_EBAD_ARGS);
    ob.device = "RF-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789-XY";
    assert_int_equal(wms_client_open(&ob, &c2, &err), WMS_EBAD_ARGS);
    fake_stop(fk);
    rm_dir(dir);
}

static void test_unreachable_and_bad_calls(void **state)
{
    (void)state;
    fake *fk = fake_start();
    seen sn = {0};
    wms_client_opts o = opts_for(fk, "RF-T10", NULL, &sn);
    wms_client *c = open_ok(&o);
    wms_error err = {0};
    msgpack_object res;
    /* Not key/value pairs. */
    msgpack_packer *pk = wms_client_begin(c, "ping");
    wms_client_kv_str(pk, "a", "b");
    msgpack_pack_int(pk, 3);
    assert_int_equal(wms_client_call(c, &res, &err), WMS_EBAD_ARGS);
    /* No begin. */
    assert_int_equal(wms_client_call(c, &res, &err), WMS_EBAD_ARGS);
    assert_null(wms_client_begin(c, ""));
    wms_client_close(c);
    int port = fk->port;
    fake_stop(fk);

    /* Nobody listens any more: open gives up after its retries. */
    o.port = port;
    o.retries = 1;
    c = NULL;
    assert_int_equal(wms_client_open(&o, &c, &err), WMS_EIO);
    assert_null(c);
}

static void test_get_helpers(void **state)
{
    (void)state;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 6);
    wms_client_kv_str(&pk, "s", "hello");
    wms_client_kv_int(&pk, "neg", -5);
    wms_client_kv_bool(&pk, "b", 0);
    pk_str(&pk, "big");
    msgpack_pack_uint64(&pk, UINT64_MAX);
    pk_str(&pk, "m");
    msgpack_pack_map(&pk, 0);
    pk_str(&pk, "nil");
    msgpack_pack_nil(&pk);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    assert_int_equal(msgpack_unpack_next(&u, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
    const msgpack_object *o = &u.data;
    char buf[4];
    assert_int_equal(wms_client_get_str(o, "s", buf, sizeof(buf)), WMS_ETOO_LARGE);
    assert_string_equal(buf, "hel");
    char big[16];
    assert_int_equal(wms_client_get_str(o, "s", big, sizeof(big)), 5);
    assert_int_equal(wms_client_get_str(o, "neg", big, sizeof(big)), WMS_EBAD_ARGS);
    assert_int_equal(wms_client_get_str(o, "nil", big, sizeof(big)), WMS_ENOT_FOUND);
    assert_int_equal(wms_client_get_str(o, "nope", big, sizeof(big)), WMS_ENOT_FOUND);
    int64_t v = 0;
    assert_int_equal(wms_client_get_int(o, "neg", &v), 0);
    assert_int_equal(v, -5);
    assert_int_equal(wms_client_get_int(o, "big", &v), WMS_ETOO_LARGE);
    assert_int_equal(wms_client_get_int(o, "s", &v), WMS_EBAD_ARGS);
    assert_int_equal(wms_client_get_bool(o, "b"), 0);
    assert_int_equal(wms_client_get_bool(o, "s"), WMS_EBAD_ARGS);
    assert_non_null(wms_client_get_map(o, "m"));
    assert_null(wms_client_get_array(o, "m"));
    assert_null(wms_client_find(o, "missing"));
    assert_null(wms_client_find(&o->via.map.ptr[0].val, "s")); /* not a map */
    msgpack_unpacked_destroy(&u);
    msgpack_sbuffer_destroy(&sb);
}

/* ------------------------------------------------------------------------ */
/* Screen state machines                                                    */
/* ------------------------------------------------------------------------ */

/* Builds a result object from packed bytes; free with msgpack_unpacked_destroy. */
typedef struct obj_buf {
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_unpacked u;
} obj_buf;

static msgpack_packer *ob_begin(obj_buf *b)
{
    msgpack_sbuffer_init(&b->sb);
    msgpack_packer_init(&b->pk, &b->sb, msgpack_sbuffer_write);
    msgpack_unpacked_init(&b->u);
    return &b->pk;
}

static const msgpack_object *ob_obj(obj_buf *b)
{
    size_t off = 0;
    assert_int_equal(msgpack_unpack_next(&b->u, b->sb.data, b->sb.size, &off),
                     MSGPACK_UNPACK_SUCCESS);
    return &b->u.data;
}

static void ob_free(obj_buf *b)
{
    msgpack_unpacked_destroy(&b->u);
    msgpack_sbuffer_destroy(&b->sb);
}

/* The args a request packs, as a map object in b. */
static const msgpack_object *packed_args(const wms_hh_req *r, obj_buf *b)
{
    ob_begin(b);
    msgpack_sbuffer pairs;
    msgpack_sbuffer_init(&pairs);
    msgpack_packer pp;
    msgpack_packer_init(&pp, &pairs, msgpack_sbuffer_write);
    int n = wms_hh_req_pack(r, &pp);
    msgpack_pack_map(&b->pk, (size_t)n);
    msgpack_sbuffer_write(&b->sb, pairs.data, pairs.size);
    msgpack_sbuffer_destroy(&pairs);
    return ob_obj(b);
}

static void login(wms_hh_state *s)
{
    wms_hh_init(s);
    assert_int_equal(s->screen, WMS_HH_SCR_LOGIN);
    assert_string_equal(s->prompt, "User:");
    assert_int_equal(wms_hh_input(s, "rob"), WMS_HH_IDLE);
    assert_string_equal(s->prompt, "PIN:");
    assert_int_equal(s->hidden, 1);
    assert_int_equal(wms_hh_input(s, "1234"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "login");
    assert_int_equal(s->req.needs_txn, 0);
    assert_string_equal(wms_hh_req_str(&s->req, "user"), "rob");
    assert_string_equal(wms_hh_req_str(&s->req, "pin"), "1234");
    obj_buf b;
    msgpack_packer *pk = ob_begin(&b);
    msgpack_pack_map(pk, 2);
    wms_client_kv_str(pk, "user", "rob");
    wms_client_kv_str(pk, "role", "receiver");
    assert_int_equal(wms_hh_result(s, ob_obj(&b)), WMS_HH_IDLE);
    ob_free(&b);
    assert_int_equal(s->screen, WMS_HH_SCR_MENU);
    assert_int_equal(s->hidden, 0);
    assert_non_null(strstr(s->status, "rob"));
    assert_int_equal(s->status_error, 0);
}

static void test_ui_login_menu(void **state)
{
    (void)state;
    wms_hh_state *s = calloc(1, sizeof(*s));
    /* A failed login goes back to "User:" with the message and code. */
    wms_hh_init(s);
    wms_hh_input(s, "  rob \r");
    assert_string_equal(s->user, "rob");
    assert_int_equal(wms_hh_input(s, "9"), WMS_HH_SEND);
    assert_int_equal(wms_hh_input(s, "ignored while busy"), WMS_HH_IDLE);
    wms_hh_error(s, "AUTH_FAILED", "wrong user or PIN");
    assert_int_equal(s->screen, WMS_HH_SCR_LOGIN);
    assert_string_equal(s->prompt, "User:");
    assert_string_equal(s->status, "wrong user or PIN [AUTH_FAILED]");
    assert_int_equal(s->status_error, 1);

    login(s);
    assert_true(s->nbody >= 6);
    assert_string_equal(s->body[0], "1 Receive");
    assert_int_equal(wms_hh_input(s, "7"), WMS_HH_IDLE);
    assert_int_equal(s->status_error, 1);
    /* Esc from the menu logs out; Esc from "User:" quits. */
    assert_int_equal(wms_hh_back(s), WMS_HH_SEND);
    assert_string_equal(s->req.method, "logout");
    obj_buf b;
    msgpack_pack_map(ob_begin(&b), 0);
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_int_equal(s->screen, WMS_HH_SCR_LOGIN);
    assert_int_equal(wms_hh_back(s), WMS_HH_QUIT);
    free(s);
}

static void test_ui_receive_flow(void **state)
{
    (void)state;
    wms_hh_state *s = calloc(1, sizeof(*s));
    login(s);
    assert_int_equal(wms_hh_input(s, "1"), WMS_HH_IDLE);
    assert_int_equal(s->screen, WMS_HH_SCR_RECEIVE);
    assert_string_equal(s->title, "RECEIVE");
    assert_int_equal(wms_hh_input(s, "R1"), WMS_HH_IDLE);
    assert_string_equal(s->prompt, "Item:");
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_IDLE); /* an item is required */
    assert_int_equal(s->status_error, 1);
    assert_int_equal(wms_hh_input(s, "14006381333938"), WMS_HH_IDLE);
    assert_string_equal(s->prompt, "Qty (Enter=1):");
    assert_int_equal(wms_hh_input(s, "-3"), WMS_HH_IDLE);
    assert_non_null(strstr(s->status, "[BAD_QTY]"));
    assert_int_equal(wms_hh_input(s, "2"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "receive.scan");
    assert_int_equal(s->req.needs_txn, 1);
    assert_string_equal(s->req.txn, "");
    snprintf(s->req.txn, sizeof(s->req.txn), "RF-1-5"); /* the program's job */
    obj_buf a;
    const msgpack_object *args = packed_args(&s->req, &a);
    char v[64];
    int64_t q = 0;
    assert_int_equal(args->via.map.size, 4);
    wms_client_get_str(args, "txn", v, sizeof(v));
    assert_string_equal(v, "RF-1-5");
    wms_client_get_str(args, "code", v, sizeof(v));
    assert_string_equal(v, "14006381333938");
    wms_client_get_str(args, "bin", v, sizeof(v));
    assert_string_equal(v, "R1");
    assert_int_equal(wms_client_get_int(args, "qty", &q), 0);
    assert_int_equal(q, 2);
    ob_free(&a);

    obj_buf b;
    msgpack_packer *pk = ob_begin(&b);
    msgpack_pack_map(pk, 6);
    wms_client_kv_str(pk, "bin", "R1");
    wms_client_kv_str(pk, "sku", "A");
    wms_client_kv_int(pk, "qty", 48);
    wms_client_kv_str(pk, "lot", "L9");
    wms_client_kv_str(pk, "expiry", "2027-03-31");
    wms_client_kv_str(pk, "status", "available");
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_string_equal(s->status, "Booked 48 A in R1 (L9, 2027-03-31, available)");
    assert_int_equal(s->status_error, 0);
    assert_string_equal(s->prompt, "Item:"); /* next item, same bin */

    /* An error shows the server's message verbatim with the code. */
    wms_hh_input(s, "5000000000017");
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_SEND);
    assert_int_equal(wms_hh_req_int(&s->req, "qty"), -1); /* omitted: one pack */
    wms_hh_error(s, "EXPIRED_LOT", "lot L1 expired on 2024-01-31");
    assert_string_equal(s->status, "lot L1 expired on 2024-01-31 [EXPIRED_LOT]");
    assert_int_equal(s->status_error, 1);
    assert_string_equal(s->prompt, "Item:");

    /* An ambiguous code asks for the SKU and sends a new request. */
    wms_hh_input(s, "4000000000006");
    assert_int_equal(wms_hh_input(s, "1"), WMS_HH_SEND);
    snprintf(s->req.txn, sizeof(s->req.txn), "RF-1-6");
    wms_hh_error(s, "AMBIGUOUS_CODE", "this code belongs to several items: choose the item");
    assert_string_equal(s->prompt, "SKU:");
    assert_int_equal(wms_hh_input(s, "B"), WMS_HH_SEND);
    assert_string_equal(s->req.txn, ""); /* a new call gets a new txn */
    assert_string_equal(wms_hh_req_str(&s->req, "item"), "B");
    assert_string_equal(wms_hh_req_str(&s->req, "code"), "4000000000006");

    /* Esc walks back to the menu. */
    wms_hh_error(s, "NOT_FOUND", "no such bin");
    wms_hh_back(s);
    assert_int_equal(s->screen, WMS_HH_SCR_RECEIVE);
    wms_hh_back(s);
    assert_int_equal(s->screen, WMS_HH_SCR_MENU);
    free(s);
}

/* After a transport failure Enter resends the same request, txn and all. */
static void test_ui_offline_resend(void **state)
{
    (void)state;
    wms_hh_state *s = calloc(1, sizeof(*s));
    login(s);
    wms_hh_input(s, "4");
    assert_int_equal(s->screen, WMS_HH_SCR_MOVE);
    wms_hh_input(s, "A-01");
    wms_hh_input(s, "ITEM1");
    wms_hh_input(s, "5");
    assert_string_equal(s->prompt, "To bin:");
    assert_int_equal(wms_hh_input(s, "B-02"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "stock.move");
    snprintf(s->req.txn, sizeof(s->req.txn), "RF-1-9");
    wms_hh_offline(s, "no answer from the server");
    assert_int_equal(s->status_error, 1);
    assert_int_equal(s->offline, 1);
    assert_int_equal(wms_hh_input(s, "whatever"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "stock.move");
    assert_string_equal(s->req.txn, "RF-1-9");
    assert_string_equal(wms_hh_req_str(&s->req, "from"), "A-01");
    assert_string_equal(wms_hh_req_str(&s->req, "to"), "B-02");
    assert_int_equal(wms_hh_req_int(&s->req, "qty"), 5);
    /* Esc gives up on it. */
    wms_hh_offline(s, "still nothing");
    assert_int_equal(wms_hh_back(s), WMS_HH_IDLE);
    assert_int_equal(s->offline, 0);
    assert_non_null(strstr(s->status, "Not confirmed"));
    free(s);
}

static void test_ui_count_flow(void **state)
{
    (void)state;
    wms_hh_state *s = calloc(1, sizeof(*s));
    login(s);
    assert_int_equal(wms_hh_input(s, "5"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "count.next");
    assert_int_equal(s->req.needs_txn, 1);
    obj_buf b;
    msgpack_packer *pk = ob_begin(&b);
    msgpack_pack_map(pk, 2);
    wms_client_kv_int(pk, "count", 7);
    wms_client_kv_str(pk, "bin", "C-01");
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_string_equal(s->prompt, "Scan bin:");
    assert_int_equal(wms_hh_input(s, "C-02"), WMS_HH_IDLE);
    assert_string_equal(s->status, "wrong bin: scan C-01 [WRONG_BIN]");
    wms_hh_input(s, "C-01");
    wms_hh_input(s, "A");
    assert_string_equal(s->prompt, "Qty:");
    wms_hh_input(s, "5");
    wms_hh_input(s, "B");
    wms_hh_input(s, "0");
    assert_int_equal(s->ncount, 2);
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_SEND);
    assert_string_equal(s->req.method, "count.submit");
    assert_int_equal(wms_hh_req_int(&s->req, "count"), 7);
    obj_buf a;
    const msgpack_object *args = packed_args(&s->req, &a);
    const msgpack_object *lines = wms_client_get_array(args, "lines");
    assert_non_null(lines);
    assert_int_equal(lines->via.array.size, 2);
    char code[8];
    int64_t q = -1;
    wms_client_get_str(&lines->via.array.ptr[1], "code", code, sizeof(code));
    assert_string_equal(code, "B");
    assert_int_equal(wms_client_get_int(&lines->via.array.ptr[1], "qty", &q), 0);
    assert_int_equal(q, 0);
    ob_free(&a);
    pk = ob_begin(&b);
    msgpack_pack_map(pk, 1);
    wms_client_kv_str(pk, "status", "pending_approval");
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_string_equal(s->status, "Count 7 waits for a supervisor");
    assert_string_equal(s->prompt, "Enter=next count");
    free(s);
}

/* The screens driven through the real client against the fake server, as
 * wms-handheld does it. */
static int run(wms_client *c, wms_hh_state *s, int act)
{
    while (act == WMS_HH_SEND) {
        wms_error err = {0};
        if (s->req.needs_txn && s->req.txn[0] == '\0' &&
            wms_client_next_txn(c, s->req.txn, sizeof(s->req.txn), &err) < 0)
            return wms_hh_offline(s, err.msg);
        msgpack_packer *pk = wms_client_begin(c, s->req.method);
        assert_non_null(pk);
        wms_hh_req_pack(&s->req, pk);
        msgpack_object res;
        int rc = wms_client_call(c, &res, &err);
        if (rc == 0)
            act = wms_hh_result(s, &res);
        else if (wms_client_error_name(c)[0] != '\0')
            act = wms_hh_error(s, wms_client_error_name(c), err.msg);
        else
            act = wms_hh_offline(s, err.msg);
    }
    return act;
}

static void test_ui_with_client(void **state)
{
    (void)state;
    char dir[512];
    th_mkdtemp(dir, sizeof(dir), "hhclient");
    fake *fk = fake_start();
    fk->drop_receive = 1;
    seen sn = {0};
    wms_client_opts o = opts_for(fk, "RF-T11", dir, &sn);
    wms_client *c = open_ok(&o);
    wms_hh_state *s = calloc(1, sizeof(*s));
    wms_hh_init(s);
    run(c, s, wms_hh_input(s, "rob"));
    run(c, s, wms_hh_input(s, "1234"));
    assert_int_equal(s->screen, WMS_HH_SCR_MENU);
    run(c, s, wms_hh_input(s, "1"));
    run(c, s, wms_hh_input(s, "R7"));
    run(c, s, wms_hh_input(s, "14006381333938"));
    run(c, s, wms_hh_input(s, "3"));
    assert_string_equal(s->status, "Booked 72 A in R7 (available)");
    assert_string_equal(s->req.txn, "RF-T11-1");
    fake_entry ent[4];
    assert_int_equal(fake_find(fk, "receive.scan", ent, 4), 2);
    assert_string_equal(ent[1].txn, "RF-T11-1");
    /* stock inquiry */
    run(c, s, wms_hh_back(s));
    run(c, s, wms_hh_back(s));
    assert_int_equal(s->screen, WMS_HH_SCR_MENU);
    run(c, s, wms_hh_input(s, "3"));
    run(c, s, wms_hh_input(s, "R1"));
    assert_string_equal(s->status, "1 rows, 48 available");
    assert_string_equal(s->body[0], "R1 A 48");
    free(s);
    wms_client_close(c);
    fake_stop(fk);
    rm_dir(dir);
}

int main(void)
{
    alarm(120); /* nothing may hang the test run */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drop_resend_same_txn),
        cmocka_unit_test(test_timeout_resend),
        cmocka_unit_test(test_shutting_down_retried),
        cmocka_unit_test(test_retries_exhausted),
        cmocka_unit_test(test_error_mapping),
        cmocka_unit_test(test_too_large_refused),
        cmocka_unit_test(test_out_of_order_and_notification),
        cmocka_unit_test(test_resume_and_counter_file),
        cmocka_unit_test(test_unreachable_and_bad_calls),
        cmocka_unit_test(test_get_helpers),
        cmocka_unit_test(test_ui_login_menu),
        cmocka_unit_test(test_ui_receive_flow),
        cmocka_unit_test(test_ui_offline_resend),
        cmocka_unit_test(test_ui_count_flow),
        cmocka_unit_test(test_ui_with_client),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
