/* test_frame.c - CRC-32C, COBS and the serial frame codec (drivers/frame.c). */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include "frame.h"

/* ---- an independent bitwise CRC-32C, to check the table-driven one ---- */

static uint32_t crc32c_bitwise(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffffU;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc & 1) ? (crc >> 1) ^ 0x82f63b78U : crc >> 1;
    }
    return crc ^ 0xffffffffU;
}

/* Deterministic byte source for the randomised tests (seeded rand). */
static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(rand() >> 7);
}

static void test_crc32c_vectors(void **state)
{
    (void)state;
    const uint8_t check[] = "123456789";
    uint8_t zeros[32], ones[32];
    memset(zeros, 0, sizeof(zeros));
    memset(ones, 0xff, sizeof(ones));

    assert_int_equal(wms_crc32c(0, check, 9), 0xe3069283U);
    assert_int_equal(crc32c_bitwise(check, 9), 0xe3069283U);
    assert_int_equal(wms_crc32c(0, zeros, 32), 0x8a9136aaU);
    assert_int_equal(crc32c_bitwise(zeros, 32), 0x8a9136aaU);
    assert_int_equal(wms_crc32c(0, ones, 32), 0x62a8ab43U);
    assert_int_equal(crc32c_bitwise(ones, 32), 0x62a8ab43U);
    assert_int_equal(wms_crc32c(0, NULL, 0), 0);

    /* Every single byte value exercises every table entry. */
    for (unsigned b = 0; b < 256; b++) {
        uint8_t v = (uint8_t)b;
        assert_int_equal(wms_crc32c(0, &v, 1), crc32c_bitwise(&v, 1));
    }
}

static void test_crc32c_incremental_random(void **state)
{
    (void)state;
    srand(1234);
    uint8_t buf[700];
    for (int round = 0; round < 50; round++) {
        size_t n = (size_t)rand() % sizeof(buf);
        fill_random(buf, n);
        uint32_t whole = wms_crc32c(0, buf, n);
        assert_int_equal(whole, crc32c_bitwise(buf, n));
        size_t cut = n ? (size_t)rand() % (n + 1) : 0;
        uint32_t part = wms_crc32c(wms_crc32c(0, buf, cut), buf + cut, n - cut);
        assert_int_equal(part, whole);
    }
}

/* ---- COBS ---- */

/* Encodes, checks the encoding's invariants, decodes (also in place) and
 * compares with the input. */
static void cobs_round_trip(const uint8_t *in, size_t n)
{
    size_t max = wms_cobs_max_encoded(n);
    uint8_t *enc = malloc(max + 1);
    uint8_t *dec = malloc(n + 1);
    assert_non_null(enc);
    assert_non_null(dec);
    int len = wms_cobs_encode(in, n, enc, max);
    assert_true(len >= 1);
    assert_true((size_t)len <= max);
    assert_null(memchr(enc, 0, (size_t)len));
    /* One byte too little is refused, not overrun. */
    assert_int_equal(wms_cobs_encode(in, n, enc, (size_t)len - 1), WMS_ETOO_LARGE);
    assert_int_equal(wms_cobs_encode(in, n, enc, (size_t)len), len);

    int dl = wms_cobs_decode(enc, (size_t)len, dec, n + 1);
    assert_int_equal(dl, (int)n);
    if (n > 0)
        assert_memory_equal(dec, in, n);
    if (n > 0)
        assert_int_equal(wms_cobs_decode(enc, (size_t)len, dec, n - 1), WMS_ETOO_LARGE);

    dl = wms_cobs_decode(enc, (size_t)len, enc, (size_t)len); /* in place */
    assert_int_equal(dl, (int)n);
    if (n > 0)
        assert_memory_equal(enc, in, n);
    free(enc);
    free(dec);
}

static void test_cobs_max_encoded(void **state)
{
    (void)state;
    assert_int_equal(wms_cobs_max_encoded(0), 1);
    assert_int_equal(wms_cobs_max_encoded(1), 2);
    assert_int_equal(wms_cobs_max_encoded(253), 254);
    assert_int_equal(wms_cobs_max_encoded(254), 255);
    assert_int_equal(wms_cobs_max_encoded(255), 257);
    assert_int_equal(wms_cobs_max_encoded(508), 510);
    assert_int_equal(wms_cobs_max_encoded(509), 512);
    assert_true(wms_cobs_max_encoded(SIZE_MAX) == SIZE_MAX);
}

