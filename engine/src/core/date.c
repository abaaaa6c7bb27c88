/* date.c - calendar dates as YYYY-MM-DD strings. */
#include "core/date.h"

#include <stdio.h>
#include <string.h>

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int wms_days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

int wms_date_parse(const char *s, int *y, int *m, int *d)
{
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int yy = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int mm = (s[5] - '0') * 10 + (s[6] - '0');
    int dd = (s[8] - '0') * 10 + (s[9] - '0');
    if (yy < 1900 || mm < 1 || mm > 12 || dd < 1 || dd > wms_days_in_month(yy, mm))
        return -1;
    if (y)
        *y = yy;
    if (m)
        *m = mm;
    if (d)
        *d = dd;
    return 0;
}

int wms_date_valid(const char *s)
{
    return wms_date_parse(s, NULL, NULL, NULL) == 0;
}

/* Days since 1970-01-01 (proleptic Gregorian; Howard Hinnant's algorithm). */
long wms_date_days(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

long wms_date_diff(const char *a, const char *b)
{
    int ya, ma, da, yb, mb, db;
    if (wms_date_parse(a, &ya, &ma, &da) < 0 || wms_date_parse(b, &yb, &mb, &db) < 0)
        return 0;
    return wms_date_days(ya, ma, da) - wms_date_days(yb, mb, db);
}
