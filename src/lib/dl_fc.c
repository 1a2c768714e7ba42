/* dl_fc.c -- fontconfig's table (dl.h). */
#include "dl_fc.h"

SC_DL_DEFINE(FcConfigSubstitute);
SC_DL_DEFINE(FcDefaultSubstitute);
SC_DL_DEFINE(FcFontMatch);
SC_DL_DEFINE(FcPatternAddString);
SC_DL_DEFINE(FcPatternCreate);
SC_DL_DEFINE(FcPatternDestroy);
SC_DL_DEFINE(FcPatternGetInteger);
SC_DL_DEFINE(FcPatternGetString);
SC_DL_DEFINE(FcStrCmpIgnoreCase);

static const sc_dl_sym syms[] = {
    SC_DL_SYM(FcConfigSubstitute),
    SC_DL_SYM(FcDefaultSubstitute),
    SC_DL_SYM(FcFontMatch),
    SC_DL_SYM(FcPatternAddString),
    SC_DL_SYM(FcPatternCreate),
    SC_DL_SYM(FcPatternDestroy),
    SC_DL_SYM(FcPatternGetInteger),
    SC_DL_SYM(FcPatternGetString),
    SC_DL_SYM(FcStrCmpIgnoreCase),
};

static sc_dl_lib lib = SC_DL_LIB(SC_SONAME_FONTCONFIG, SC_PACKAGE_FONTCONFIG,
                                 "finding a font of the map by its family (its file is not there)",
                                 syms);

sc_status sc_fc_load(sc_error *err)
{
    return sc_dl_load(&lib) ? SC_OK
                            : sc_error_set(err, SC_ERR_LIBRARY, NULL, 0, 0, "%s", lib.why);
}

const char *sc_fc_unavailable(void)
{
    if (!atomic_load_explicit(&lib.tried, memory_order_acquire) || lib.loaded)
        return NULL;
    return lib.why;
}
