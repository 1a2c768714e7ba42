/* standalone.c -- runs a fuzz harness over files, without libFuzzer.
 *
 *   fuzz_NAME FILE|DIR...
 *
 * Every regular file named, and every file directly inside each DIR
 * (sorted, dot files skipped), is passed once to LLVMFuzzerTestOneInput.
 * This is how the normal (gcc) build runs each corpus as a ctest: the
 * seeds and every crash reproducer found so far must pass cleanly, under
 * ASan/UBSan too in the sanitizer build.  A crash is a crash; a run that
 * found no input at all fails, so an emptied corpus cannot pass quietly.
 */
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz: cannot open %s\n", path);
        return -1;
    }
    size_t cap = 4096, n = 0;
    unsigned char *d = malloc(cap);
    size_t got;
    while (d && (got = fread(d + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *nd = realloc(d, cap *= 2);
            if (!nd)
                free(d);
            d = nd;
        }
    }
    fclose(f);
    if (!d) {
        fprintf(stderr, "fuzz: out of memory reading %s\n", path);
        return -1;
    }
    /* An exact-size copy, so ASan catches a harness reading past it. */
    unsigned char *exact = malloc(n ? n : 1);
    if (!exact) {
        free(d);
        return -1;
    }
    memcpy(exact, d, n);
    free(d);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, int *count)
{
    DIR *dp = opendir(dir);
    if (!dp) {
        fprintf(stderr, "fuzz: cannot open directory %s\n", dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **nn = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *nn);
            if (!nn)
                abort();
            names = nn;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(dp);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char path[8192];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(path))
                rc = -1;
            else
                ++*count;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    LLVMFuzzerInitialize(&argc, &argv);
    int count = 0, rc = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st)) {
            fprintf(stderr, "fuzz: no such file or directory: %s\n", argv[i]);
            rc = 1;
        } else if (S_ISDIR(st.st_mode)) {
            if (run_dir(argv[i], &count))
                rc = 1;
        } else if (run_file(argv[i])) {
            rc = 1;
        } else {
            count++;
        }
    }
    printf("fuzz: %d inputs ran cleanly\n", count);
    if (count == 0) {
        fprintf(stderr, "fuzz: no input found\n");
        return 1;
    }
    return rc;
}
