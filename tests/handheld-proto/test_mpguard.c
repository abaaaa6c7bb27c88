/* test_mpguard.c - the MessagePack bounds guard (handheld-proto/mpguard.c),
 * checked against msgpack-c's own packer and unpacker. */
#include "helpers.h"

#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "mpguard.h"

/* Limits loose enough for the 32-bit formats made by the packer. */
static wms_mp_limits loose_limits(void)
{
    wms_mp_limits lim = {
        .max_bytes = 4u << 20,
        .max_depth = 64,
        .max_container = 200000,
        .max_str = 200000,
        .max_total_objects = 1000000,
    };
    return lim;
}

/* msgpack-c's view: the length of the first message in buf, or -1. */
static long unpack_len(const uint8_t *buf, size_t n)
{
    msgpack_unpacked res;
    msgpack_unpacked_init(&res);
    size_t off = 0;
    msgpack_unpack_return ret = msgpack_unpack_next(&res, (const char *)buf, n, &off);
    msgpack_unpacked_destroy(&res);
    if (ret != MSGPACK_UNPACK_SUCCESS && ret != MSGPACK_UNPACK_EXTRA_BYTES)
        return -1;
    return (long)off;
}

/* Feeds buf[0..n) to a resumable scanner one byte more at a time, as a
 * reader keeping a partial message would, and asserts every feed answers
 * exactly what a scan of the same prefix from its start does: the code,
 * *msg_len and, at an error, the message.  Stops at the first result that
 * is not 0 (the scan is over then).  Returns that result. */
static int drip_equals_scan(const uint8_t *buf, size_t n, const wms_mp_limits *lim)
{
    wms_mp_scanner sc;
    wms_mp_scanner_init(&sc, lim);
    for (size_t k = 0; k <= n; k++) {
        size_t l1 = 777, l2 = 888;
        wms_error e1 = {0}, e2 = {0};
        int r1 = wms_mp_feed(&sc, buf, k, &l1, &e1);
        int r2 = wms_mp_scan(buf, k, lim, &l2, &e2);
        if (r1 != r2 || l1 != l2)
            fail_msg("prefix %zu/%zu: feed %d (len %zu, %s), scan %d (len %zu, %s)", k, n, r1, l1,
                     e1.msg, r2, l2, e2.msg);
        if (r1 < 0)
            assert_string_equal(e1.msg, e2.msg);
        if (r1 != 0)
            return r1;
    }
    return 0;
}

/* Asserts the scan finds exactly an n-byte message, as msgpack-c does, and
 * that every shorter prefix asks for more bytes (also fed byte by byte to
 * a resumable scanner). */
static void expect_complete(const uint8_t *buf, size_t n, const wms_mp_limits *lim,
                            int check_prefixes)
{
    size_t len = 12345;
    wms_error err = {0};
    assert_int_equal(wms_mp_scan(buf, n, lim, &len, &err), 1);
    assert_int_equal(len, n);
    assert_int_equal(unpack_len(buf, n), (long)n);
    if (!check_prefixes)
        return;
    assert_int_equal(drip_equals_scan(buf, n, lim), 1);
    for (size_t k = 0; k < n; k++) {
        len = 12345;
        int rc = wms_mp_scan(buf, k, lim, &len, &err);
        if (rc != 0)
            fail_msg("prefix of %zu/%zu bytes: %d (%s)", k, n, rc, err.msg);
        assert_int_equal(len, 0);
    }
}

/* Asserts the scan refuses buf with `code` and a message naming `word`. */
static void expect_error(const uint8_t *buf, size_t n, const wms_mp_limits *lim, int code,
                         const char *word)
{
    size_t len = 12345;
    wms_error err = {0};
    int rc = wms_mp_scan(buf, n, lim, &len, &err);
    if (rc != code)
        fail_msg("expected %d, got %d (%s)", code, rc, err.msg);
    assert_int_equal(err.code, code);
    /* Dripped, the same refusal arrives (at the first prefix that shows it). */
    if (n <= 70000)
        assert_int_equal(drip_equals_scan(buf, n, lim), code);
    if (word != NULL && strstr(err.msg, word) == NULL)
        fail_msg("message \"%s\" does not name %s", err.msg, word);
}

/* A packer writing into a fresh sbuffer. */
typedef struct packed {
    msgpack_sbuffer sb;
    msgpack_packer pk;
} packed;

static void packed_init(packed *p)
{
    msgpack_sbuffer_init(&p->sb);
    msgpack_packer_init(&p->pk, &p->sb, msgpack_sbuffer_write);
}

static const uint8_t *packed_data(const packed *p)
{
    return (const uint8_t *)p->sb.data;
}

