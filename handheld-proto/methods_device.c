/* methods_device.c - scanner.selftest and device.list. */
#include "methods_impl.h"
#include "store/device.h"

#include <string.h>

#define DEVICE_LIST_DEFAULT 50
#define DEVICE_LIST_PROTO_MAX 200 /* rows of up to ~3 KB: a response stays well under 1 MiB */

/* A string of one byte, or nil for 0. */
static void pack_char_or_nil(msgpack_packer *pk, char ch)
{
    if (ch == '\0') {
        msgpack_pack_nil(pk);
        return;
    }
    char s[2] = {ch, '\0'};
    wms_pack_str(pk, s);
}

/* Compares the scan of the self-test label with what the label holds,
 * records the result for the device and, when the scanner sends a usable
 * substitute for the GS1 separator, makes this session accept it.  Runs as
 * a write without a txn (M_WRITE): repeating it only records another test. */
int m_scanner_selftest(wms_call *c)
{
    char scan[WMS_RPC_STR_MAX + 1];
    int rc = wms_arg_str(c->args, "scan", 1, scan, sizeof(scan), c->err);
    if (rc < 0)
        return rc;
    wms_selftest t;
    if ((rc = wms_selftest_check(scan, strlen(scan), c->id->gs_sub, &t)) < 0)
        return wms_error_set(c->err, rc, "self-test: bad arguments");
    if ((rc = wms_selftest_record(c->db, c->id->device, c->id->user, &t, c->err)) < 0)
        return rc;
    if (t.gs_sub != '\0')
        c->id->gs_sub = t.gs_sub;
    msgpack_pack_map(c->pk, 4);
    wms_pack_kv_bool(c->pk, "ok", t.ok);
    wms_pack_kv_bool(c->pk, "usable", t.usable);
    wms_pack_str(c->pk, "quirks");
    msgpack_pack_array(c->pk, (size_t)t.n_quirks);
    for (int i = 0; i < t.n_quirks; i++) {
        msgpack_pack_map(c->pk, 3);
        wms_pack_kv_str(c->pk, "code", wms_selftest_quirk_code(t.quirks[i].kind));
        wms_pack_kv_str(c->pk, "message", t.quirks[i].message);
        wms_pack_kv_str(c->pk, "setting", t.quirks[i].setting);
    }
    wms_pack_str(c->pk, "gs_sub");
    pack_char_or_nil(c->pk, t.gs_sub);
    return 0;
}

typedef struct device_rows {
    msgpack_sbuffer buf;
    msgpack_packer pk;
    int n;
} device_rows;

/* Packs one device row into the temporary buffer. */
static int pack_device(void *ctx, const wms_device_row *r)
{
    device_rows *d = ctx;
    msgpack_packer *pk = &d->pk;
    int ncodes = 0;
    for (const char *p = r->quirks; *p; p++)
        ncodes += p == r->quirks || p[-1] == ',';
    msgpack_pack_map(pk, 10);
    wms_pack_kv_str(pk, "device", r->device);
    wms_pack_kv_str(pk, "user", r->user);
    wms_pack_kv_str(pk, "ts", r->ts);
    wms_pack_kv_bool(pk, "ok", r->ok);
    wms_pack_kv_bool(pk, "usable", r->usable);
    wms_pack_str(pk, "quirks");
    msgpack_pack_array(pk, (size_t)ncodes);
    for (const char *p = r->quirks; *p;) {
        size_t len = strcspn(p, ",");
        msgpack_pack_str(pk, len);
        msgpack_pack_str_body(pk, p, len);
        p += len + (p[len] == ',');
    }
    wms_pack_kv_str(pk, "detail", r->detail);
    wms_pack_str(pk, "gs_sub");
    pack_char_or_nil(pk, r->gs_sub[0]);
    wms_pack_kv_int(pk, "tests", r->tests);
    wms_pack_str(pk, "last_ok");
    if (r->last_ok[0])
        wms_pack_str(pk, r->last_ok);
    else
        msgpack_pack_nil(pk);
    d->n++;
    return 0;
}

/* Devices by their latest self-test; `failed` lists only those whose
 * latest test was not exact.  The rows are packed into a temporary buffer
 * first (the array's length comes before them). */
int m_device_list(wms_call *c)
{
    int failed = 0, more = 0;
    int64_t limit = DEVICE_LIST_DEFAULT;
    int rc;
    if ((rc = wms_arg_bool(c->args, "failed", 0, &failed, c->err)) < 0 ||
        (rc = wms_arg_int(c->args, "limit", 0, 1, DEVICE_LIST_PROTO_MAX, &limit, c->err)) < 0)
        return rc;
    device_rows d;
    msgpack_sbuffer_init(&d.buf);
    msgpack_packer_init(&d.pk, &d.buf, msgpack_sbuffer_write);
    d.n = 0;
    rc = wms_device_list(c->db, failed, (int)limit, pack_device, &d, &more, c->err);
    if (rc >= 0) {
        msgpack_pack_map(c->pk, 2);
        wms_pack_str(c->pk, "devices");
        msgpack_pack_array(c->pk, (size_t)d.n);
        if (d.buf.size > 0)
            c->pk->callback(c->pk->data, d.buf.data, d.buf.size);
        wms_pack_kv_bool(c->pk, "more", more);
        rc = 0;
    }
    msgpack_sbuffer_destroy(&d.buf);
    return rc;
}
