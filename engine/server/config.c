/*
 * config.c - wmsd's config file: "key = value" lines, '#' comments.
 *
 *   listen = 127.0.0.1:7400        db = /var/lib/wms/wms.db
 *   serial = /dev/ttyUSB0@115200   (repeatable)
 *   max_message = 1048576          max_connections = 20000
 *   idle_timeout = 1800            max_queued = 4194304
 *   max_buffered = 268435456       (all connections together)
 *   txn_keep_hours = 36            receiving_bin = DOCK-01
 *   max_batch = 2048               log_level = info
 */
#include "config_impl.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_STR_MAX 24
#define CONFIG_LINE_MAX 1024

/* Strings from the file live here for the life of the process. */
static char strings[CONFIG_STR_MAX][256];
static int nstrings;

static const char *keep(const char *v)
{
    if (nstrings >= CONFIG_STR_MAX)
        return NULL;
    snprintf(strings[nstrings], sizeof(strings[0]), "%s", v);
    return strings[nstrings++];
}

static int num(const char *v, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end || x < min || x > max)
        return -1;
    *out = x;
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

int wms_server_config_load(const char *path, wms_server_opts *o, wms_error *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return wms_error_set(err, WMS_EIO, "cannot read config %s", path);
    char line[CONFIG_LINE_MAX];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *l = trim(line);
        if (*l == '\0')
            continue;
        char *eq = strchr(l, '=');
        if (eq == NULL) {
            rc = wms_error_set(err, WMS_EBAD_ARGS, "%s:%d: expected key = value", path, lineno);
            break;
        }
        *eq = '\0';
        char *k = trim(l), *v = trim(eq + 1);
        long long x = 0;
        const char *sv = NULL;
        int bad = 0;
        if (!strcmp(k, "listen"))
            bad = (sv = o->listen = keep(v)) == NULL;
        else if (!strcmp(k, "db"))
            bad = (sv = o->db_path = keep(v)) == NULL;
        else if (!strcmp(k, "receiving_bin"))
            bad = (sv = o->receiving_bin = keep(v)) == NULL;
        else if (!strcmp(k, "serial")) {
            bad = o->n_serial >= WMS_SERVER_MAX_SERIAL || (sv = keep(v)) == NULL;
            if (!bad)
                o->serial[o->n_serial++] = sv;
        } else if (!strcmp(k, "max_message"))
            bad = num(v, 1024, 64 << 20, &x) || !(o->max_message = (size_t)x);
        else if (!strcmp(k, "max_connections"))
            bad = num(v, 1, 1000000, &x) || !(o->max_connections = (int)x);
        else if (!strcmp(k, "idle_timeout"))
            bad = num(v, 1, 7 * 86400, &x) || !(o->idle_timeout_s = (int)x);
        else if (!strcmp(k, "max_queued"))
            bad = num(v, 4096, 1LL << 30, &x) || !(o->max_queued = (size_t)x);
        else if (!strcmp(k, "max_buffered"))
            bad = num(v, 65536, 1LL << 40, &x) || !(o->max_buffered = (size_t)x);
        else if (!strcmp(k, "txn_keep_hours"))
            bad = num(v, 24, 24 * 365, &x) || !(o->txn_keep_hours = (int)x);
        else if (!strcmp(k, "max_batch"))
            bad = num(v, 1, 100000, &x) || !(o->max_batch = (int)x);
        else if (!strcmp(k, "log_level")) {
            int level = wms_log_parse_level(v);
            bad = level < 0;
            if (!bad)
                wms_log_level = level;
        } else {
            rc = wms_error_set(err, WMS_EBAD_ARGS, "%s:%d: unknown key '%s'", path, lineno, k);
            break;
        }
        if (bad) {
            rc = wms_error_set(err, WMS_EBAD_ARGS, "%s:%d: bad value '%s' for %s", path, lineno, v,
                               k);
            break;
        }
    }
    fclose(f);
    return rc;
}
