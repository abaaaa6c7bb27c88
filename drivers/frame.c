/* frame.c - CRC-32C, COBS and the serial frame codec (see frame.h for the
 * wire format). */
#include "frame.h"

#include <limits.h>
#include <string.h>

/* CRC-32C table for the reflected polynomial 0x82F63B78: entry i is the CRC
 * register after shifting the byte i through eight rounds.  Generated once,
 * checked by tests/drivers/test_frame.c against a bitwise implementation. */
static const uint32_t crc32c_table[256] = {
    0x00000000U, 0xf26b8303U, 0xe13b70f7U, 0x1350f3f4U, 0xc79a971fU, 0x35f1141cU, 0x26a1e7e8U,
    0xd4ca64ebU, 0x8ad958cfU, 0x78b2dbccU, 0x6be22838U, 0x9989ab3bU, 0x4d43cfd0U, 0xbf284cd3U,
    0xac78bf27U, 0x5e133c24U, 0x105ec76fU, 0xe235446cU, 0xf165b798U, 0x030e349bU, 0xd7c45070U,
    0x25afd373U, 0x36ff2087U, 0xc494a384U, 0x9a879fa0U, 0x68ec1ca3U, 0x7bbcef57U, 0x89d76c54U,
    0x5d1d08bfU, 0xaf768bbcU, 0xbc267848U, 0x4e4dfb4bU, 0x20bd8edeU, 0xd2d60dddU, 0xc186fe29U,
    0x33ed7d2aU, 0xe72719c1U, 0x154c9ac2U, 0x061c6936U, 0xf477ea35U, 0xaa64d611U, 0x580f5512U,
    0x4b5fa6e6U, 0xb93425e5U, 0x6dfe410eU, 0x9f95c20dU, 0x8cc531f9U, 0x7eaeb2faU, 0x30e349b1U,
    0xc288cab2U, 0xd1d83946U, 0x23b3ba45U, 0xf779deaeU, 0x05125dadU, 0x1642ae59U, 0xe4292d5aU,
    0xba3a117eU, 0x4851927dU, 0x5b016189U, 0xa96ae28aU, 0x7da08661U, 0x8fcb0562U, 0x9c9bf696U,
    0x6ef07595U, 0x417b1dbcU, 0xb3109ebfU, 0xa0406d4bU, 0x522bee48U, 0x86e18aa3U, 0x748a09a0U,
    0x67dafa54U, 0x95b17957U, 0xcba24573U, 0x39c9c670U, 0x2a993584U, 0xd8f2b687U, 0x0c38d26cU,
    0xfe53516fU, 0xed03a29bU, 0x1f682198U, 0x5125dad3U, 0xa34e59d0U, 0xb01eaa24U, 0x42752927U,
    0x96bf4dccU, 0x64d4cecfU, 0x77843d3bU, 0x85efbe38U, 0xdbfc821cU, 0x2997011fU, 0x3ac7f2ebU,
    0xc8ac71e8U, 0x1c661503U, 0xee0d9600U, 0xfd5d65f4U, 0x0f36e6f7U, 0x61c69362U, 0x93ad1061U,
    0x80fde395U, 0x72966096U, 0xa65c047dU, 0x5437877eU, 0x4767748aU, 0xb50cf789U, 0xeb1fcbadU,
    0x197448aeU, 0x0a24bb5aU, 0xf84f3859U, 0x2c855cb2U, 0xdeeedfb1U, 0xcdbe2c45U, 0x3fd5af46U,
    0x7198540dU, 0x83f3d70eU, 0x90a324faU, 0x62c8a7f9U, 0xb602c312U, 0x44694011U, 0x5739b3e5U,
    0xa55230e6U, 0xfb410cc2U, 0x092a8fc1U, 0x1a7a7c35U, 0xe811ff36U, 0x3cdb9bddU, 0xceb018deU,
    0xdde0eb2aU, 0x2f8b6829U, 0x82f63b78U, 0x709db87bU, 0x63cd4b8fU, 0x91a6c88cU, 0x456cac67U,
    0xb7072f64U, 0xa457dc90U, 0x563c5f93U, 0x082f63b7U, 0xfa44e0b4U, 0xe9141340U, 0x1b7f9043U,
    0xcfb5f4a8U, 0x3dde77abU, 0x2e8e845fU, 0xdce5075cU, 0x92a8fc17U, 0x60c37f14U, 0x73938ce0U,
    0x81f80fe3U, 0x55326b08U, 0xa759e80bU, 0xb4091bffU, 0x466298fcU, 0x1871a4d8U, 0xea1a27dbU,
    0xf94ad42fU, 0x0b21572cU, 0xdfeb33c7U, 0x2d80b0c4U, 0x3ed04330U, 0xccbbc033U, 0xa24bb5a6U,
    0x502036a5U, 0x4370c551U, 0xb11b4652U, 0x65d122b9U, 0x97baa1baU, 0x84ea524eU, 0x7681d14dU,
    0x2892ed69U, 0xdaf96e6aU, 0xc9a99d9eU, 0x3bc21e9dU, 0xef087a76U, 0x1d63f975U, 0x0e330a81U,
    0xfc588982U, 0xb21572c9U, 0x407ef1caU, 0x532e023eU, 0xa145813dU, 0x758fe5d6U, 0x87e466d5U,
    0x94b49521U, 0x66df1622U, 0x38cc2a06U, 0xcaa7a905U, 0xd9f75af1U, 0x2b9cd9f2U, 0xff56bd19U,
    0x0d3d3e1aU, 0x1e6dcdeeU, 0xec064eedU, 0xc38d26c4U, 0x31e6a5c7U, 0x22b65633U, 0xd0ddd530U,
    0x0417b1dbU, 0xf67c32d8U, 0xe52cc12cU, 0x1747422fU, 0x49547e0bU, 0xbb3ffd08U, 0xa86f0efcU,
    0x5a048dffU, 0x8ecee914U, 0x7ca56a17U, 0x6ff599e3U, 0x9d9e1ae0U, 0xd3d3e1abU, 0x21b862a8U,
    0x32e8915cU, 0xc083125fU, 0x144976b4U, 0xe622f5b7U, 0xf5720643U, 0x07198540U, 0x590ab964U,
    0xab613a67U, 0xb831c993U, 0x4a5a4a90U, 0x9e902e7bU, 0x6cfbad78U, 0x7fab5e8cU, 0x8dc0dd8fU,
    0xe330a81aU, 0x115b2b19U, 0x020bd8edU, 0xf0605beeU, 0x24aa3f05U, 0xd6c1bc06U, 0xc5914ff2U,
    0x37faccf1U, 0x69e9f0d5U, 0x9b8273d6U, 0x88d28022U, 0x7ab90321U, 0xae7367caU, 0x5c18e4c9U,
    0x4f48173dU, 0xbd23943eU, 0xf36e6f75U, 0x0105ec76U, 0x12551f82U, 0xe03e9c81U, 0x34f4f86aU,
    0xc69f7b69U, 0xd5cf889dU, 0x27a40b9eU, 0x79b737baU, 0x8bdcb4b9U, 0x988c474dU, 0x6ae7c44eU,
    0xbe2da0a5U, 0x4c4623a6U, 0x5f16d052U, 0xad7d5351U,
};

