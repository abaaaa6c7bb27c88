/*
 * mpguard.h - a bounds guard in front of msgpack-c's unpacker.
 *
 * msgpack-c trusts the counts and lengths it reads: `dd ff 00 00 00` (an
 * array32 header claiming 4278190080 elements) makes it try to allocate about
 * 96 GB before a single element has arrived (msgpack-c issue #1013).  Every
 * byte from a handheld is untrusted, so the server first runs wms_mp_scan on
 * the raw bytes and hands them to msgpack-c only when the scan says a whole
 * message within the limits is present.
 *
 * wms_mp_scan walks the MessagePack encoding of one message at the front of
 * a buffer without allocating, with an explicit stack (no recursion).  It
 * accepts every format of the MessagePack specification:
 *
 *     00-7f positive fixint   80-8f fixmap      90-9f fixarray   a0-bf fixstr
 *     c0 nil   c1 (never used: invalid)   c2 false   c3 true
 *     c4-c6 bin 8/16/32       c7-c9 ext 8/16/32  ca-cb float 32/64
 *     cc-cf uint 8..64        d0-d3 int 8..64    d4-d8 fixext 1/2/4/8/16
 *     d9-db str 8/16/32       dc-dd array 16/32  de-df map 16/32
 *     e0-ff negative fixint
 *
 * Limits are checked as early as the bytes allow: a declared count or length
 * is judged as soon as its leading bytes are present (a big-endian prefix is
 * already a lower bound), and a container or payload that could not fit in
 * what remains of max_bytes - every pending element needs at least one byte,
 * every map entry two - is refused before its bytes arrive.  So a hostile
 * header costs the server a few bytes of reading, never memory.
 *
 * Definitions used by the limits:
 *  - depth: the number of containers (arrays/maps, empty ones included)
 *    enclosing a value plus one for a container itself; a top-level array is
 *    at depth 1, a scalar message at depth 0.
 *  - elements of a map: its key/value pairs (a map16 of 3 entries has 3).
 *  - str/bin/ext length: the payload bytes (for ext, excluding the type byte;
 *    fixext payloads count too).
 *  - objects: every value, containers and keys included.
 */
#ifndef WMS_HANDHELD_MPGUARD_H
#define WMS_HANDHELD_MPGUARD_H

#include <stddef.h>
#include <stdint.h>

#include "wms.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The scanner's stack is a fixed array of this many levels; a larger
 * max_depth acts as this.  Note msgpack-c itself refuses more than 32 nested
 * non-empty containers (MSGPACK_EMBED_STACK_SIZE), so limits above 32 let
 * through messages msgpack-c then fails to unpack. */
#define WMS_MP_DEPTH_CAP 64

typedef struct wms_mp_limits {
    size_t max_bytes;         /* whole message, bytes (default 1 MiB) */
    size_t max_depth;         /* nesting of containers (default 16, cap 64) */
    size_t max_container;     /* elements of one array / entries of one map (4096) */
    size_t max_str;           /* bytes of one str, bin or ext payload (64 KiB) */
    size_t max_total_objects; /* values in the whole message (65536) */
} wms_mp_limits;

/* Fills lim with the defaults above. */
void wms_mp_limits_default(wms_mp_limits *lim);

/* Scans the one MessagePack message that starts at buf[0] (n bytes present;
 * bytes after the message are not looked at).  lim may be NULL for the
 * defaults.  Returns:
 *    1  a whole message within the limits is present: its length in *msg_len
 *    0  the n bytes are a valid prefix within the limits; more are needed
 *       (*msg_len is set to 0)
 *   WMS_EBAD_ARGS   the bytes are not MessagePack (the byte 0xc1), or a NULL
 *                   argument (buf may be NULL when n == 0)
 *   WMS_ETOO_LARGE  a limit is or must be exceeded; err names the limit, the
 *                   offending value and its offset
 * err may be NULL and is only written on failure.  The scan is stateless and
 * O(n); for a message that arrives in pieces use a wms_mp_scanner, which
 * resumes where it stopped instead of starting over. */
int wms_mp_scan(const uint8_t *buf, size_t n, const wms_mp_limits *lim, size_t *msg_len,
                wms_error *err);

/*
 * A resumable scan of one message that arrives in pieces.  wms_mp_scan on
 * every read would walk the message from its first byte each time: O(n^2)
 * for a message dripped byte by byte (a 1 MiB message of small values, one
 * byte per read, is ~10^11 steps).  The scanner keeps the walk's state (the
 * offset of the first value not yet complete, the open containers and the
 * counts the limits need) across feeds, so each feed looks only at the
 * value that was incomplete and at what follows: O(n) in all.
 *
 * Use: wms_mp_scanner_init, then wms_mp_feed(sc, buf, n, ...) after each
 * read, where buf[0] is always the message's first byte and n is every
 * byte present so far (n never less than in the previous feed; the buffer
 * may move between feeds).  Every feed returns exactly what wms_mp_scan(buf,
 * n) would (the same code, *msg_len and error message), every limit checked
 * as early.  Once a feed returns 1 or an error the scan is over: later
 * feeds repeat the result (an error without its message); init again for
 * the next message.  The struct is self-contained (no pointers): it may be
 * copied, e.g. from the stack to the heap when a message stays incomplete.
 */
typedef struct wms_mp_scanner {
    wms_mp_limits lim;
    size_t pos;                      /* offset of the first value not yet complete */
    size_t depth;                    /* open containers */
    size_t fed;                      /* n of the last feed */
    uint64_t pending;                /* values not yet started (sum of left[], +1 at top) */
    uint64_t objects;                /* values started */
    uint64_t left[WMS_MP_DEPTH_CAP]; /* values still to come in each open container */
    int result;                      /* 0 while scanning, then 1 or the error code */
    uint64_t steps;                  /* work done: value headers examined, re-examinations of an
                                      * incomplete one included (tests: linear, not quadratic) */
} wms_mp_scanner;

/* Starts a scan with `lim` (copied; NULL for the defaults). */
void wms_mp_scanner_init(wms_mp_scanner *sc, const wms_mp_limits *lim);

/* Feeds the n bytes present so far (see above).  Returns 1, 0 or an error
 * as wms_mp_scan; also WMS_EBAD_ARGS for a NULL argument or an n smaller
 * than the previous feed's. */
int wms_mp_feed(wms_mp_scanner *sc, const uint8_t *buf, size_t n, size_t *msg_len, wms_error *err);

#ifdef __cplusplus
}
#endif
#endif /* WMS_HANDHELD_MPGUARD_H */
