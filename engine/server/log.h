/* log.h - one-line log records with levels, to stderr. */
#ifndef WMS_SERVER_LOG_H
#define WMS_SERVER_LOG_H

enum { WMS_LOG_ERROR = 0, WMS_LOG_WARN = 1, WMS_LOG_INFO = 2, WMS_LOG_DEBUG = 3 };

extern int wms_log_level;

/* "error", "warn", "info", "debug" -> level, or -1. */
int wms_log_parse_level(const char *name);
/* Writes "2026-11-23T10:00:00.123Z LEVEL text" when level <= wms_log_level. */
void wms_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
