/* helpers.c - shared test helpers. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void th_mkdtemp(char *out, size_t n, const char *tag)
{
    const char *base = getenv("WMS_TMP");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    mkdir(base, 0755);
    int len = snprintf(out, n, "%s/%s-XXXXXX", base, tag);
    assert_true(len > 0 && (size_t)len < n);
    assert_non_null(mkdtemp(out));
}

void th_write_file(const char *dir, const char *name, const char *text, char *out, size_t n)
{
    int len = snprintf(out, n, "%s/%s", dir, name);
    assert_true(len > 0 && (size_t)len < n);
    FILE *f = fopen(out, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

int th_run(char **out, const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    assert_true(len > 0 && (size_t)len < sizeof(cmd));
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 4096, used = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + used, 1, cap - used - 1, p)) > 0) {
        used += got;
        if (cap - used < 2) {
            cap *= 2;
            assert_true(cap < (64u << 20));
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    buf[used] = '\0';
    int st = pclose(p);
    if (out != NULL)
        *out = buf;
    else
        free(buf);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}
