/* tcp.h - the TCP transport: a libuv listener feeding a wms_sink. */
#ifndef WMS_DRIVERS_TCP_H
#define WMS_DRIVERS_TCP_H

#include "transport.h"

#include <uv.h>

typedef struct wms_tcp_server wms_tcp_server;

/* Listens on `addr` ("host:port", IPv4 or [IPv6]:port) in `loop`; each
 * accepted connection becomes a wms_conn given to `sink` (see transport.h).
 * `sink` and `limits` are copied.  Errors: WMS_EBAD_ARGS (bad address),
 * WMS_EIO (cannot bind/listen: the message says why, e.g. address in use). */
int wms_tcp_listen(uv_loop_t *loop, const char *addr, const wms_sink *sink,
                   const wms_transport_limits *limits, wms_tcp_server **out, wms_error *err);
/* Stops listening (existing connections stay until closed); frees the
 * listener once libuv has closed it. */
void wms_tcp_close(wms_tcp_server *t);
/* The port actually bound (useful with port 0). */
int wms_tcp_port(const wms_tcp_server *t);

#endif
