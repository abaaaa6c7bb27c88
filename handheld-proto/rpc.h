/*
 * rpc.h - MessagePack-RPC messages of the handheld protocol (v1).
 *
 * Wire format (see PROTOCOL.md and ../shared/handheld-protocol-v1.md):
 *   request       [0, msgid, method, [args]]   args: one map with string keys
 *   response      [1, msgid, error, result]    exactly one of error/result nil
 *   notification  [2, method, [map]]           server -> client
 * error = {"code": "UPPER_SNAKE", "message": "sentence", ...details}.
 *
 * Messages reach this module only after wms_mp_scan (mpguard.h) has bounded
 * their size, depth and container counts, so msgpack-c never sees a length
 * it would try to allocate blindly.  Strings from the network are copied
 * into fixed buffers with their length, NUL bytes and UTF-8 checked.
 *
 * An "outcome" is the stored answer to a call: the msgpack array
 * [error, result].  A response is built from it by prefixing 0x94 0x01
 * msgid, so a replayed outcome is byte-identical to the first answer.
 */
#ifndef WMS_PROTO_RPC_H
#define WMS_PROTO_RPC_H

#include "wms.h"

#include <msgpack.h>

#define WMS_RPC_METHOD_MAX 32
#define WMS_RPC_STR_MAX 512 /* longest string argument */

typedef struct wms_rpc_req {
    uint32_t msgid;
    int has_msgid; /* msgid could be read (so an error can be answered) */
    char method[WMS_RPC_METHOD_MAX + 1];
    const msgpack_object *args; /* a map (possibly empty); owned by the zone */
} wms_rpc_req;

/* Decodes one whole request of n bytes into `out`, objects allocated in
 * `zone` (caller-owned, valid while `out` is used).  Errors: WMS_EBAD_FRAME
 * when it is not MessagePack or not a request of the right shape (message
 * says why); WMS_EBAD_ARGS when the args are not one map. */
int wms_rpc_decode(const uint8_t *msg, size_t n, msgpack_zone *zone, wms_rpc_req *out,
                   wms_error *err);

/* Argument access.  Each returns 1 when the key is present and valid, 0
 * when absent (and not required), or WMS_EBAD_ARGS naming the key. */
int wms_arg_str(const msgpack_object *args, const char *key, int required, char *buf, size_t cap,
                wms_error *err);
int wms_arg_int(const msgpack_object *args, const char *key, int required, int64_t min, int64_t max,
                int64_t *out, wms_error *err);
int wms_arg_bool(const msgpack_object *args, const char *key, int required, int *out,
                 wms_error *err);
/* The array under `key` (absent: 0 and *out NULL). */
int wms_arg_array(const msgpack_object *args, const char *key, int required, size_t max_items,
                  const msgpack_object **out, wms_error *err);
/* Value of `key` in a map, or NULL. */
const msgpack_object *wms_arg_get(const msgpack_object *map, const char *key);

/* Packing helpers. */
void wms_pack_str(msgpack_packer *pk, const char *s);
void wms_pack_kv_str(msgpack_packer *pk, const char *key, const char *val);
void wms_pack_kv_int(msgpack_packer *pk, const char *key, int64_t val);
void wms_pack_kv_bool(msgpack_packer *pk, const char *key, int val);
/* An error map {"code", "message"}. */
void wms_pack_error(msgpack_packer *pk, int code, const char *message);

/* Writes the outcome [error, nil] for an error into `out` (cleared first). */
void wms_outcome_error(msgpack_sbuffer *out, int code, const char *message);
/* Builds the response for `msgid` from an outcome blob into `out`
 * (cleared first).  Returns 0, or WMS_EBAD_ARGS when blob is not [x, y]. */
int wms_response_from_outcome(uint32_t msgid, const uint8_t *blob, size_t n, msgpack_sbuffer *out);
/* A notification [2, method, [map]] whose map is the given packed bytes. */
int wms_notification(const char *method, const uint8_t *map, size_t n, msgpack_sbuffer *out);

#endif