/* Packs a str, bin or ext of n bytes of filler. */
static void pack_blob(msgpack_packer *pk, int kind, size_t n)
{
    static uint8_t filler[200000];
    memset(filler, 'x', sizeof(filler));
    assert_true(n <= sizeof(filler));
    if (kind == 0) {
        msgpack_pack_str(pk, n);
        msgpack_pack_str_body(pk, filler, n);
    } else if (kind == 1) {
        msgpack_pack_bin(pk, n);
        msgpack_pack_bin_body(pk, filler, n);
    } else {
        msgpack_pack_ext(pk, n, 7);
        msgpack_pack_ext_body(pk, filler, n);
    }
}

enum { K_STR, K_BIN, K_EXT, K_ARRAY, K_MAP };

/* Packs one value of the given container/blob kind and size. */
static void pack_sized(msgpack_packer *pk, int kind, size_t n)
{
    if (kind <= K_EXT) {
        pack_blob(pk, kind, n);
    } else if (kind == K_ARRAY) {
        msgpack_pack_array(pk, n);
        for (size_t i = 0; i < n; i++)
            msgpack_pack_uint32(pk, (uint32_t)i);
    } else {
        msgpack_pack_map(pk, n);
        for (size_t i = 0; i < n; i++) {
            msgpack_pack_uint32(pk, (uint32_t)i);
            msgpack_pack_nil(pk);
        }
    }
}

/* Every format byte of the specification, as msgpack-c's packer makes it. */
static void test_every_format(void **state)
{
    (void)state;
    wms_mp_limits lim = loose_limits();
    struct {
        int kind;
        size_t n;
        uint8_t first;
    } sized[] = {
        {K_STR, 5, 0xa5},    {K_STR, 100, 0xd9},     {K_STR, 1000, 0xda},  {K_STR, 70000, 0xdb},
        {K_BIN, 5, 0xc4},    {K_BIN, 1000, 0xc5},    {K_BIN, 70000, 0xc6}, {K_EXT, 3, 0xc7},
        {K_EXT, 1000, 0xc8}, {K_EXT, 70000, 0xc9},   {K_EXT, 1, 0xd4},     {K_EXT, 2, 0xd5},
        {K_EXT, 4, 0xd6},    {K_EXT, 8, 0xd7},       {K_EXT, 16, 0xd8},    {K_EXT, 0, 0xc7},
        {K_STR, 0, 0xa0},    {K_BIN, 0, 0xc4},       {K_ARRAY, 0, 0x90},   {K_ARRAY, 15, 0x9f},
        {K_ARRAY, 20, 0xdc}, {K_ARRAY, 70000, 0xdd}, {K_MAP, 0, 0x80},     {K_MAP, 15, 0x8f},
        {K_MAP, 20, 0xde},   {K_MAP, 70000, 0xdf},
    };
    for (size_t i = 0; i < sizeof(sized) / sizeof(sized[0]); i++) {
        packed p;
        packed_init(&p);
        pack_sized(&p.pk, sized[i].kind, sized[i].n);
        assert_int_equal(packed_data(&p)[0], sized[i].first);
        expect_complete(packed_data(&p), p.sb.size, &lim, p.sb.size < 2000);
        msgpack_sbuffer_destroy(&p.sb);
    }

    /* Scalars: each packed alone and checked for its format byte. */
    for (int i = 0; i < 19; i++) {
        packed p;
        packed_init(&p);
        static const uint8_t first[] = {0x05, 0xfb, 0xd0, 0xd1, 0xd2, 0xd3, 0xcc, 0xcd, 0xce, 0xcf,
                                        0xc0, 0xc3, 0xc2, 0xca, 0xcb, 0x7f, 0xe0, 0xff, 0x00};
        switch (i) {
        case 0:
            msgpack_pack_int(&p.pk, 5);
            break;
        case 1:
            msgpack_pack_int(&p.pk, -5);
            break;
        case 2:
            msgpack_pack_int(&p.pk, -100);
            break;
        case 3:
            msgpack_pack_int(&p.pk, -1000);
            break;
        case 4:
            msgpack_pack_int64(&p.pk, -100000);
            break;
        case 5:
            msgpack_pack_int64(&p.pk, -10000000000LL);
            break;
        case 6:
            msgpack_pack_uint64(&p.pk, 200);
            break;
        case 7:
            msgpack_pack_uint64(&p.pk, 60000);
            break;
        case 8:
            msgpack_pack_uint64(&p.pk, 4000000000U);
            break;
        case 9:
            msgpack_pack_uint64(&p.pk, 10000000000000000000ULL);
            break;
        case 10:
            msgpack_pack_nil(&p.pk);
            break;
        case 11:
            msgpack_pack_true(&p.pk);
            break;
        case 12:
            msgpack_pack_false(&p.pk);
            break;
        case 13:
            msgpack_pack_float(&p.pk, 1.5f);
            break;
        case 14:
            msgpack_pack_double(&p.pk, 2.25);
            break;
        case 15:
            msgpack_pack_int(&p.pk, 127);
            break;
        case 16:
            msgpack_pack_int(&p.pk, -32);
            break;
        case 17:
            msgpack_pack_int(&p.pk, -1);
            break;
        default:
            msgpack_pack_int(&p.pk, 0);
            break;
        }
        assert_int_equal(packed_data(&p)[0], first[i]);
        expect_complete(packed_data(&p), p.sb.size, &lim, 1);
        msgpack_sbuffer_destroy(&p.sb);
    }

    /* Non-minimal encodings the packer never makes are still MessagePack. */
    const uint8_t arr32[] = {0xdd, 0, 0, 0, 2, 0x01, 0xa1, 'x'};
    const uint8_t map32[] = {0xdf, 0, 0, 0, 1, 0xc0, 0xc3};
    const uint8_t str32[] = {0xdb, 0, 0, 0, 2, 'h', 'i'};
    const uint8_t bin32[] = {0xc6, 0, 0, 0, 1, 0x00};
    const uint8_t ext32[] = {0xc9, 0, 0, 0, 1, 0x05, 0xaa};
    const uint8_t ext16[] = {0xc8, 0, 0, 0x05};
    const uint8_t arr16[] = {0xdc, 0, 0};
    const uint8_t map16[] = {0xde, 0, 1, 0x01, 0x02};
    wms_mp_limits def;
    wms_mp_limits_default(&def);
    expect_complete(arr32, sizeof(arr32), &def, 1);
    expect_complete(map32, sizeof(map32), &def, 1);
    expect_complete(str32, sizeof(str32), &def, 1);
    expect_complete(bin32, sizeof(bin32), &def, 1);
    expect_complete(ext32, sizeof(ext32), &def, 1);
    expect_complete(ext16, sizeof(ext16), &def, 1);
    expect_complete(arr16, sizeof(arr16), &def, 1);
    expect_complete(map16, sizeof(map16), &def, 1);
}