uint32_t wms_crc32c(uint32_t crc, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = crc32c_table[(crc ^ p[i]) & 0xffU] ^ (crc >> 8);
    return ~crc;
}

size_t wms_cobs_max_encoded(size_t n)
{
    if (n == 0)
        return 1;
    size_t blocks = n / 254 + (n % 254 != 0);
    if (n > SIZE_MAX - blocks)
        return SIZE_MAX;
    return n + blocks;
}

/* Incremental COBS encoder over a bounded output buffer.  Blocks are opened
 * lazily, so a full block at the very end is not followed by an empty one. */
typedef struct cobs_enc {
    uint8_t *out;
    size_t cap;
    size_t pos;      /* next free byte */
    size_t code_pos; /* where the current block's code byte goes */
    uint8_t code;    /* 1 + data bytes in the current block */
    int overflow;    /* set when a write did not fit */
} cobs_enc;

/* Starts an encoding; the first block's code byte is reserved at out[0]. */
static void cobs_enc_start(cobs_enc *e, uint8_t *out, size_t cap)
{
    e->out = out;
    e->cap = cap;
    e->code_pos = 0;
    e->pos = 1;
    e->code = 1;
    e->overflow = cap < 1;
}

/* Closes the current block and reserves the next block's code byte. */
static void cobs_enc_next_block(cobs_enc *e)
{
    e->out[e->code_pos] = e->code;
    e->code = 1;
    if (e->pos >= e->cap) {
        e->overflow = 1;
        return;
    }
    e->code_pos = e->pos++;
}

