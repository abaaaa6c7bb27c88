/* rpc.c - decoding requests, validating arguments, encoding responses. */
#include "rpc.h"

#include <stdio.h>
#include <string.h>

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + len > n)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

static int str_eq(const msgpack_object *o, const char *s)
{
    size_t n = strlen(s);
    return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
           memcmp(o->via.str.ptr, s, n) == 0;
}

int wms_rpc_decode(const uint8_t *msg, size_t n, msgpack_zone *zone, wms_rpc_req *out,
                   wms_error *err)
{
    memset(out, 0, sizeof(*out));
    msgpack_object obj;
    size_t off = 0;
    msgpack_unpack_return ur = msgpack_unpack((const char *)msg, n, &off, zone, &obj);
    if (ur != MSGPACK_UNPACK_SUCCESS && ur != MSGPACK_UNPACK_EXTRA_BYTES)
        return wms_error_set(err, WMS_EBAD_FRAME, "not a MessagePack message");
    if (off != n)
        return wms_error_set(err, WMS_EBAD_FRAME, "trailing bytes after the message");
    if (obj.type != MSGPACK_OBJECT_ARRAY || obj.via.array.size != 4)
        return wms_error_set(err, WMS_EBAD_FRAME, "a request is [0, msgid, method, [args]]");
    const msgpack_object *a = obj.via.array.ptr;
    if (a[1].type == MSGPACK_OBJECT_POSITIVE_INTEGER && a[1].via.u64 <= UINT32_MAX) {
        out->msgid = (uint32_t)a[1].via.u64;
        out->has_msgid = 1;
    }
    if (a[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER || a[0].via.u64 != 0)
        return wms_error_set(err, WMS_EBAD_FRAME, "only requests (type 0) are accepted");
    if (!out->has_msgid)
        return wms_error_set(err, WMS_EBAD_FRAME, "msgid must be an unsigned 32-bit integer");
    if (a[2].type != MSGPACK_OBJECT_STR || a[2].via.str.size == 0 ||
        a[2].via.str.size > WMS_RPC_METHOD_MAX)
        return wms_error_set(err, WMS_EBAD_FRAME, "method must be a string of 1-%d bytes",
                             WMS_RPC_METHOD_MAX);
    for (uint32_t i = 0; i < a[2].via.str.size; i++) {
        char c = a[2].via.str.ptr[i];
        if (!((c >= 'a' && c <= 'z') || c == '.' || c == '_'))
            return wms_error_set(err, WMS_EUNKNOWN_METHOD, "unknown method");
    }
    memcpy(out->method, a[2].via.str.ptr, a[2].via.str.size);
    out->method[a[2].via.str.size] = '\0';
    if (a[3].type != MSGPACK_OBJECT_ARRAY || a[3].via.array.size > 1)
        return wms_error_set(err, WMS_EBAD_ARGS, "params must be [args] with one map");
    if (a[3].via.array.size == 1) {
        const msgpack_object *m = &a[3].via.array.ptr[0];
        if (m->type != MSGPACK_OBJECT_MAP)
            return wms_error_set(err, WMS_EBAD_ARGS, "args must be a map");
        for (uint32_t i = 0; i < m->via.map.size; i++)
            if (m->via.map.ptr[i].key.type != MSGPACK_OBJECT_STR)
                return wms_error_set(err, WMS_EBAD_ARGS, "arg keys must be strings");
        out->args = m;
    }
    return 0;
}

const msgpack_object *wms_arg_get(const msgpack_object *map, const char *key)
{
    if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < map->via.map.size; i++)
        if (str_eq(&map->via.map.ptr[i].key, key))
            return &map->via.map.ptr[i].val;
    return NULL;
}

static int absent(const msgpack_object *v)
{
    return v == NULL || v->type == MSGPACK_OBJECT_NIL;
}

int wms_arg_str(const msgpack_object *args, const char *key, int required, char *buf, size_t cap,
                wms_error *err)
{
    const msgpack_object *v = wms_arg_get(args, key);
    buf[0] = '\0';
    if (absent(v)) {
        if (required)
            return wms_error_set(err, WMS_EBAD_ARGS, "missing argument '%s'", key);
        return 0;
    }
    if (v->type != MSGPACK_OBJECT_STR)
        return wms_error_set(err, WMS_EBAD_ARGS, "argument '%s' must be a string", key);
    if (v->via.str.size >= cap)
        return wms_error_set(err, WMS_EBAD_ARGS, "argument '%s' is longer than %zu bytes", key,
                             cap - 1);
    if (memchr(v->via.str.ptr, '\0', v->via.str.size) != NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "argument '%s' contains a NUL byte", key);
    if (!utf8_valid((const unsigned char *)v->via.str.ptr, v->via.str.size))
        return wms_error_set(err, WMS_EBAD_ARGS, "argument '%s' is not valid UTF-8", key);
    if (required && v->via.str.size == 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "argument '%s' is empty", key);
    memcpy(buf, v->via.str.ptr, v->via.str.size);
    buf[v->via.str.size] = '\0';
    return v->via.str.size > 0 ? 1 : 0;
}