/* A realistic request, [0, 70000, "pick.confirm", [{...}]], cut at every byte. */
static void test_partial_at_every_split(void **state)
{
    (void)state;
    packed p;
    packed_init(&p);
    msgpack_pack_array(&p.pk, 4);
    msgpack_pack_int(&p.pk, 0);
    msgpack_pack_uint32(&p.pk, 70000);
    msgpack_pack_str_with_body(&p.pk, "pick.confirm", 12);
    msgpack_pack_array(&p.pk, 1);
    msgpack_pack_map(&p.pk, 7);
    msgpack_pack_str_with_body(&p.pk, "txn", 3);
    msgpack_pack_str_with_body(&p.pk, "RF-017:000123", 13);
    msgpack_pack_str_with_body(&p.pk, "qty", 3);
    msgpack_pack_int(&p.pk, -3);
    msgpack_pack_str_with_body(&p.pk, "w", 1);
    msgpack_pack_double(&p.pk, 12.5);
    msgpack_pack_str_with_body(&p.pk, "raw", 3);
    msgpack_pack_bin_with_body(&p.pk, "\x00\x01\x02", 3);
    msgpack_pack_str_with_body(&p.pk, "ts", 2);
    msgpack_pack_ext_with_body(&p.pk, "\x00\x00\x00\x01", 4, -1);
    msgpack_pack_str_with_body(&p.pk, "empty", 5);
    msgpack_pack_map(&p.pk, 0);
    msgpack_pack_str_with_body(&p.pk, "list", 4);
    msgpack_pack_array(&p.pk, 3);
    msgpack_pack_true(&p.pk);
    msgpack_pack_nil(&p.pk);
    msgpack_pack_uint64(&p.pk, UINT64_MAX);
    expect_complete(packed_data(&p), p.sb.size, NULL, 1);
    msgpack_sbuffer_destroy(&p.sb);

    /* A map promising more entries than it has is incomplete for both. */
    const uint8_t short_map[] = {0x83, 0xa1, 'a', 0x01, 0xa1, 'b'};
    size_t len = 1;
    assert_int_equal(wms_mp_scan(short_map, sizeof(short_map), NULL, &len, NULL), 0);
    assert_int_equal(len, 0);
    assert_int_equal(unpack_len(short_map, sizeof(short_map)), -1);
}

