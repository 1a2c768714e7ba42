/* dl_icu.c -- ICU collation's table (dl.h). */
#include "dl_icu.h"

#include <pthread.h>

SC_DL_DEFINE(ucol_close);
SC_DL_DEFINE(ucol_open);
SC_DL_DEFINE(ucol_strcollUTF8);

static const sc_dl_sym syms[] = {
    SC_DL_SYM(ucol_close),
    SC_DL_SYM(ucol_open),
    SC_DL_SYM(ucol_strcollUTF8),
};

static sc_dl_lib lib = {SC_SONAME_ICU, SC_PACKAGE_ICU, "sorting by name (--sort name)",
                        syms, sizeof syms / sizeof *syms, 0, ""};
static pthread_once_t once = PTHREAD_ONCE_INIT;
static void load(void) { sc_dl_load(&lib); }

sc_status sc_icu_load(sc_error *err)
{
    pthread_once(&once, load);
    if (!lib.loaded)
        return sc_error_set(err, SC_ERR_LIBRARY, NULL, 0, 0, "%s", lib.why);
    return SC_OK;
}