int wms_arg_int(const msgpack_object *args, const char *key, int required, int64_t min, int64_t max,
                int64_t *out, wms_error *err)
{
    const msgpack_object *v = wms_arg_get(args, key);
    if (absent(v)) {
        if (required)
            return wms_error_set(err, WMS_EBAD_ARGS, "missing argument '%s'", key);
        return 0;
    }
    int64_t x;
    if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        if (v->via.u64 > (uint64_t)INT64_MAX)
            return wms_error_set(err, WMS_EBAD_QTY, "argument '%s' is too large", key);
        x = (int64_t)v->via.u64;
    } else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        x = v->via.i64;
    } else {
        return wms_error_set(err, WMS_EBAD_ARGS, "argument '%s' must be a whole number", key);
    }
    if (x < min || x > max)
        return wms_error_set(err, WMS_EBAD_QTY, "argument '%s' must be between %lld and %lld", key,
                             (long long)min, (long long)max);
    *out = x;
    return 1;
}

int wms_arg_bool(const msgpack_object *args, const char *key, int required, int *out,
                 wms_error *err)
{
    const msgpack_object *v = wms_arg_get(args, key);
    if (absent(v)) {
        if (required)
            return wms_error_set(err, WMS_EBAD_ARGS, "missing argument '%s'", key);
        return 0;
    }
    if (v->type != MSGPACK_OBJECT_BOOLEAN)
        return wms_error_set(err, WMS_EBAD_ARGS, "argument '%s' must be true or false", key);
    *out = v->via.boolean ? 1 : 0;
    return 1;
}

int wms_arg_array(const msgpack_object *args, const char *key, int required, size_t max_items,
                  const msgpack_object **out, wms_error *err)
{
    const msgpack_object *v = wms_arg_get(args, key);
    *out = NULL;
    if (absent(v)) {
        if (required)
            return wms_error_set(err, WMS_EBAD_ARGS, "missing argument '%s'", key);
        return 0;
    }
    if (v->type != MSGPACK_OBJECT_ARRAY)
        return wms_error_set(err, WMS_EBAD_ARGS, "argument '%s' must be an array", key);
    if (v->via.array.size > max_items)
        return wms_error_set(err, WMS_EBAD_ARGS, "argument '%s' has more than %zu items", key,
                             max_items);
    *out = v;
    return 1;
}

void wms_pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

void wms_pack_kv_str(msgpack_packer *pk, const char *key, const char *val)
{
    wms_pack_str(pk, key);
    wms_pack_str(pk, val);
}

void wms_pack_kv_int(msgpack_packer *pk, const char *key, int64_t val)
{
    wms_pack_str(pk, key);
    msgpack_pack_int64(pk, val);
}

void wms_pack_kv_bool(msgpack_packer *pk, const char *key, int val)
{
    wms_pack_str(pk, key);
    if (val)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
}

void wms_pack_error(msgpack_packer *pk, int code, const char *message)
{
    msgpack_pack_map(pk, 2);
    wms_pack_kv_str(pk, "code", wms_err_name(code));
    wms_pack_kv_str(pk, "message", message && message[0] ? message : wms_strerror(code));
}

void wms_outcome_error(msgpack_sbuffer *out, int code, const char *message)
{
    msgpack_sbuffer_clear(out);
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 2);
    wms_pack_error(&pk, code, message);
    msgpack_pack_nil(&pk);
}

int wms_response_from_outcome(uint32_t msgid, const uint8_t *blob, size_t n, msgpack_sbuffer *out)
{
    if (n < 3 || blob[0] != 0x92)
        return WMS_EBAD_ARGS;
    msgpack_sbuffer_clear(out);
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 4);
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_uint32(&pk, msgid);
    msgpack_sbuffer_write(out, (const char *)blob + 1, n - 1);
    return 0;
}

int wms_notification(const char *method, const uint8_t *map, size_t n, msgpack_sbuffer *out)
{
    msgpack_sbuffer_clear(out);
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 3);
    msgpack_pack_uint8(&pk, 2);
    wms_pack_str(&pk, method);
    msgpack_pack_array(&pk, 1);
    msgpack_sbuffer_write(out, (const char *)map, n);
    return 0;
}
