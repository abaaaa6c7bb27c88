/*
 * frame.h - serial framing of handheld messages: CRC-32C, COBS, frames.
 *
 * Pure codecs: no I/O, no allocation.  The serial transport (RS-232 cradles,
 * Bluetooth SPP, USB CDC) feeds the bytes it reads to a wms_frame_decoder and
 * writes what wms_frame_encode produces.
 *
 * Wire format (handheld protocol v1, serial transports)
 * -----------------------------------------------------
 * Every message (one MessagePack-RPC message, N >= 1 bytes) travels as one
 * frame:
 *
 *     frame   = COBS(message || crc) 0x00
 *     crc     = CRC-32C(message), 4 bytes, least significant byte first
 *
 *  - CRC-32C is the Castagnoli CRC: reflected polynomial 0x82F63B78, initial
 *    value 0xFFFFFFFF, final xor 0xFFFFFFFF ("123456789" -> 0xE3069283).
 *    It covers the message bytes only, not itself.
 *  - COBS (Consistent Overhead Byte Stuffing, Cheshire & Baker 1999) removes
 *    every 0x00 from the payload, so 0x00 only ever marks the end of a frame.
 *    The payload is cut into blocks; each block is a code byte C (1..255)
 *    followed by C-1 non-zero data bytes.  A block with C < 255 stands for its
 *    data followed by one 0x00, except the last block of the frame, whose
 *    implied 0x00 is dropped.  A block with C = 255 carries 254 bytes and no
 *    implied 0x00.  The cost is at most one byte per 254, plus one.
 *    Encoders here never end with an empty block after a full one
 *    (254 non-zero bytes encode as FF + 254 bytes); decoders accept both
 *    forms (... FF <254 bytes> 01 decodes the same).
 *  - The 0x00 delimiter ends a frame.  A receiver that lost bytes (line noise,
 *    a cradle plugged in mid-frame) drops the damaged frame and is in sync
 *    again at the next 0x00.  A sender may put extra 0x00 bytes before a
 *    frame to flush a receiver's partial frame: empty frames are ignored.
 *
 * Receiving rules (wms_frame_decoder):
 *  - A frame whose COBS is malformed (the last code byte points past the
 *    delimiter) is dropped and counted in frames_bad_cobs.
 *  - A frame that decodes to 4 bytes or fewer is dropped and counted in
 *    frames_short.  Four bytes would be a CRC with an empty message; an
 *    empty message is never valid MessagePack, so it is not delivered (and
 *    wms_frame_encode refuses to make one).
 *  - A frame whose CRC does not match is dropped, frames_bad_crc.
 *  - A frame whose decoded size (message + 4) would exceed the decoder's
 *    buffer is dropped, frames_oversize; the bytes up to the next 0x00 are
 *    skipped.
 *  - Consecutive 0x00 bytes (empty frames) are ignored and not counted.
 *  - The decoder starts in sync: the first byte it is fed begins a frame.
 *    Garbage before the first frame therefore damages that frame only
 *    (unless the sender leads with a 0x00).
 * Nothing is acknowledged at this layer: the sender's txn-keyed resend
 * recovers a dropped frame.
 */
#ifndef WMS_DRIVERS_FRAME_H
#define WMS_DRIVERS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "wms.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Size of the CRC trailer in a frame. */
#define WMS_FRAME_CRC_LEN 4

/* CRC-32C of n bytes at buf, continuing from a previous result `crc`.
 * Start with crc = 0; wms_crc32c(wms_crc32c(0, a, na), b, nb) equals the CRC
 * of a followed by b.  The init and final xor are applied inside.  buf may be
 * NULL when n == 0.  Thread-safe (the table is static const). */
uint32_t wms_crc32c(uint32_t crc, const void *buf, size_t n);

/* Largest COBS encoding of n bytes: n + ceil(n / 254), and 1 for n == 0.
 * Returns SIZE_MAX if that does not fit in a size_t. */
size_t wms_cobs_max_encoded(size_t n);

