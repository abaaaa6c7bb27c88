/* helpers.h - shared test helpers (temporary directories, running wmsctl). */
#ifndef WMS_TEST_HELPERS_H
#define WMS_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Makes a fresh empty directory under $WMS_TMP (or /tmp) and writes its path
 * into `out` (size `n`).  Aborts the test on failure. */
void th_mkdtemp(char *out, size_t n, const char *tag);
/* Writes `text` to `dir/name`, and the full path to `out`. */
void th_write_file(const char *dir, const char *name, const char *text, char *out, size_t n);
/* Runs a shell command, capturing stdout into a malloc'd string (caller
 * frees) and returning the exit status. */
int th_run(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