/* Adds one payload byte. */
static void cobs_enc_put(cobs_enc *e, uint8_t b)
{
    if (e->overflow)
        return;
    if (e->code == 0xff) {
        cobs_enc_next_block(e);
        if (e->overflow)
            return;
    }
    if (b == 0) {
        cobs_enc_next_block(e);
        return;
    }
    if (e->pos >= e->cap) {
        e->overflow = 1;
        return;
    }
    e->out[e->pos++] = b;
    e->code++;
}

/* Closes the last block; returns the encoded length or WMS_ETOO_LARGE. */
static int cobs_enc_finish(cobs_enc *e)
{
    if (e->overflow)
        return WMS_ETOO_LARGE;
    e->out[e->code_pos] = e->code;
    return (int)e->pos;
}

int wms_cobs_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    if ((in == NULL && n > 0) || out == NULL)
        return WMS_EBAD_ARGS;
    if (wms_cobs_max_encoded(n) > INT_MAX)
        return WMS_ETOO_LARGE;
    cobs_enc e;
    cobs_enc_start(&e, out, cap);
    for (size_t i = 0; i < n && !e.overflow; i++)
        cobs_enc_put(&e, in[i]);
    return cobs_enc_finish(&e);
}

int wms_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    if (in == NULL || out == NULL || n == 0)
        return WMS_EBAD_ARGS;
    if (n > INT_MAX)
        return WMS_ETOO_LARGE;
    size_t r = 0, w = 0;
    while (r < n) {
        uint8_t code = in[r++];
        if (code == 0)
            return WMS_EBAD_ARGS;
        size_t k = (size_t)code - 1;
        if (k > n - r)
            return WMS_EBAD_ARGS;
        if (memchr(in + r, 0, k) != NULL)
            return WMS_EBAD_ARGS;
        if (k > cap - w)
            return WMS_ETOO_LARGE;
        memmove(out + w, in + r, k); /* w < r: safe when out == in */
        w += k;
        r += k;
        if (code != 0xff && r < n) {
            if (w >= cap)
                return WMS_ETOO_LARGE;
            out[w++] = 0;
        }
    }
    return (int)w;
}

size_t wms_frame_max_encoded(size_t n)
{
    if (n > SIZE_MAX - WMS_FRAME_CRC_LEN)
        return SIZE_MAX;
    size_t m = wms_cobs_max_encoded(n + WMS_FRAME_CRC_LEN);
    return m == SIZE_MAX ? SIZE_MAX : m + 1;
}