/* COBS-encodes n bytes of `in` into `out` (cap bytes; must not overlap in).
 * No delimiter is written.  Returns the encoded length (>= 1), or
 * WMS_ETOO_LARGE if it does not fit in cap or in an int, or WMS_EBAD_ARGS for
 * NULL pointers. */
int wms_cobs_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap);

/* Decodes a COBS encoding of n bytes (without its 0x00 delimiter) into out
 * (cap bytes).  out may equal in (decoding in place); other overlaps are not
 * allowed.  Returns the decoded length, WMS_EBAD_ARGS if the input is
 * malformed (empty, a 0x00 byte inside, a code byte pointing past the end)
 * or pointers are NULL, WMS_ETOO_LARGE if the result does not fit in cap. */
int wms_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap);

/* Bytes a frame of an n-byte message can take, delimiter included: the
 * size of an output buffer for wms_frame_encode that always suffices. */
size_t wms_frame_max_encoded(size_t n);

/* Encodes one whole frame for an n-byte message (n >= 1): COBS(msg || crc)
 * followed by 0x00, into out (cap bytes, must not overlap msg).  Returns the
 * frame length, WMS_EBAD_ARGS for n == 0 or NULL pointers, WMS_ETOO_LARGE if
 * cap is too small or the frame would not fit in an int. */
int wms_frame_encode(const uint8_t *msg, size_t n, uint8_t *out, size_t cap);

/* Called once per good frame.  msg points into the decoder's buffer and is
 * valid only until the callback returns; len >= 1.  Returning non-zero stops
 * the current wms_frame_decoder_feed call, which returns that value.  The
 * callback must not feed the same decoder. */
typedef int (*wms_frame_cb)(void *ctx, const uint8_t *msg, size_t len);

/* A streaming frame decoder.  Fields are public for reading the counters;
 * change nothing but through the functions below. */
typedef struct wms_frame_decoder {
    uint8_t *buf;     /* caller's buffer: decoded bytes of the current frame */
    size_t cap;       /* its size: the largest message is cap - 4 bytes */
    size_t len;       /* decoded bytes of the current frame so far */
    uint8_t code;     /* code byte of the current COBS block; 0 = none yet */
    uint8_t left;     /* data bytes still expected in the current block */
    uint8_t skipping; /* oversize frame: dropping bytes until the next 0x00 */
    size_t consumed;  /* bytes of `data` used by the last feed call */
    uint64_t frames_ok;
    uint64_t frames_bad_crc;
    uint64_t frames_bad_cobs;
    uint64_t frames_short;
    uint64_t frames_oversize;
} wms_frame_decoder;

/* Buffer size a decoder needs to accept messages of up to max_msg bytes. */
#define WMS_FRAME_DECODER_BUF(max_msg) ((max_msg) + WMS_FRAME_CRC_LEN)

/* Prepares d to decode frames into buf (cap bytes, owned by the caller and
 * kept alive as long as d is used).  The decoder never allocates; messages
 * longer than cap - 4 bytes are dropped as oversize.  Counters start at 0.
 * Returns 0, or WMS_EBAD_ARGS if d or buf is NULL or cap < 5. */
int wms_frame_decoder_init(wms_frame_decoder *d, uint8_t *buf, size_t cap);

/* Forgets any partial frame (for example after the port was reopened); the
 * counters are kept. */
void wms_frame_decoder_reset(wms_frame_decoder *d);

/* Feeds n bytes read from the line.  Frames may be split across calls at any
 * byte.  For each good frame calls cb(ctx, msg, len) (cb may be NULL to
 * count only).  Returns 0 when all n bytes were used, or the callback's
 * non-zero value as soon as it returns one; in both cases d->consumed tells
 * how many bytes of data were used (the rest, data + consumed, can be fed
 * later).  Returns WMS_EBAD_ARGS if d is NULL or data is NULL with n > 0. */
int wms_frame_decoder_feed(wms_frame_decoder *d, const uint8_t *data, size_t n, wms_frame_cb cb,
                           void *ctx);

#ifdef __cplusplus
}
#endif
#endif /* WMS_DRIVERS_FRAME_H */
