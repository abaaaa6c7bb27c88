/*
 * wmsd - the warehouse engine server (a thin front end on wms_server).
 *
 *   wmsd --db PATH --listen 127.0.0.1:7400 [--serial /dev/ttyUSB0@115200 ...]
 *        [--config FILE] [--log-level info] [--max-connections N]
 */
#include "server.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: wmsd [--db PATH] [--listen HOST:PORT] [--serial DEV[@BAUD]]... [--config FILE]\n"
    "            [--log-level error|warn|info|debug] [--max-connections N]\n"
    "            [--idle-timeout S] [--receiving-bin BIN]\n";

int main(int argc, char **argv)
{
    wms_server_opts o;
    wms_server_opts_default(&o);
    wms_error err;
    wms_error_clear(&err);
    /* The config file first, so that the command line overrides it. */
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--config") && wms_server_config_load(argv[i + 1], &o, &err) < 0) {
            fprintf(stderr, "wmsd: %s\n", err.msg);
            return 2;
        }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help")) {
            fputs(usage, stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "wmsd: %s needs a value\n%s", a, usage);
            return 2;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--db"))
            o.db_path = v;
        else if (!strcmp(a, "--listen"))
            o.listen = v;
        else if (!strcmp(a, "--serial") && o.n_serial < WMS_SERVER_MAX_SERIAL)
            o.serial[o.n_serial++] = v;
        else if (!strcmp(a, "--config"))
            continue;
        else if (!strcmp(a, "--receiving-bin"))
            o.receiving_bin = v;
        else if (!strcmp(a, "--log-level") && wms_log_parse_level(v) >= 0)
            wms_log_level = wms_log_parse_level(v);
        else if (!strcmp(a, "--max-connections") && atoi(v) > 0)
            o.max_connections = atoi(v);
        else if (!strcmp(a, "--idle-timeout") && atoi(v) > 0)
            o.idle_timeout_s = atoi(v);
        else {
            fprintf(stderr, "wmsd: bad option %s %s\n%s", a, v, usage);
            return 2;
        }
    }
    if (wms_server_run(&o, &err) < 0) {
        fprintf(stderr, "wmsd: %s: %s\n", wms_err_name(err.code), err.msg);
        return 1;
    }
    return 0;
}