static void test_issue_1013_rejected_at_once(void **state)
{
    (void)state;
    const uint8_t evil[] = {0xdd, 0xff, 0x00, 0x00, 0x00};
    expect_error(evil, sizeof(evil), NULL, WMS_ETOO_LARGE, "max_container");
    /* Even the first two bytes already promise too much. */
    expect_error(evil, 2, NULL, WMS_ETOO_LARGE, "max_container");
    expect_error(evil, 1, NULL, 0, NULL); /* one byte: nothing known yet */

    /* Without a container limit, max_bytes still stops it. */
    wms_mp_limits lim;
    wms_mp_limits_default(&lim);
    lim.max_container = SIZE_MAX;
    expect_error(evil, sizeof(evil), &lim, WMS_ETOO_LARGE, "max_bytes");
    lim.max_bytes = SIZE_MAX;
    expect_error(evil, sizeof(evil), &lim, WMS_ETOO_LARGE, "max_total_objects");
}

static void test_depth_limit(void **state)
{
    (void)state;
    uint8_t buf[200];
    wms_mp_limits lim;
    wms_mp_limits_default(&lim);

    /* 16 nested one-element arrays around a 0: fine; 17: refused. */
    memset(buf, 0x91, 17);
    buf[16] = 0x00;
    expect_complete(buf, 17, &lim, 1);
    memset(buf, 0x91, 18);
    buf[17] = 0x00;
    expect_error(buf, 18, &lim, WMS_ETOO_LARGE, "max_depth");
    /* ... before the inner value even arrives. */
    expect_error(buf, 17, &lim, WMS_ETOO_LARGE, "max_depth");
    /* An empty container counts as a level too. */
    memset(buf, 0x91, 16);
    buf[16] = 0x90;
    expect_error(buf, 17, &lim, WMS_ETOO_LARGE, "max_depth");
    /* Maps nest the same way. */
    for (int i = 0; i < 17; i++) {
        buf[2 * i] = 0x81;
        buf[2 * i + 1] = 0xc0;
    }
    expect_error(buf, 34, &lim, WMS_ETOO_LARGE, "max_depth");

    /* The stack is capped at WMS_MP_DEPTH_CAP whatever the limit says. */
    lim.max_depth = 1000;
    memset(buf, 0x91, WMS_MP_DEPTH_CAP);
    buf[WMS_MP_DEPTH_CAP] = 0x01;
    size_t len = 0;
    assert_int_equal(wms_mp_scan(buf, WMS_MP_DEPTH_CAP + 1, &lim, &len, NULL), 1);
    assert_int_equal(len, WMS_MP_DEPTH_CAP + 1);
    memset(buf, 0x91, WMS_MP_DEPTH_CAP + 1);
    buf[WMS_MP_DEPTH_CAP + 1] = 0x01;
    expect_error(buf, WMS_MP_DEPTH_CAP + 2, &lim, WMS_ETOO_LARGE, "max_depth");
}

static void test_huge_counts_and_lengths(void **state)
{
    (void)state;
    const uint8_t map32[] = {0xdf, 0x7f, 0xff, 0xff, 0xff};
    const uint8_t map16[] = {0xde, 0x10, 0x01}; /* 4097 entries */
    const uint8_t str32[] = {0xdb, 0x7f, 0xff, 0xff, 0xff};
    const uint8_t bin32[] = {0xc6, 0x00, 0x01, 0x00, 0x01}; /* 65537 bytes */
    const uint8_t ext32[] = {0xc9, 0x01, 0x00, 0x00, 0x00};
    const uint8_t str16ok[] = {0xda, 0xff, 0xff}; /* 65535: allowed, incomplete */
    expect_error(map32, sizeof(map32), NULL, WMS_ETOO_LARGE, "max_container");
    expect_error(map16, sizeof(map16), NULL, WMS_ETOO_LARGE, "max_container");
    expect_error(str32, sizeof(str32), NULL, WMS_ETOO_LARGE, "max_str");
    expect_error(str32, 2, NULL, WMS_ETOO_LARGE, "max_str"); /* partial length */
    expect_error(bin32, sizeof(bin32), NULL, WMS_ETOO_LARGE, "max_str");
    expect_error(ext32, sizeof(ext32), NULL, WMS_ETOO_LARGE, "max_str");
    expect_error(str16ok, sizeof(str16ok), NULL, 0, NULL);

    /* A map of 4096 entries is within max_container, but its 8192 values
     * cannot fit in 1000 bytes: refused from the header alone. */
    wms_mp_limits lim;
    wms_mp_limits_default(&lim);
    lim.max_bytes = 1000;
    const uint8_t map4096[] = {0xde, 0x10, 0x00};
    expect_error(map4096, sizeof(map4096), &lim, WMS_ETOO_LARGE, "max_bytes");
    /* Same for a str that fits max_str but not the remaining bytes, also
     * counting the one byte each pending sibling still needs. */
    const uint8_t str_in_array[] = {0x93, 0xda, 0x03, 0xe3}; /* [str(995), ?, ?] = 1001+ */
    expect_error(str_in_array, sizeof(str_in_array), &lim, WMS_ETOO_LARGE, "max_bytes");
    const uint8_t str_fits[] = {0x93, 0xda, 0x03, 0xe2}; /* 1 + 3 + 994 + 2 = 1000 */
    expect_error(str_fits, sizeof(str_fits), &lim, 0, NULL);

    /* Limits at their exact boundary. */
    lim.max_str = 3;
    const uint8_t s3[] = {0xa3, 'a', 'b', 'c'}, s4[] = {0xa4, 'a', 'b', 'c', 'd'};
    expect_complete(s3, sizeof(s3), &lim, 1);
    expect_error(s4, 1, &lim, WMS_ETOO_LARGE, "max_str");
    lim.max_container = 2;
    const uint8_t a2[] = {0x92, 1, 2}, a3[] = {0x93, 1, 2, 3};
    const uint8_t m2[] = {0x82, 1, 2, 3, 4}, m3[] = {0x83, 1, 2, 3, 4, 5, 6};
    expect_complete(a2, sizeof(a2), &lim, 1);
    expect_error(a3, 1, &lim, WMS_ETOO_LARGE, "max_container");
    expect_complete(m2, sizeof(m2), &lim, 1);
    expect_error(m3, 1, &lim, WMS_ETOO_LARGE, "max_container");
    lim.max_total_objects = 5; /* the map and its 4 values */
    expect_complete(m2, sizeof(m2), &lim, 1);
    lim.max_total_objects = 4;
    expect_error(m2, 1, &lim, WMS_ETOO_LARGE, "max_total_objects");
}

