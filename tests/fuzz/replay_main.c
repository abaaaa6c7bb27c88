/* replay_main.c - runs a fuzz target's LLVMFuzzerTestOneInput on saved
 * inputs, without libFuzzer, so the corpus and every past crash are replayed
 * by the normal test suite (gcc, plain and under ASan+UBSan).
 *
 *   fuzz_replay_<target> DIR_OR_FILE...
 *
 * Every regular file in each directory (not recursive; names starting with
 * '.' or "README" are skipped), or each file named, is read whole and run
 * once, in name order.  A directory that does not exist counts as empty (a
 * target may have no regressions yet).  Exits 0 when at least one input ran
 * and none crashed (a crash aborts the process, which fails the test); 1 on
 * a read error or when no input was found at all (a wrong path).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX_INPUT (16u << 20) /* bigger files are not fuzz inputs */

/* Reads the whole file into a malloc'd buffer of exactly its size (so ASan
 * sees reads past the end).  Returns 0, or -1 with a message printed. */
static int read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || sb.st_size < 0 || (size_t)sb.st_size > REPLAY_MAX_INPUT) {
        fprintf(stderr, "replay: %s: cannot stat or larger than %u bytes\n", path,
                REPLAY_MAX_INPUT);
        fclose(f);
        return -1;
    }
    size_t n = (size_t)sb.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (buf == NULL || (n > 0 && fread(buf, 1, n, f) != n)) {
        fprintf(stderr, "replay: %s: read failed\n", path);
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    *data = buf;
    *size = n;
    return 0;
}

/* Runs one file.  Returns 0, or -1 when it could not be read. */
static int replay_file(const char *path)
{
    uint8_t *data;
    size_t size;
    if (read_file(path, &data, &size) < 0)
        return -1;
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

static int skip_name(const char *name)
{
    return name[0] == '.' || strncmp(name, "README", 6) == 0;
}

/* Runs every regular file of `dir`; counts them in *ran.  Returns 0 or -1. */
static int replay_dir(const char *dir, long *ran)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        if (errno == ENOENT) {
            fprintf(stderr, "replay: %s: no such directory (no inputs)\n", dir);
            return 0;
        }
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat sb;
        if (rc == 0 && !skip_name(names[i]->d_name) &&
            snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) < (int)sizeof(path) &&
            stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
            if (replay_file(path) < 0)
                rc = -1;
            else
                (*ran)++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    long ran = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        int rc;
        if (stat(argv[i], &sb) == 0 && S_ISREG(sb.st_mode)) {
            rc = replay_file(argv[i]);
            ran += rc == 0;
        } else {
            rc = replay_dir(argv[i], &ran);
        }
        if (rc < 0)
            return 1;
    }
    if (ran == 0) {
        fprintf(stderr, "replay: no inputs found\n");
        return 1;
    }
    fprintf(stderr, "replay: %ld inputs ran without a finding\n", ran);
    return 0;
}
