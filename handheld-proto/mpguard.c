/* mpguard.c - bounds-checking pre-scan of MessagePack bytes (see mpguard.h). */
#include "mpguard.h"

#include <string.h>

void wms_mp_limits_default(wms_mp_limits *lim)
{
    if (lim == NULL)
        return;
    lim->max_bytes = 1024 * 1024;
    lim->max_depth = 16;
    lim->max_container = 4096;
    lim->max_str = 64 * 1024;
    lim->max_total_objects = 65536;
}

/* What a type byte introduces. */
enum mp_kind {
    MP_BAD,   /* 0xc1 */
    MP_VALUE, /* fixed-size scalar: nil, bool, ints, floats */
    MP_BLOB,  /* str, bin, ext: a payload subject to max_str */
    MP_ARRAY,
    MP_MAP,
};

typedef struct mp_format {
    enum mp_kind kind;
    const char *name; /* for error messages */
    unsigned lenw;    /* width of the big-endian length/count field after the type byte */
    unsigned extra;   /* header bytes after that field (the ext type byte) */
    uint32_t fixed;   /* payload bytes or element count when lenw == 0 */
} mp_format;

/* Describes the format introduced by type byte b. */
static mp_format mp_classify(uint8_t b)
{
    if (b <= 0x7f || b >= 0xe0)
        return (mp_format){MP_VALUE, "int", 0, 0, 0};
    if (b <= 0x8f)
        return (mp_format){MP_MAP, "map", 0, 0, b & 0x0fU};
    if (b <= 0x9f)
        return (mp_format){MP_ARRAY, "array", 0, 0, b & 0x0fU};
    if (b <= 0xbf)
        return (mp_format){MP_BLOB, "str", 0, 0, b & 0x1fU};
    switch (b) {
    case 0xc0:
    case 0xc2:
    case 0xc3:
        return (mp_format){MP_VALUE, "nil/bool", 0, 0, 0};
    case 0xc4:
    case 0xc5:
    case 0xc6:
        return (mp_format){MP_BLOB, "bin", 1U << (b - 0xc4), 0, 0};
    case 0xc7:
    case 0xc8:
    case 0xc9:
        return (mp_format){MP_BLOB, "ext", 1U << (b - 0xc7), 1, 0};
    case 0xca:
        return (mp_format){MP_VALUE, "float", 0, 0, 4};
    case 0xcb:
        return (mp_format){MP_VALUE, "float", 0, 0, 8};
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
        return (mp_format){MP_VALUE, "uint", 0, 0, 1U << (b - 0xcc)};
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3:
        return (mp_format){MP_VALUE, "int", 0, 0, 1U << (b - 0xd0)};
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
        return (mp_format){MP_BLOB, "ext", 0, 1, 1U << (b - 0xd4)};
    case 0xd9:
    case 0xda:
    case 0xdb:
        return (mp_format){MP_BLOB, "str", 1U << (b - 0xd9), 0, 0};
    case 0xdc:
    case 0xdd:
        return (mp_format){MP_ARRAY, "array", 2U << (b - 0xdc), 0, 0};
    case 0xde:
    case 0xdf:
        return (mp_format){MP_MAP, "map", 2U << (b - 0xde), 0, 0};
    default: /* 0xc1 */
        return (mp_format){MP_BAD, "reserved", 0, 0, 0};
    }
}

/* Reads the big-endian field of `width` bytes at p of which only `got` are
 * present; missing low bytes count as zero, giving a lower bound. */
static uint64_t mp_read_be(const uint8_t *p, unsigned width, size_t got)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < width; i++)
        v = (v << 8) | (i < got ? p[i] : 0);
    return v;
}

/* Checks that `need` more bytes at pos, plus one byte for each of `pending`
 * values still to come, fit in max_bytes.  Returns 0 or WMS_ETOO_LARGE. */
static int mp_check_room(const wms_mp_limits *lim, size_t pos, uint64_t need, uint64_t pending,
                         const char *what, wms_error *err)
{
    uint64_t room = lim->max_bytes - pos; /* pos <= max_bytes is an invariant */
    if (need <= room && pending <= room - need)
        return 0;
    uint64_t total = pos + need; /* saturating: only for the message */
    total = total < need || total + pending < total ? UINT64_MAX : total + pending;
    return wms_error_set(err, WMS_ETOO_LARGE,
                         "message too large: the %s at offset %zu needs at least %llu bytes, "
                         "over max_bytes %zu",
                         what, pos, (unsigned long long)total, lim->max_bytes);
}

void wms_mp_scanner_init(wms_mp_scanner *sc, const wms_mp_limits *lim)
{
    if (sc == NULL)
        return;
    memset(sc, 0, sizeof(*sc));
    if (lim != NULL)
        sc->lim = *lim;
    else
        wms_mp_limits_default(&sc->lim);
    sc->pending = 1;
}

/* Walks on from sc->pos over buf[0..n).  The state of sc changes only when
 * a value is complete (a scalar with its payload) or a container's header
 * is: an incomplete value is judged again, from its type byte, by the next
 * feed, with every check made on what its bytes already show.  Returns 1,
 * 0 or an error as wms_mp_scan. */
