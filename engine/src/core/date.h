/* date.h - calendar dates as YYYY-MM-DD strings (pure). */
#ifndef WMS_CORE_DATE_H
#define WMS_CORE_DATE_H

/* Days in month m (1-12) of year y, 0 for a bad month. */
int wms_days_in_month(int y, int m);
/* Parses a real calendar date YYYY-MM-DD (year >= 1900); 0 or -1. */
int wms_date_parse(const char *s, int *y, int *m, int *d);
/* 1 when s is a real calendar date YYYY-MM-DD. */
int wms_date_valid(const char *s);
/* Days since 1970-01-01. */
long wms_date_days(int y, int m, int d);
/* a - b in days (0 when either is not a date). */
long wms_date_diff(const char *a, const char *b);

#endif
