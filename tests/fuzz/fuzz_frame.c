/* fuzz_frame.c - libFuzzer entry point for the serial frame codec
 * (drivers/frame.c).  Run with scripts/fuzz.sh frame (make fuzz); CMake
 * builds the replay of its corpus and regressions (fuzz_replay_frame).
 * Standalone:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iengine/include -Idrivers \
 *       tests/fuzz/fuzz_frame.c drivers/frame.c engine/src/core/error.c -o fuzz_frame
 *   ./fuzz_frame -max_total_time=60 tests/fuzz/corpus/frame
 *
 * The first two input bytes choose the decoder's buffer size and seed the
 * chunking; the rest is the line.  Checked: decoding in random chunks (with
 * the callback sometimes stopping the feed) gives the same messages and
 * counters as one feed of everything; every delivered message has a good
 * CRC and fits the buffer; COBS and frames round-trip; nothing overruns.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CAP 700

/* A running digest of what a decoder delivered. */
typedef struct seen {
    uint64_t count;
    uint32_t digest;
    size_t cap;
    unsigned stop_every; /* callback returns non-zero every n-th message; 0 never */
} seen;

static int on_msg(void *ctx, const uint8_t *msg, size_t len)
{
    seen *s = ctx;
    if (len == 0 || len + WMS_FRAME_CRC_LEN > s->cap)
        abort();
    s->count++;
    uint8_t l[4] = {(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16), (uint8_t)(len >> 24)};
    s->digest = wms_crc32c(s->digest, l, sizeof(l));
    s->digest = wms_crc32c(s->digest, msg, len);

    /* The message re-framed and decoded again is itself. */
    static uint8_t frame[MAX_CAP * 2], back[MAX_CAP * 2];
    int fl = wms_frame_encode(msg, len, frame, sizeof(frame));
    if (fl < 2 || frame[fl - 1] != 0 || memchr(frame, 0, (size_t)fl - 1) != NULL)
        abort();
    int dl = wms_cobs_decode(frame, (size_t)fl - 1, back, sizeof(back));
    if (dl != (int)len + WMS_FRAME_CRC_LEN || memcmp(back, msg, len) != 0)
        abort();
    if (s->stop_every && s->count % s->stop_every == 0)
        return 1;
    return 0;
}

static int same_counters(const wms_frame_decoder *a, const wms_frame_decoder *b)
{
    return a->frames_ok == b->frames_ok && a->frames_bad_crc == b->frames_bad_crc &&
           a->frames_bad_cobs == b->frames_bad_cobs && a->frames_short == b->frames_short &&
           a->frames_oversize == b->frames_oversize;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t cap = 5 + (size_t)data[0] * 2;
    uint32_t rng = data[1] * 2654435761U + 1;
    data += 2;
    size -= 2;

    static uint8_t buf1[MAX_CAP], buf2[MAX_CAP];
    wms_frame_decoder one, many;
    if (wms_frame_decoder_init(&one, buf1, cap) != 0 || wms_frame_decoder_init(&many, buf2, cap))
        abort();

    seen s1 = {.cap = cap}, s2 = {.cap = cap, .stop_every = 1 + (rng >> 29)};
    if (wms_frame_decoder_feed(&one, data, size, on_msg, &s1) != 0 || one.consumed != size)
        abort();

    size_t off = 0;
    while (off < size) {
        rng = rng * 1103515245U + 12345U;
        size_t chunk = 1 + (rng >> 16) % 64;
        if (chunk > size - off)
            chunk = size - off;
        int rc = wms_frame_decoder_feed(&many, data + off, chunk, on_msg, &s2);
        if (rc != 0 && rc != 1)
            abort();
        if (many.consumed > chunk || (rc == 0 && many.consumed != chunk))
            abort();
        off += many.consumed; /* after a stop, resume where it stopped */
    }
    if (s1.count != s2.count || s1.digest != s2.digest || !same_counters(&one, &many))
        abort();
    if (one.frames_ok != s1.count)
        abort();

    /* COBS and frame round trips of the input itself. */
    static uint8_t enc[4096], dec[4096];
    if (size <= 3000) {
        int el = wms_cobs_encode(data, size, enc, sizeof(enc));
        if (el < 1 || (size_t)el > wms_cobs_max_encoded(size) || memchr(enc, 0, (size_t)el))
            abort();
        int dl = wms_cobs_decode(enc, (size_t)el, dec, sizeof(dec));
        if (dl != (int)size || (size && memcmp(dec, data, size) != 0))
            abort();
        if (size > 0 && size + WMS_FRAME_CRC_LEN <= MAX_CAP) {
            int fl = wms_frame_encode(data, size, enc, sizeof(enc));
            wms_frame_decoder d;
            seen s3 = {.cap = MAX_CAP};
            if (fl < 0 || wms_frame_decoder_init(&d, buf1, MAX_CAP) != 0)
                abort();
            if (wms_frame_decoder_feed(&d, enc, (size_t)fl, on_msg, &s3) != 0 || s3.count != 1)
                abort();
        }
    }
    /* The raw input as a COBS string: decoding must not overrun, in place too. */
    if (size > 0 && size <= sizeof(dec)) {
        int a = wms_cobs_decode(data, size, dec, sizeof(dec));
        memcpy(enc, data, size);
        int b = wms_cobs_decode(enc, size, enc, size);
        if (a != b || (a > 0 && memcmp(dec, enc, (size_t)a) != 0))
            abort();
    }
    return 0;
}