/* Encodings worked out by hand from the COBS definition. */
static void test_cobs_known_encodings(void **state)
{
    (void)state;
    uint8_t out[600];
    const uint8_t z1[] = {0x00}, e1[] = {0x01, 0x01};
    const uint8_t z2[] = {0x00, 0x00}, e2[] = {0x01, 0x01, 0x01};
    const uint8_t m3[] = {0x11, 0x22, 0x00, 0x33}, e3[] = {0x03, 0x11, 0x22, 0x02, 0x33};
    const uint8_t m4[] = {0x11, 0x00, 0x00, 0x00}, e4[] = {0x02, 0x11, 0x01, 0x01, 0x01};

    assert_int_equal(wms_cobs_encode(NULL, 0, out, sizeof(out)), 1);
    assert_int_equal(out[0], 0x01);
    assert_int_equal(wms_cobs_encode(z1, 1, out, sizeof(out)), 2);
    assert_memory_equal(out, e1, 2);
    assert_int_equal(wms_cobs_encode(z2, 2, out, sizeof(out)), 3);
    assert_memory_equal(out, e2, 3);
    assert_int_equal(wms_cobs_encode(m3, 4, out, sizeof(out)), 5);
    assert_memory_equal(out, e3, 5);
    assert_int_equal(wms_cobs_encode(m4, 4, out, sizeof(out)), 5);
    assert_memory_equal(out, e4, 5);

    /* 254 non-zero bytes: one full block, no trailing empty block. */
    uint8_t seq[255];
    for (int i = 0; i < 255; i++)
        seq[i] = (uint8_t)(i + 1);
    assert_int_equal(wms_cobs_encode(seq, 254, out, sizeof(out)), 255);
    assert_int_equal(out[0], 0xff);
    assert_memory_equal(out + 1, seq, 254);
    /* 255 non-zero bytes: a full block, then a block of one. */
    assert_int_equal(wms_cobs_encode(seq, 255, out, sizeof(out)), 257);
    assert_int_equal(out[0], 0xff);
    assert_int_equal(out[255], 0x02);
    assert_int_equal(out[256], 0xff);

    /* The long form (full block + empty block) decodes the same. */
    uint8_t longform[256], dec[300];
    longform[0] = 0xff;
    memcpy(longform + 1, seq, 254);
    longform[255] = 0x01;
    assert_int_equal(wms_cobs_decode(longform, 256, dec, sizeof(dec)), 254);
    assert_memory_equal(dec, seq, 254);
}

static void test_cobs_round_trips(void **state)
{
    (void)state;
    uint8_t buf[1000];

    cobs_round_trip(NULL, 0);
    memset(buf, 0, sizeof(buf));
    cobs_round_trip(buf, 1);
    cobs_round_trip(buf, 2);
    cobs_round_trip(buf, 300); /* all zeros */

    for (size_t n = 252; n <= 256; n++) {
        memset(buf, 0xa5, n); /* 253/254/255 non-zero bytes and neighbours */
        cobs_round_trip(buf, n);
        buf[n - 1] = 0; /* ... ending with a zero */
        cobs_round_trip(buf, n);
        memset(buf, 0xa5, n);
        buf[0] = 0; /* ... starting with a zero */
        cobs_round_trip(buf, n);
    }
    memset(buf, 0xff, 254);
    buf[254] = 0;
    cobs_round_trip(buf, 255); /* full block then a zero */

    srand(42);
    fill_random(buf, 1000);
    cobs_round_trip(buf, 1000);
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)rand() % 1000;
        fill_random(buf, n);
        if (round % 2)
            for (size_t i = 0; i < n; i++)
                buf[i] = buf[i] < 16 ? 0 : buf[i]; /* more zeros */
        cobs_round_trip(buf, n);
    }
}

