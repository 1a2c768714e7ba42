/* dl_icu.c -- ICU collation's table (dl.h). */
#include "dl_icu.h"

SC_DL_DEFINE(ucol_close);
SC_DL_DEFINE(ucol_open);
SC_DL_DEFINE(ucol_strcollUTF8);

static const sc_dl_sym syms[] = {
    SC_DL_SYM(ucol_close),
    SC_DL_SYM(ucol_open),
    SC_DL_SYM(ucol_strcollUTF8),
};

static sc_dl_lib lib = SC_DL_LIB(SC_SONAME_ICU, SC_PACKAGE_ICU,
                                 "sorting by name (--sort name)", syms);

sc_status sc_icu_load(sc_error *err)
{
    return sc_dl_load(&lib) ? SC_OK
                            : sc_error_set(err, SC_ERR_LIBRARY, NULL, 0, 0, "%s", lib.why);
}