int wms_frame_encode(const uint8_t *msg, size_t n, uint8_t *out, size_t cap)
{
    if (msg == NULL || out == NULL || n == 0)
        return WMS_EBAD_ARGS;
    if (wms_frame_max_encoded(n) > INT_MAX)
        return WMS_ETOO_LARGE;
    uint32_t crc = wms_crc32c(0, msg, n);
    uint8_t trailer[WMS_FRAME_CRC_LEN] = {(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16),
                                          (uint8_t)(crc >> 24)};
    cobs_enc e;
    cobs_enc_start(&e, out, cap);
    for (size_t i = 0; i < n && !e.overflow; i++)
        cobs_enc_put(&e, msg[i]);
    for (size_t i = 0; i < WMS_FRAME_CRC_LEN; i++)
        cobs_enc_put(&e, trailer[i]);
    int len = cobs_enc_finish(&e);
    if (len < 0)
        return len;
    if ((size_t)len >= cap)
        return WMS_ETOO_LARGE;
    out[len] = 0;
    return len + 1;
}

int wms_frame_decoder_init(wms_frame_decoder *d, uint8_t *buf, size_t cap)
{
    if (d == NULL || buf == NULL || cap < WMS_FRAME_CRC_LEN + 1)
        return WMS_EBAD_ARGS;
    memset(d, 0, sizeof(*d));
    d->buf = buf;
    d->cap = cap;
    return 0;
}

void wms_frame_decoder_reset(wms_frame_decoder *d)
{
    if (d == NULL)
        return;
    d->len = 0;
    d->code = 0;
    d->left = 0;
    d->skipping = 0;
}

/* Appends one decoded byte; on overflow counts the frame as oversize and
 * switches to skipping until the next delimiter. */
static void decoder_put(wms_frame_decoder *d, uint8_t b)
{
    if (d->len >= d->cap) {
        d->frames_oversize++;
        wms_frame_decoder_reset(d);
        d->skipping = 1;
        return;
    }
    d->buf[d->len++] = b;
}

/* Handles a 0x00 delimiter: judges the frame collected so far and resets.
 * Returns the callback's value for a good frame, else 0. */
static int decoder_end_frame(wms_frame_decoder *d, wms_frame_cb cb, void *ctx)
{
    size_t len = d->len;
    int started = d->code != 0, bad_cobs = d->left != 0;
    wms_frame_decoder_reset(d);
    if (!started)
        return 0; /* empty frame: ignored */
    if (bad_cobs) {
        d->frames_bad_cobs++;
        return 0;
    }
    if (len <= WMS_FRAME_CRC_LEN) {
        d->frames_short++;
        return 0;
    }
    size_t n = len - WMS_FRAME_CRC_LEN;
    const uint8_t *t = d->buf + n;
    uint32_t want =
        (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
    if (wms_crc32c(0, d->buf, n) != want) {
        d->frames_bad_crc++;
        return 0;
    }
    d->frames_ok++;
    return cb != NULL ? cb(ctx, d->buf, n) : 0;
}

int wms_frame_decoder_feed(wms_frame_decoder *d, const uint8_t *data, size_t n, wms_frame_cb cb,
                           void *ctx)
{
    if (d == NULL || (data == NULL && n > 0))
        return WMS_EBAD_ARGS;
    d->consumed = 0;
    size_t i = 0;
    while (i < n) {
        if (d->skipping) {
            const uint8_t *z = memchr(data + i, 0, n - i);
            if (z == NULL) {
                i = n;
                break;
            }
            i = (size_t)(z - data) + 1;
            d->skipping = 0;
            continue;
        }
        uint8_t b = data[i++];
        if (b == 0) {
            int rc = decoder_end_frame(d, cb, ctx);
            if (rc != 0) {
                d->consumed = i;
                return rc;
            }
        } else if (d->left > 0) {
            d->left--;
            decoder_put(d, b);
        } else {
            /* A code byte: the previous block's implied zero comes first. */
            if (d->code != 0 && d->code != 0xff)
                decoder_put(d, 0);
            if (!d->skipping) {
                d->code = b;
                d->left = (uint8_t)(b - 1);
            }
        }
    }
    d->consumed = i;
    return 0;
}
