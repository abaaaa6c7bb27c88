/* log.c - one-line log records with levels. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

int wms_log_level = WMS_LOG_INFO;

static const char *const names[] = {"error", "warn", "info", "debug"};

int wms_log_parse_level(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (name != NULL && !strcmp(name, names[i]))
            return i;
    return -1;
}

void wms_log(int level, const char *fmt, ...)
{
    if (level > wms_log_level)
        return;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char line[1024], ts[32];
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    /* One write per record so lines from a crash are whole. */
    fprintf(stderr, "%s.%03dZ %-5s %s\n", ts, (int)(tv.tv_usec / 1000), names[level], line);
}