static void test_cobs_decode_malformed(void **state)
{
    (void)state;
    uint8_t out[64];
    const uint8_t zero_inside[] = {0x03, 0x11, 0x00};
    const uint8_t zero_code[] = {0x02, 0x11, 0x00, 0x01};
    const uint8_t past_end[] = {0x05, 0x11, 0x22};
    const uint8_t past_end2[] = {0x02, 0x11, 0x03, 0x22};

    assert_int_equal(wms_cobs_decode(zero_inside, 3, out, sizeof(out)), WMS_EBAD_ARGS);
    assert_int_equal(wms_cobs_decode(zero_code, 4, out, sizeof(out)), WMS_EBAD_ARGS);
    assert_int_equal(wms_cobs_decode(past_end, 3, out, sizeof(out)), WMS_EBAD_ARGS);
    assert_int_equal(wms_cobs_decode(past_end2, 4, out, sizeof(out)), WMS_EBAD_ARGS);
    assert_int_equal(wms_cobs_decode(out, 0, out, sizeof(out)), WMS_EBAD_ARGS);
    assert_int_equal(wms_cobs_decode(NULL, 3, out, sizeof(out)), WMS_EBAD_ARGS);
    assert_int_equal(wms_cobs_encode(NULL, 3, out, sizeof(out)), WMS_EBAD_ARGS);
    assert_int_equal(wms_cobs_encode(zero_inside, 3, out, 0), WMS_ETOO_LARGE);
}

/* ---- frames ---- */

static void test_frame_encode_layout(void **state)
{
    (void)state;
    const uint8_t msg[] = {0x94, 0x00, 0x01, 0xa4, 'p', 'i', 'n', 'g', 0x90};
    uint8_t out[64], dec[64];
    int len = wms_frame_encode(msg, sizeof(msg), out, sizeof(out));
    assert_true(len > 0);
    assert_true((size_t)len <= wms_frame_max_encoded(sizeof(msg)));
    assert_int_equal(out[len - 1], 0x00);
    assert_null(memchr(out, 0, (size_t)len - 1));

    int dl = wms_cobs_decode(out, (size_t)len - 1, dec, sizeof(dec));
    assert_int_equal(dl, (int)sizeof(msg) + 4);
    assert_memory_equal(dec, msg, sizeof(msg));
    uint32_t crc = crc32c_bitwise(msg, sizeof(msg));
    assert_int_equal(dec[sizeof(msg)], crc & 0xff);
    assert_int_equal(dec[sizeof(msg) + 1], (crc >> 8) & 0xff);
    assert_int_equal(dec[sizeof(msg) + 2], (crc >> 16) & 0xff);
    assert_int_equal(dec[sizeof(msg) + 3], crc >> 24);

    /* Every capacity short of the frame is refused. */
    for (int cap = 0; cap < len; cap++)
        assert_int_equal(wms_frame_encode(msg, sizeof(msg), out, (size_t)cap), WMS_ETOO_LARGE);
    assert_int_equal(wms_frame_encode(msg, sizeof(msg), out, (size_t)len), len);
    assert_int_equal(wms_frame_encode(msg, 0, out, sizeof(out)), WMS_EBAD_ARGS);
    assert_int_equal(wms_frame_encode(NULL, 3, out, sizeof(out)), WMS_EBAD_ARGS);
}

/* What the decoder delivered: the messages, concatenated, and their sizes. */
typedef struct sink {
    int count;
    size_t lens[16];
    uint8_t data[8192];
    size_t used;
    int stop_at; /* return stop_value when delivering message number stop_at (1-based) */
    int stop_value;
} sink;

static int sink_cb(void *ctx, const uint8_t *msg, size_t len)
{
    sink *s = ctx;
    assert_true(s->count < 16);
    assert_true(len <= sizeof(s->data) - s->used);
    memcpy(s->data + s->used, msg, len);
    s->used += len;
    s->lens[s->count++] = len;
    return s->count == s->stop_at ? s->stop_value : 0;
}

/* Checks that message i of the sink equals msg. */
static void sink_expect(const sink *s, int i, const uint8_t *msg, size_t len)
{
    assert_true(i < s->count);
    size_t off = 0;
    for (int k = 0; k < i; k++)
        off += s->lens[k];
    assert_int_equal(s->lens[i], len);
    assert_memory_equal(s->data + off, msg, len);
}

