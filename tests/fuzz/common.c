/* common.c -- scratch files for the fuzz harnesses (see fuzz.h).
 *
 * Harnesses run millions of inputs in one process, so the scratch
 * directory is made once and its few files are overwritten per input;
 * nothing is left behind on a normal exit.  A crash does leave it (with
 * the crashing input inside, which is handy). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILES 16

static char dir[4096];
static char names[MAX_FILES][64];
static int nnames;
static char path[4096 + 80];

static void cleanup(void)
{
    char p[sizeof dir + sizeof names[0] + 1024];
    for (int i = 0; i < nnames; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    if (dir[0])
        rmdir(dir);
}

const char *fuzz_path(const char *name)
{
    if (!dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/scfuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(cleanup);
    }
    int known = 0;
    for (int i = 0; i < nnames; i++)
        known |= !strcmp(names[i], name);
    if (!known) {
        if (nnames == MAX_FILES || strlen(name) >= sizeof names[0])
            abort();
        strcpy(names[nnames++], name);
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

const char *fuzz_write(const char *name, const void *data, size_t n)
{
    const char *p = fuzz_path(name);
    FILE *f = fopen(p, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f)) {
        perror("fuzz: cannot write scratch file");
        abort();
    }
    return p;
}
