/*
 * server.h - wmsd: one libuv loop owning the SQLite connection, serving the
 * handheld protocol over TCP and serial lines.
 *
 * Group commit: requests decoded while the loop runs are queued; each batch
 * runs inside one write transaction, every request under its own savepoint
 * (a failing request rolls back only itself); the COMMIT (and its fsync)
 * runs on a worker thread while the loop goes on reading; only after it
 * succeeds do the batch's responses go out.  Nothing is acknowledged before
 * it is durable.  PIN checks (argon2id) also run on the worker pool.
 */
#ifndef WMS_SERVER_H
#define WMS_SERVER_H

#include "wms.h"

#include <stddef.h>

#define WMS_SERVER_MAX_SERIAL 16

typedef struct wms_server_opts {
    const char *db_path;
    const char *listen; /* "127.0.0.1:7400"; NULL or "" = no TCP */
    const char *serial[WMS_SERVER_MAX_SERIAL];
    int n_serial;
    size_t max_message;        /* bytes (default 1 MiB) */
    int max_connections;       /* default 20000 */
    int idle_timeout_s;        /* default 1800 */
    size_t max_queued;         /* per-connection output cap (default 4 MiB) */
    size_t max_buffered;       /* all connections together: input being assembled, requests
                                * waiting, responses prepared and queued (256 MiB) */
    int txn_keep_hours;        /* >= 24 (default 36) */
    const char *receiving_bin; /* default bin for receive.scan */
    int max_batch;             /* most requests in one commit (default 2048) */
} wms_server_opts;

/* Fills defaults. */
void wms_server_opts_default(wms_server_opts *o);
/* Reads "key = value" lines from a config file into o (strings are kept in
 * static storage owned by the config module).  Unknown keys are an error. */
int wms_server_config_load(const char *path, wms_server_opts *o, wms_error *err);

/* Runs the server until SIGINT/SIGTERM.  Returns 0 after a clean shutdown,
 * or an error (database unusable, port taken) with a message in err. */
int wms_server_run(const wms_server_opts *o, wms_error *err);

#endif