/* Makes a frame of msg into out; returns its length. */
static size_t make_frame(const uint8_t *msg, size_t n, uint8_t *out, size_t cap)
{
    int len = wms_frame_encode(msg, n, out, cap);
    assert_true(len > 0);
    return (size_t)len;
}

static const uint8_t MSG_A[] = {0x93, 0x02, 0xa5, 'e', 'v', 'e', 'n', 't', 0x91, 0x80};
static const uint8_t MSG_B[] = {0x00, 0x00, 0xff, 0x00, 0x11, 0x00};

static void test_decoder_init(void **state)
{
    (void)state;
    wms_frame_decoder d;
    uint8_t buf[8];
    assert_int_equal(wms_frame_decoder_init(&d, buf, 4), WMS_EBAD_ARGS);
    assert_int_equal(wms_frame_decoder_init(&d, NULL, 8), WMS_EBAD_ARGS);
    assert_int_equal(wms_frame_decoder_init(NULL, buf, 8), WMS_EBAD_ARGS);
    assert_int_equal(wms_frame_decoder_init(&d, buf, 5), 0);
    assert_int_equal(wms_frame_decoder_feed(&d, NULL, 1, NULL, NULL), WMS_EBAD_ARGS);
    assert_int_equal(wms_frame_decoder_feed(&d, NULL, 0, NULL, NULL), 0);
}

static void test_decoder_two_frames_one_feed(void **state)
{
    (void)state;
    uint8_t wire[128], buf[64];
    size_t n = make_frame(MSG_A, sizeof(MSG_A), wire, sizeof(wire));
    n += make_frame(MSG_B, sizeof(MSG_B), wire + n, sizeof(wire) - n);

    wms_frame_decoder d;
    sink s = {0};
    assert_int_equal(wms_frame_decoder_init(&d, buf, sizeof(buf)), 0);
    assert_int_equal(wms_frame_decoder_feed(&d, wire, n, sink_cb, &s), 0);
    assert_int_equal(d.consumed, n);
    assert_int_equal(s.count, 2);
    sink_expect(&s, 0, MSG_A, sizeof(MSG_A));
    sink_expect(&s, 1, MSG_B, sizeof(MSG_B));
    assert_int_equal(d.frames_ok, 2);
    assert_int_equal(d.frames_bad_crc + d.frames_bad_cobs + d.frames_short + d.frames_oversize, 0);
}

