/* error.c - the error code list: names, messages, and wms_error helpers. */
#include "wms.h"

#include <stdio.h>
#include <string.h>

const char *wms_err_name(int code)
{
    switch (code) {
    case 0:
        return "OK";
#define X__(name, msg)                                                                             \
    case WMS_E##name:                                                                              \
        return #name;
        WMS_ERRNO_MAP(X__)
#undef X__
    default:
        return "UNKNOWN_ERROR";
    }
}

const char *wms_strerror(int code)
{
    switch (code) {
    case 0:
        return "success";
#define X__(name, msg)                                                                             \
    case WMS_E##name:                                                                              \
        return msg;
        WMS_ERRNO_MAP(X__)
#undef X__
    default:
        return "unknown error";
    }
}

int wms_error_set(wms_error *err, int code, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    if (fmt == NULL || fmt[0] == '\0') {
        snprintf(err->msg, sizeof(err->msg), "%s", wms_strerror(code));
        return code;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

void wms_error_clear(wms_error *err)
{
    if (err != NULL) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}

void wms_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}
