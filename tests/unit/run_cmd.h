/* run_cmd.h -- run a shell command from a test and collect its output:
 * shared by the tests that check PDFs with poppler, qpdf and fontTools. */
#ifndef SC_TEST_RUN_CMD_H
#define SC_TEST_RUN_CMD_H

#include <stdio.h>
#include <sys/wait.h>

#include "internal.h"

/* Run cmd, return its stdout (malloc'd; sc_free) and its exit status
 * (255 if it did not exit normally). */
static char *run(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    sc_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        sc_buf_append(&b, chunk, n);
    int st = pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
    return b.data ? b.data : sc_strdup("");
}

#endif