static void test_reserved_byte(void **state)
{
    (void)state;
    const uint8_t c1[] = {0xc1};
    const uint8_t nested[] = {0x92, 0x01, 0xc1, 0x02};
    expect_error(c1, 1, NULL, WMS_EBAD_ARGS, "0xc1");
    expect_error(nested, sizeof(nested), NULL, WMS_EBAD_ARGS, "offset 2");
    expect_error(nested, 2, NULL, 0, NULL); /* not seen yet */
    assert_int_equal(unpack_len(nested, sizeof(nested)), -1);
}

static void test_concatenated_and_args(void **state)
{
    (void)state;
    const uint8_t two[] = {0x92, 0xa2, 'h', 'i', 0xc3, 0x81, 0x01, 0x02};
    size_t len = 0;
    assert_int_equal(wms_mp_scan(two, sizeof(two), NULL, &len, NULL), 1);
    assert_int_equal(len, 5);
    assert_int_equal(wms_mp_scan(two + 5, sizeof(two) - 5, NULL, &len, NULL), 1);
    assert_int_equal(len, 3);
    /* Garbage after a message is not looked at. */
    const uint8_t then_bad[] = {0x01, 0xc1};
    assert_int_equal(wms_mp_scan(then_bad, 2, NULL, &len, NULL), 1);
    assert_int_equal(len, 1);

    wms_error err = {0};
    assert_int_equal(wms_mp_scan(NULL, 0, NULL, &len, &err), 0);
    assert_int_equal(wms_mp_scan(NULL, 1, NULL, &len, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_mp_scan(two, 1, NULL, NULL, &err), WMS_EBAD_ARGS);
    wms_mp_limits lim;
    wms_mp_limits_default(&lim);
    assert_int_equal(lim.max_bytes, 1024 * 1024);
    assert_int_equal(lim.max_depth, 16);
    assert_int_equal(lim.max_container, 4096);
    assert_int_equal(lim.max_str, 65536);
    assert_int_equal(lim.max_total_objects, 65536);
    lim.max_bytes = 0;
    assert_int_equal(wms_mp_scan(two, sizeof(two), &lim, &len, &err), WMS_ETOO_LARGE);
}

static void test_max_bytes_boundary(void **state)
{
    (void)state;
    /* A bin8 of 200 bytes inside a fixarray: 1 + 2 + 200 + 1 = 204 bytes. */
    uint8_t msg[204];
    msg[0] = 0x92;
    msg[1] = 0xc4;
    msg[2] = 200;
    memset(msg + 3, 0, 200);
    msg[203] = 0x07;
    wms_mp_limits lim;
    wms_mp_limits_default(&lim);
    lim.max_bytes = sizeof(msg);
    expect_complete(msg, sizeof(msg), &lim, 1);
    lim.max_bytes = sizeof(msg) - 1;
    expect_error(msg, sizeof(msg), &lim, WMS_ETOO_LARGE, "max_bytes");
    /* Refused as soon as the bin header shows the total cannot fit. */
    expect_error(msg, 3, &lim, WMS_ETOO_LARGE, "max_bytes");

    /* The default: a message of exactly 1 MiB passes, one byte more fails. */
    wms_mp_limits_default(&lim);
    lim.max_str = SIZE_MAX;
    size_t big = lim.max_bytes;
    uint8_t *buf = calloc(1, big + 1);
    assert_non_null(buf);
    size_t body = big - 5;
    buf[0] = 0xc6;
    buf[1] = (uint8_t)(body >> 24);
    buf[2] = (uint8_t)(body >> 16);
    buf[3] = (uint8_t)(body >> 8);
    buf[4] = (uint8_t)body;
    expect_complete(buf, big, &lim, 0);
    body++;
    buf[1] = (uint8_t)(body >> 24);
    buf[2] = (uint8_t)(body >> 16);
    buf[3] = (uint8_t)(body >> 8);
    buf[4] = (uint8_t)body;
    expect_error(buf, big + 1, &lim, WMS_ETOO_LARGE, "max_bytes");
    expect_error(buf, 5, &lim, WMS_ETOO_LARGE, "max_bytes");
    free(buf);
}

/* ---- property test against msgpack-c ---- */

/* Packs a random value; depth bounds the nesting. */
static void pack_random(msgpack_packer *pk, int depth)
{
    static const char text[] = "the quick brown fox jumps over the lazy dog 0123456789 ~~~~ "
                               "and keeps running past the last bin of aisle 42";
    int pick = rand() % (depth > 0 ? 14 : 10);
    size_t n;
    switch (pick) {
    case 0:
        msgpack_pack_int64(pk, (int64_t)rand() - RAND_MAX / 2);
        break;
    case 1:
        msgpack_pack_uint64(pk, ((uint64_t)rand() << 33) ^ (uint64_t)rand());
        break;
    case 2:
        msgpack_pack_int64(pk, -(int64_t)(rand() % 40));
        break;
    case 3:
        switch (rand() % 3) {
        case 0:
            msgpack_pack_nil(pk);
            break;
        case 1:
            msgpack_pack_true(pk);
            break;
        default:
            msgpack_pack_false(pk);
            break;
        }
        break;
    case 4:
        msgpack_pack_float(pk, (float)rand() / 7.0f);
        break;
    case 5:
        msgpack_pack_double(pk, (double)rand() / 3.0);
        break;
    case 6:
        n = (size_t)rand() % (rand() % 8 ? 40 : sizeof(text));
        msgpack_pack_str_with_body(pk, text, n);
        break;
    case 7:
        n = (size_t)rand() % 300;
        pack_blob(pk, K_STR, n);
        break;
    case 8:
        n = (size_t)rand() % 70;
        msgpack_pack_bin_with_body(pk, text, n);
        break;
    case 9: {
        static const size_t sizes[] = {0, 1, 2, 3, 4, 8, 16, 17, 300};
        n = sizes[rand() % 9];
        pack_blob(pk, K_EXT, n);
        break;
    }
    case 10:
    case 11:
        n = (size_t)rand() % (rand() % 10 ? 6 : 40);
        msgpack_pack_array(pk, n);
        for (size_t i = 0; i < n; i++)
            pack_random(pk, depth - 1);
        break;
    default:
        n = (size_t)rand() % (rand() % 10 ? 5 : 20);
        msgpack_pack_map(pk, n);
        for (size_t i = 0; i < n; i++) {
            pack_random(pk, 0); /* keys: any scalar */
            pack_random(pk, depth - 1);
        }
        break;
    }
}

static void test_property_random_objects(void **state)
{
    (void)state;
    srand(20240607);
    for (int round = 0; round < 400; round++) {
        packed p;
        packed_init(&p);
        pack_random(&p.pk, 1 + round % 6);
        size_t n = p.sb.size;
        /* Two messages back to back: the scan must stop at the first. */
        msgpack_pack_array(&p.pk, 1);
        msgpack_pack_int(&p.pk, round);
        const uint8_t *data = packed_data(&p);

        size_t len = 0;
        wms_error err = {0};
        int rc = wms_mp_scan(data, p.sb.size, NULL, &len, &err);
        if (rc != 1)
            fail_msg("round %d: %d (%s)", round, rc, err.msg);
        assert_int_equal(len, n);
        assert_int_equal(unpack_len(data, p.sb.size), (long)n);
        assert_int_equal(unpack_len(data, len), (long)len);
        if (round % 20 == 0) {
            for (size_t k = 0; k < n; k++)
                assert_int_equal(wms_mp_scan(data, k, NULL, &len, NULL), 0);
        }
        msgpack_sbuffer_destroy(&p.sb);
    }
}

/* A legal request of about `elems` x 170 bytes with 8 values per element (8 more around them):
 * [0, 1, "ping", [{"rows": [[i, "item-i", [1, 2, 3], "<150 bytes>"], ...]}]]. */
static void pack_big_request(packed *p, int elems)
{
    packed_init(p);
    msgpack_pack_array(&p->pk, 4);
    msgpack_pack_int(&p->pk, 0);
    msgpack_pack_int(&p->pk, 1);
    msgpack_pack_str_with_body(&p->pk, "ping", 4);
    msgpack_pack_array(&p->pk, 1);
    msgpack_pack_map(&p->pk, 1);
    msgpack_pack_str_with_body(&p->pk, "rows", 4);
    msgpack_pack_array(&p->pk, (size_t)elems);
    char name[32];
    for (int i = 0; i < elems; i++) {
        msgpack_pack_array(&p->pk, 4);
        msgpack_pack_int(&p->pk, i);
        int k = snprintf(name, sizeof(name), "item-%05d", i);
        msgpack_pack_str_with_body(&p->pk, name, (size_t)k);
        msgpack_pack_array(&p->pk, 3);
        for (int v = 1; v <= 3; v++)
            msgpack_pack_int(&p->pk, v);
        pack_blob(&p->pk, K_STR, 150);
    }
}

/* Feeds data to a fresh scanner in pieces of `chunk` bytes (1: a drip);
 * asserts 0 before the end and 1 with the whole length at it.  Returns the
 * scanner's work counter. */
static uint64_t feed_in_pieces(const uint8_t *data, size_t n, size_t chunk)
{
    wms_mp_scanner sc;
    wms_mp_scanner_init(&sc, NULL);
    size_t len = 0;
    for (size_t k = 0; k < n; k += chunk) {
        size_t have = k + chunk < n ? k + chunk : n;
        int rc = wms_mp_feed(&sc, data, have, &len, NULL);
        if (have < n && rc != 0)
            fail_msg("%zu of %zu bytes: %d", have, n, rc);
        if (have == n) {
            assert_int_equal(rc, 1);
            assert_int_equal(len, n);
        }
    }
    return sc.steps;
}

/* The work of the old way: a scan from the start after every byte. */
static uint64_t rescan_from_start(const uint8_t *data, size_t n)
{
    uint64_t total = 0;
    for (size_t k = 1; k <= n; k++) {
        wms_mp_scanner sc;
        wms_mp_scanner_init(&sc, NULL);
        size_t len;
        (void)wms_mp_feed(&sc, data, k, &len, NULL);
        total += sc.steps;
    }
    return total;
}

/* A large legal message dripped one byte per feed costs linear work: the
 * guard's step counter (value headers examined) stays within the steps of
 * one whole scan plus one re-examination per feed, and doubles when the
 * message doubles; scanning from the start after every byte (what the
 * server did) is quadratic.  The results equal the whole scan's. */
static void test_drip_is_linear(void **state)
{
    (void)state;
    packed big;
    pack_big_request(&big, 4000); /* ~680 KB, 32008 values: within the defaults */
    const uint8_t *data = packed_data(&big);
    size_t n = big.sb.size;
    assert_true(n > 600000 && n < (1u << 20));
    size_t len = 0;
    assert_int_equal(wms_mp_scan(data, n, NULL, &len, NULL), 1);
    assert_int_equal(len, n);
    assert_int_equal(unpack_len(data, n), (long)n);

    uint64_t whole = feed_in_pieces(data, n, n);
    uint64_t drip = feed_in_pieces(data, n, 1);
    uint64_t pieces = feed_in_pieces(data, n, 1460); /* TCP-segment-sized reads */
    assert_int_equal(whole, 8 + 8 * 4000);           /* one step per value */
    assert_true(drip <= whole + n);
    assert_true(pieces <= whole + n / 1460 + 1);

    packed half;
    pack_big_request(&half, 2000);
    uint64_t drip_half = feed_in_pieces(packed_data(&half), half.sb.size, 1);
    /* Twice the bytes, about twice the work (not four times). */
    assert_true(drip < 2 * drip_half + drip_half / 10);

    /* The quadratic baseline, measured on a small message (the big one
     * would take ~10^10 steps): 40 elements, ~7 KB. */
    packed small;
    pack_big_request(&small, 40);
    size_t ns = small.sb.size;
    uint64_t rescans = rescan_from_start(packed_data(&small), ns);
    uint64_t drip_small = feed_in_pieces(packed_data(&small), ns, 1);
    assert_true(drip_small <= ns + 8 + 8 * 40);
    assert_true(rescans > 40 * drip_small);
    print_message("[mpguard] %zu-byte message: whole scan %llu steps, byte-by-byte %llu, in "
                  "1460-byte reads %llu; %zu-byte message: byte-by-byte %llu, rescanning from "
                  "the start %llu\n",
                  n, (unsigned long long)whole, (unsigned long long)drip,
                  (unsigned long long)pieces, ns, (unsigned long long)drip_small,
                  (unsigned long long)rescans);
    msgpack_sbuffer_destroy(&big.sb);
    msgpack_sbuffer_destroy(&half.sb);
    msgpack_sbuffer_destroy(&small.sb);
}

/* Random messages (and a second one behind each) fed in random pieces, the
 * buffer moving between feeds as a growing reader's does: the same result
 * as one scan of the whole, at every step. */
static void test_feed_random_pieces(void **state)
{
    (void)state;
    srand(20261123);
    for (int round = 0; round < 300; round++) {
        packed p;
        packed_init(&p);
        pack_random(&p.pk, 1 + round % 6);
        size_t n = p.sb.size;
        msgpack_pack_int(&p.pk, round); /* bytes after the message */
        size_t total = p.sb.size;
        wms_mp_limits lim;
        wms_mp_limits_default(&lim);
        if (round % 3 == 1)
            lim.max_str = 20; /* some rounds are refused partway */
        if (round % 3 == 2)
            lim.max_container = 3;
        wms_error ew = {0}, ef = {0};
        size_t lw = 0, lf = 0;
        int whole = wms_mp_scan(packed_data(&p), total, &lim, &lw, &ew);
        wms_mp_scanner sc;
        wms_mp_scanner_init(&sc, &lim);
        uint8_t *copy = NULL;
        int rc = 0;
        for (size_t have = 0; rc == 0;) {
            have += 1 + (size_t)rand() % 40;
            if (have > total)
                have = total;
            /* A fresh copy each time: the scanner keeps no pointer. */
            free(copy);
            copy = malloc(have ? have : 1);
            assert_non_null(copy);
            memcpy(copy, packed_data(&p), have);
            rc = wms_mp_feed(&sc, copy, have, &lf, &ef);
            if (rc == 0) {
                size_t l2;
                assert_int_equal(wms_mp_scan(copy, have, &lim, &l2, NULL), 0);
            }
            if (have == total)
                break;
        }
        free(copy);
        assert_int_equal(rc, whole);
        assert_int_equal(lf, lw);
        if (whole == 1)
            assert_int_equal(lw, n);
        else
            assert_int_equal(ef.code, ew.code);
        msgpack_sbuffer_destroy(&p.sb);
    }
}

/* The scanner's contract: fewer bytes than before, NULLs, a finished scan. */
static void test_feed_contract(void **state)
{
    (void)state;
    static const uint8_t two[] = {0x92, 0x01, 0x02, 0xc1};
    wms_mp_scanner sc;
    wms_mp_scanner_init(&sc, NULL);
    size_t len = 99;
    wms_error err = {0};
    assert_int_equal(wms_mp_feed(&sc, two, 2, &len, &err), 0);
    assert_int_equal(len, 0);
    assert_int_equal(wms_mp_feed(&sc, two, 1, &len, &err), WMS_EBAD_ARGS);
    assert_non_null(strstr(err.msg, "fewer"));
    assert_int_equal(wms_mp_feed(&sc, NULL, 3, &len, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_mp_feed(NULL, two, 3, &len, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_mp_feed(&sc, two, 3, NULL, &err), WMS_EBAD_ARGS);
    /* Done: the 0xc1 after the message is never looked at, and the result
     * repeats. */
    assert_int_equal(wms_mp_feed(&sc, two, 4, &len, &err), 1);
    assert_int_equal(len, 3);
    len = 0;
    assert_int_equal(wms_mp_feed(&sc, two, 4, &len, &err), 1);
    assert_int_equal(len, 3);
    /* A refused message stays refused. */
    wms_mp_scanner_init(&sc, NULL);
    assert_int_equal(wms_mp_feed(&sc, two + 3, 1, &len, &err), WMS_EBAD_ARGS);
    assert_non_null(strstr(err.msg, "0xc1"));
    assert_int_equal(wms_mp_feed(&sc, two + 3, 1, &len, &err), WMS_EBAD_ARGS);
    assert_int_equal(len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_format),
        cmocka_unit_test(test_partial_at_every_split),
        cmocka_unit_test(test_issue_1013_rejected_at_once),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_huge_counts_and_lengths),
        cmocka_unit_test(test_reserved_byte),
        cmocka_unit_test(test_concatenated_and_args),
        cmocka_unit_test(test_max_bytes_boundary),
        cmocka_unit_test(test_property_random_objects),
        cmocka_unit_test(test_drip_is_linear),
        cmocka_unit_test(test_feed_random_pieces),
        cmocka_unit_test(test_feed_contract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
