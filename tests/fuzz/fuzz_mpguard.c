/* fuzz_mpguard.c - libFuzzer entry point for the MessagePack guard
 * (handheld-proto/mpguard.c), cross-checked against msgpack-c.  Run with
 * scripts/fuzz.sh mpguard (make fuzz); CMake builds the replay of its corpus
 * and regressions (fuzz_replay_mpguard).  Standalone:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iengine/include -Ihandheld-proto \
 *       tests/fuzz/fuzz_mpguard.c handheld-proto/mpguard.c engine/src/core/error.c \
 *       -lmsgpackc -o fuzz_mpguard
 *   ./fuzz_mpguard -max_total_time=60 tests/fuzz/corpus/mpguard
 *
 * Checked (abort() on any difference):
 *  - complete within the default limits -> msgpack_unpack_next on exactly
 *    those bytes succeeds and consumes the same length;
 *  - "need more" -> msgpack-c also wants more of the same bytes;
 *  - invalid MessagePack -> msgpack-c also fails to parse;
 *  - the result on the message's own bytes and on its prefixes agrees;
 *  - tighter limits (derived from the input's first byte) never accept what
 *    the defaults refuse, and agree on the length when both accept.
 * msgpack-c is never given bytes the guard refused as too large.
 */
#include <msgpack.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpguard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* msgpack-c on exactly n bytes: its return code, and the bytes it used. */
static msgpack_unpack_return unpack(const uint8_t *buf, size_t n, size_t *off)
{
    msgpack_unpacked res;
    msgpack_unpacked_init(&res);
    *off = 0;
    msgpack_unpack_return ret = msgpack_unpack_next(&res, (const char *)buf, n, off);
    msgpack_unpacked_destroy(&res);
    return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t knob = data[0];
    data++;
    size--;

    wms_mp_limits def;
    wms_mp_limits_default(&def);
    size_t len = 0, off = 0;
    wms_error err;
    int rc = wms_mp_scan(data, size, &def, &len, &err);

    if (rc == 1) {
        if (len == 0 || len > size || len > def.max_bytes)
            abort();
        msgpack_unpack_return ret = unpack(data, len, &off);
        if (ret != MSGPACK_UNPACK_SUCCESS || off != len)
            abort();
        size_t len2 = 0;
        if (wms_mp_scan(data, len, &def, &len2, NULL) != 1 || len2 != len)
            abort();
        if (wms_mp_scan(data, len - 1, &def, &len2, NULL) != 0)
            abort();
    } else if (rc == 0) {
        if (len != 0)
            abort();
        if (size > 0 && unpack(data, size, &off) != MSGPACK_UNPACK_CONTINUE)
            abort();
    } else if (rc == WMS_EBAD_ARGS) {
        if (err.code != rc || unpack(data, size, &off) != MSGPACK_UNPACK_PARSE_ERROR)
            abort();
    } else if (rc != WMS_ETOO_LARGE || err.code != rc) {
        abort();
    }

    /* The same bytes arriving in pieces (sizes from the knob): a resumable
     * scanner ends with the whole scan's result; each feed before the end
     * asks for more, unless the prefix already shows the refusal. */
    wms_mp_scanner sc;
    wms_mp_scanner_init(&sc, &def);
    uint32_t x = 0x9e3779b9u ^ knob;
    size_t have = 0, flen = 0, feeds = 0;
    int frc = 0;
    while (frc == 0 && have < size) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        have += 1 + (knob & 0x80 ? x % 3 : x % 97);
        if (have > size)
            have = size;
        frc = wms_mp_feed(&sc, data, have, &flen, NULL);
        feeds++;
        if (frc == 1 && (have < len || flen != len))
            abort();
    }
    if (size == 0)
        frc = wms_mp_feed(&sc, data, 0, &flen, NULL);
    if (frc != rc || (rc == 1 && flen != len))
        abort();
    /* Linear work: each complete value once (at most one per byte), plus one
     * look per feed at the value still incomplete. */
    if (sc.steps > (uint64_t)have + feeds + 1)
        abort();

    /* Tighter limits in every dimension. */
    wms_mp_limits tight = {
        .max_bytes = 1 + (size_t)(knob & 0x3f) * 16,
        .max_depth = (size_t)(knob >> 6) * 3,
        .max_container = 1 + (size_t)(knob & 7),
        .max_str = (size_t)(knob & 0x1f) * 4,
        .max_total_objects = 1 + (size_t)(knob & 0x0f) * 4,
    };
    size_t tlen = 0;
    int trc = wms_mp_scan(data, size, &tight, &tlen, NULL);
    if (trc == 1 && (rc != 1 || tlen != len))
        abort();
    if (trc == 0 && rc != 0)
        abort();
    if (trc == WMS_EBAD_ARGS && rc != WMS_EBAD_ARGS)
        abort();
    if (trc < 0 && trc != WMS_EBAD_ARGS && trc != WMS_ETOO_LARGE)
        abort();
    return 0;
}