static int mp_walk(wms_mp_scanner *sc, const uint8_t *buf, size_t n, wms_error *err)
{
    const wms_mp_limits *lim = &sc->lim;
    size_t max_depth = lim->max_depth < WMS_MP_DEPTH_CAP ? lim->max_depth : WMS_MP_DEPTH_CAP;

    if (lim->max_bytes < 1)
        return wms_error_set(err, WMS_ETOO_LARGE, "message too large: max_bytes is 0");
    if (lim->max_total_objects < 1)
        return wms_error_set(err, WMS_ETOO_LARGE, "message too large: max_total_objects is 0");

    for (;;) {
        size_t pos = sc->pos;
        if (pos >= n)
            return 0;
        sc->steps++;
        uint8_t b = buf[pos];
        mp_format f = mp_classify(b);
        if (f.kind == MP_BAD)
            return wms_error_set(err, WMS_EBAD_ARGS,
                                 "not MessagePack: the byte 0x%02x at offset %zu is never used", b,
                                 pos);
        /* This value has started (committed below once its bytes are here). */
        size_t depth = sc->depth;
        uint64_t pending = sc->pending - 1;
        uint64_t objects = sc->objects + 1;

        size_t h = 1 + f.lenw + f.extra; /* header bytes */
        size_t avail = n - pos - 1;      /* bytes present after the type byte */
        size_t got = avail < f.lenw ? avail : f.lenw;
        uint64_t len = f.lenw ? mp_read_be(buf + pos + 1, f.lenw, got) : f.fixed;
        const char *atleast = got < f.lenw ? "at least " : "";
        int rc;

        if (f.kind == MP_ARRAY || f.kind == MP_MAP) {
            if (depth + 1 > max_depth)
                return wms_error_set(err, WMS_ETOO_LARGE,
                                     "message too large: the %s at offset %zu is nested %zu "
                                     "deep, over max_depth %zu",
                                     f.name, pos, depth + 1, max_depth);
            if (len > lim->max_container)
                return wms_error_set(err, WMS_ETOO_LARGE,
                                     "message too large: the %s at offset %zu has %s%llu "
                                     "elements, over max_container %zu",
                                     f.name, pos, atleast, (unsigned long long)len,
                                     lim->max_container);
            uint64_t items = f.kind == MP_MAP ? 2 * len : len;
            rc = mp_check_room(lim, pos, h + items, pending, f.name, err);
            if (rc < 0)
                return rc;
            if (items > lim->max_total_objects - objects ||
                pending > lim->max_total_objects - objects - items)
                return wms_error_set(err, WMS_ETOO_LARGE,
                                     "message too large: the %s at offset %zu brings the "
                                     "values to at least %llu, over max_total_objects %zu",
                                     f.name, pos, (unsigned long long)(objects + items + pending),
                                     lim->max_total_objects);
            if (h > n - pos)
                return 0;
            sc->pos = pos + h;
            sc->objects = objects;
            if (depth > 0)
                sc->left[depth - 1]--;
            if (items > 0) {
                sc->left[sc->depth++] = items;
                sc->pending = pending + items;
                continue;
            }
            sc->pending = pending;
        } else {
            if (f.kind == MP_BLOB && len > lim->max_str)
                return wms_error_set(err, WMS_ETOO_LARGE,
                                     "message too large: the %s at offset %zu is %s%llu bytes "
                                     "long, over max_str %zu",
                                     f.name, pos, atleast, (unsigned long long)len, lim->max_str);
            rc = mp_check_room(lim, pos, h + len, pending, f.name, err);
            if (rc < 0)
                return rc;
            if (h > n - pos || len > n - pos - h)
                return 0;
            sc->pos = pos + h + (size_t)len;
            sc->objects = objects;
            sc->pending = pending;
            if (depth > 0)
                sc->left[depth - 1]--;
        }
        /* A value is complete: close every container it completes. */
        while (sc->depth > 0 && sc->left[sc->depth - 1] == 0)
            sc->depth--;
        if (sc->depth == 0)
            return 1;
    }
}

int wms_mp_feed(wms_mp_scanner *sc, const uint8_t *buf, size_t n, size_t *msg_len, wms_error *err)
{
    if (sc == NULL || (buf == NULL && n > 0) || msg_len == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "wms_mp_feed: NULL argument");
    *msg_len = 0;
    if (sc->result == 1) {
        *msg_len = sc->pos;
        return 1;
    }
    if (sc->result < 0)
        return wms_error_set(err, sc->result, "wms_mp_feed: this message was refused before");
    if (n < sc->fed)
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "wms_mp_feed: %zu bytes, fewer than the %zu of the last feed", n,
                             sc->fed);
    sc->fed = n;
    int rc = mp_walk(sc, buf, n, err);
    if (rc == 1)
        *msg_len = sc->pos;
    if (rc != 0)
        sc->result = rc;
    return rc;
}

int wms_mp_scan(const uint8_t *buf, size_t n, const wms_mp_limits *lim, size_t *msg_len,
                wms_error *err)
{
    if ((buf == NULL && n > 0) || msg_len == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "wms_mp_scan: NULL argument");
    wms_mp_scanner sc;
    wms_mp_scanner_init(&sc, lim);
    return wms_mp_feed(&sc, buf, n, msg_len, err);
}