static void test_decoder_byte_by_byte_and_every_split(void **state)
{
    (void)state;
    uint8_t wire[128], buf[64];
    size_t n = make_frame(MSG_A, sizeof(MSG_A), wire, sizeof(wire));
    n += make_frame(MSG_B, sizeof(MSG_B), wire + n, sizeof(wire) - n);

    wms_frame_decoder d;
    sink s = {0};
    assert_int_equal(wms_frame_decoder_init(&d, buf, sizeof(buf)), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(wms_frame_decoder_feed(&d, wire + i, 1, sink_cb, &s), 0);
    assert_int_equal(s.count, 2);
    sink_expect(&s, 0, MSG_A, sizeof(MSG_A));
    sink_expect(&s, 1, MSG_B, sizeof(MSG_B));

    for (size_t cut = 0; cut <= n; cut++) {
        sink t = {0};
        assert_int_equal(wms_frame_decoder_init(&d, buf, sizeof(buf)), 0);
        assert_int_equal(wms_frame_decoder_feed(&d, wire, cut, sink_cb, &t), 0);
        assert_int_equal(wms_frame_decoder_feed(&d, wire + cut, n - cut, sink_cb, &t), 0);
        assert_int_equal(t.count, 2);
        sink_expect(&t, 0, MSG_A, sizeof(MSG_A));
        sink_expect(&t, 1, MSG_B, sizeof(MSG_B));
        assert_int_equal(d.frames_ok, 2);
    }
}

static void test_decoder_garbage_then_resync(void **state)
{
    (void)state;
    uint8_t wire[256], buf[64];
    const uint8_t garbage[] = {0x37, 0xff, 0x12, 0x05, 0x99, 0x01, 0x44};
    wms_frame_decoder d;

    /* Garbage, a delimiter, then a frame: the frame survives. */
    size_t n = 0;
    memcpy(wire, garbage, sizeof(garbage));
    n += sizeof(garbage);
    wire[n++] = 0x00;
    n += make_frame(MSG_A, sizeof(MSG_A), wire + n, sizeof(wire) - n);
    sink s = {0};
    assert_int_equal(wms_frame_decoder_init(&d, buf, sizeof(buf)), 0);
    assert_int_equal(wms_frame_decoder_feed(&d, wire, n, sink_cb, &s), 0);
    assert_int_equal(s.count, 1);
    sink_expect(&s, 0, MSG_A, sizeof(MSG_A));
    assert_int_equal(d.frames_ok, 1);
    assert_int_equal(d.frames_bad_crc + d.frames_bad_cobs + d.frames_short, 1);

    /* Garbage glued to a frame spoils that frame only; the next one is fine. */
    n = 0;
    memcpy(wire, garbage, sizeof(garbage));
    n += sizeof(garbage);
    n += make_frame(MSG_A, sizeof(MSG_A), wire + n, sizeof(wire) - n);
    n += make_frame(MSG_B, sizeof(MSG_B), wire + n, sizeof(wire) - n);
    sink t = {0};
    assert_int_equal(wms_frame_decoder_init(&d, buf, sizeof(buf)), 0);
    assert_int_equal(wms_frame_decoder_feed(&d, wire, n, sink_cb, &t), 0);
    assert_int_equal(t.count, 1);
    sink_expect(&t, 0, MSG_B, sizeof(MSG_B));
    assert_int_equal(d.frames_bad_crc + d.frames_bad_cobs + d.frames_short, 1);
}

/* Corrupts each byte of a frame in turn (never into a delimiter): the damaged
 * frame is never delivered, is counted, and the following frame arrives. */
static void test_decoder_corrupted_byte(void **state)
{
    (void)state;
    uint8_t good[64], wire[128], buf[64];
    size_t fa = make_frame(MSG_A, sizeof(MSG_A), good, sizeof(good));
    for (size_t pos = 0; pos + 1 < fa; pos++) {
        for (unsigned flip = 1; flip < 256; flip <<= 1) {
            memcpy(wire, good, fa);
            wire[pos] ^= (uint8_t)flip;
            if (wire[pos] == 0)
                continue;
            size_t n = fa + make_frame(MSG_B, sizeof(MSG_B), wire + fa, sizeof(wire) - fa);
            wms_frame_decoder d;
            sink s = {0};
            assert_int_equal(wms_frame_decoder_init(&d, buf, sizeof(buf)), 0);
            assert_int_equal(wms_frame_decoder_feed(&d, wire, n, sink_cb, &s), 0);
            assert_int_equal(s.count, 1);
            sink_expect(&s, 0, MSG_B, sizeof(MSG_B));
            assert_int_equal(d.frames_ok, 1);
            assert_int_equal(d.frames_bad_crc + d.frames_bad_cobs + d.frames_short, 1);
        }
    }

    /* A flipped data bit is a CRC failure specifically. */
    memcpy(wire, good, fa);
    wire[3] ^= 0x40; /* MSG_A has no zero: one block, byte 3 is data */
    wms_frame_decoder d;
    assert_int_equal(wms_frame_decoder_init(&d, buf, sizeof(buf)), 0);
    assert_int_equal(wms_frame_decoder_feed(&d, wire, fa, NULL, NULL), 0);
    assert_int_equal(d.frames_bad_crc, 1);
    assert_int_equal(d.frames_ok, 0);
}

static void test_decoder_oversize(void **state)
{
    (void)state;
    enum { MAXMSG = 40 };
    uint8_t buf[WMS_FRAME_DECODER_BUF(MAXMSG)];
    uint8_t big[MAXMSG + 1], wire[256];
    memset(big, 0x5a, sizeof(big));
    big[7] = 0;

    size_t n = make_frame(big, MAXMSG + 1, wire, sizeof(wire)); /* one byte too many */
    n += make_frame(MSG_A, sizeof(MSG_A), wire + n, sizeof(wire) - n);
    n += make_frame(big, MAXMSG, wire + n, sizeof(wire) - n); /* exactly the maximum */

    wms_frame_decoder d;
    sink s = {0};
    assert_int_equal(wms_frame_decoder_init(&d, buf, sizeof(buf)), 0);
    assert_int_equal(wms_frame_decoder_feed(&d, wire, n, sink_cb, &s), 0);
    assert_int_equal(d.frames_oversize, 1);
    assert_int_equal(d.frames_ok, 2);
    assert_int_equal(s.count, 2);
    sink_expect(&s, 0, MSG_A, sizeof(MSG_A));
    sink_expect(&s, 1, big, MAXMSG);

    /* A long run without any delimiter is skipped in pieces, then resyncs. */
    uint8_t noise[300];
    memset(noise, 0x33, sizeof(noise));
    sink t = {0};
    assert_int_equal(wms_frame_decoder_init(&d, buf, sizeof(buf)), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(wms_frame_decoder_feed(&d, noise, sizeof(noise), sink_cb, &t), 0);
    n = make_frame(MSG_B, sizeof(MSG_B), wire, sizeof(wire));
    assert_int_equal(wms_frame_decoder_feed(&d, wire, n, sink_cb, &t), 0);
    assert_int_equal(d.frames_oversize, 1);
    assert_int_equal(t.count, 0); /* the noise's delimiter was MSG_B's: it is lost */
    assert_int_equal(wms_frame_decoder_feed(&d, wire, n, sink_cb, &t), 0);
    assert_int_equal(t.count, 1);
    sink_expect(&t, 0, MSG_B, sizeof(MSG_B));
}

static void test_decoder_empty_short_and_bad_cobs(void **state)
{
    (void)state;
    uint8_t buf[64];
    wms_frame_decoder d;
    assert_int_equal(wms_frame_decoder_init(&d, buf, sizeof(buf)), 0);

    const uint8_t empties[] = {0x00, 0x00, 0x00};
    assert_int_equal(wms_frame_decoder_feed(&d, empties, 3, NULL, NULL), 0);
    assert_int_equal(d.frames_ok + d.frames_short + d.frames_bad_cobs + d.frames_bad_crc, 0);

    const uint8_t one_byte[] = {0x02, 0x11, 0x00};                   /* decodes to 1 byte */
    const uint8_t nothing[] = {0x01, 0x00};                          /* decodes to 0 bytes */
    const uint8_t crc_only[] = {0x01, 0x01, 0x01, 0x01, 0x01, 0x00}; /* empty msg + CRC 0 */
    const uint8_t bad_cobs[] = {0x05, 0x11, 0x22, 0x00};             /* code past the delimiter */
    assert_int_equal(wms_frame_decoder_feed(&d, one_byte, sizeof(one_byte), NULL, NULL), 0);
    assert_int_equal(wms_frame_decoder_feed(&d, nothing, sizeof(nothing), NULL, NULL), 0);
    assert_int_equal(wms_frame_decoder_feed(&d, crc_only, sizeof(crc_only), NULL, NULL), 0);
    assert_int_equal(d.frames_short, 3);
    assert_int_equal(wms_crc32c(0, NULL, 0), 0); /* so crc_only really carries a good CRC */
    assert_int_equal(wms_frame_decoder_feed(&d, bad_cobs, sizeof(bad_cobs), NULL, NULL), 0);
    assert_int_equal(d.frames_bad_cobs, 1);
    assert_int_equal(d.frames_ok, 0);
}

static void test_decoder_callback_stops(void **state)
{
    (void)state;
    uint8_t wire[128], buf[64];
    size_t fa = make_frame(MSG_A, sizeof(MSG_A), wire, sizeof(wire));
    size_t n = fa + make_frame(MSG_B, sizeof(MSG_B), wire + fa, sizeof(wire) - fa);

    wms_frame_decoder d;
    sink s = {.stop_at = 1, .stop_value = 7};
    assert_int_equal(wms_frame_decoder_init(&d, buf, sizeof(buf)), 0);
    assert_int_equal(wms_frame_decoder_feed(&d, wire, n, sink_cb, &s), 7);
    assert_int_equal(d.consumed, fa);
    assert_int_equal(s.count, 1);
    assert_int_equal(wms_frame_decoder_feed(&d, wire + d.consumed, n - fa, sink_cb, &s), 0);
    assert_int_equal(d.consumed, n - fa);
    assert_int_equal(s.count, 2);
    sink_expect(&s, 1, MSG_B, sizeof(MSG_B));
}

static void test_decoder_reset_drops_partial(void **state)
{
    (void)state;
    uint8_t wire[128], buf[64];
    size_t n = make_frame(MSG_A, sizeof(MSG_A), wire, sizeof(wire));
    wms_frame_decoder d;
    sink s = {0};
    assert_int_equal(wms_frame_decoder_init(&d, buf, sizeof(buf)), 0);
    assert_int_equal(wms_frame_decoder_feed(&d, wire, n - 3, sink_cb, &s), 0);
    wms_frame_decoder_reset(&d);
    assert_int_equal(wms_frame_decoder_feed(&d, wire, n, sink_cb, &s), 0);
    assert_int_equal(s.count, 1);
    sink_expect(&s, 0, MSG_A, sizeof(MSG_A));
    assert_int_equal(d.frames_bad_crc + d.frames_bad_cobs + d.frames_short, 0);
}

/* Random messages of 1..600 bytes (some zero-heavy, some 0xff-heavy) through
 * the encoder and the decoder in random chunks. */
static void test_frame_round_trip_random_chunks(void **state)
{
    (void)state;
    static uint8_t msgs[8][600], wire[8 * 620], buf[WMS_FRAME_DECODER_BUF(600)];
    size_t lens[8];
    srand(7);
    for (int round = 0; round < 40; round++) {
        size_t n = 0;
        for (int m = 0; m < 8; m++) {
            lens[m] = 1 + (size_t)rand() % 600;
            fill_random(msgs[m], lens[m]);
            for (size_t i = 0; i < lens[m]; i++) {
                if (m % 3 == 1 && msgs[m][i] < 128)
                    msgs[m][i] = 0;
                if (m % 3 == 2 && msgs[m][i] < 200)
                    msgs[m][i] = 0xff;
            }
            n += make_frame(msgs[m], lens[m], wire + n, sizeof(wire) - n);
        }
        wms_frame_decoder d;
        sink s = {0};
        assert_int_equal(wms_frame_decoder_init(&d, buf, sizeof(buf)), 0);
        size_t off = 0;
        while (off < n) {
            size_t chunk = 1 + (size_t)rand() % 97;
            if (chunk > n - off)
                chunk = n - off;
            assert_int_equal(wms_frame_decoder_feed(&d, wire + off, chunk, sink_cb, &s), 0);
            off += chunk;
        }
        assert_int_equal(s.count, 8);
        for (int m = 0; m < 8; m++)
            sink_expect(&s, m, msgs[m], lens[m]);
        assert_int_equal(d.frames_ok, 8);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c_vectors),
        cmocka_unit_test(test_crc32c_incremental_random),
        cmocka_unit_test(test_cobs_max_encoded),
        cmocka_unit_test(test_cobs_known_encodings),
        cmocka_unit_test(test_cobs_round_trips),
        cmocka_unit_test(test_cobs_decode_malformed),
        cmocka_unit_test(test_frame_encode_layout),
        cmocka_unit_test(test_decoder_init),
        cmocka_unit_test(test_decoder_two_frames_one_feed),
        cmocka_unit_test(test_decoder_byte_by_byte_and_every_split),
        cmocka_unit_test(test_decoder_garbage_then_resync),
        cmocka_unit_test(test_decoder_corrupted_byte),
        cmocka_unit_test(test_decoder_oversize),
        cmocka_unit_test(test_decoder_empty_short_and_bad_cobs),
        cmocka_unit_test(test_decoder_callback_stops),
        cmocka_unit_test(test_decoder_reset_drops_partial),
        cmocka_unit_test(test_frame_round_trip_random_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
