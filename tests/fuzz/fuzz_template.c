/* fuzz_template.c -- fuzz the template loader: sc_template_load on the
 * bytes (written to a scratch file: the API takes a path).  Every problem
 * goes to diag; none may crash, leak or reach outside the file. */
#include "fuzz.h"

#include "internal.h"

static void count(void *ud, const sc_error *e)
{
    (void)e;
    ++*(int *)ud;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("template.xml", data, size);
    sc_template *tpl = NULL;
    sc_error err;
    int ndiag = 0;
    if (sc_template_load(&tpl, path, count, &ndiag, &err) == SC_OK) {
        (void)sc_template_name(tpl);
        sc_template_free(tpl);
    }
    return 0;
}
