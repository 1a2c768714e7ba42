/* dl_curl.c -- libcurl's table (dl.h). */
#include "dl_curl.h"

SC_DL_DEFINE(curl_easy_cleanup);
SC_DL_DEFINE(curl_easy_getinfo);
SC_DL_DEFINE(curl_easy_init);
SC_DL_DEFINE(curl_easy_perform);
SC_DL_DEFINE(curl_easy_setopt);
SC_DL_DEFINE(curl_easy_strerror);
SC_DL_DEFINE(curl_free);
SC_DL_DEFINE(curl_global_init);
SC_DL_DEFINE(curl_slist_append);
SC_DL_DEFINE(curl_slist_free_all);
SC_DL_DEFINE(curl_url);
SC_DL_DEFINE(curl_url_cleanup);
SC_DL_DEFINE(curl_url_get);
SC_DL_DEFINE(curl_url_set);

static const sc_dl_sym syms[] = {
    SC_DL_SYM(curl_easy_cleanup),  SC_DL_SYM(curl_easy_getinfo),
    SC_DL_SYM(curl_easy_init),     SC_DL_SYM(curl_easy_perform),
    SC_DL_SYM(curl_easy_setopt),   SC_DL_SYM(curl_easy_strerror),
    SC_DL_SYM(curl_free),          SC_DL_SYM(curl_global_init),
    SC_DL_SYM(curl_slist_append),  SC_DL_SYM(curl_slist_free_all),
    SC_DL_SYM(curl_url),           SC_DL_SYM(curl_url_cleanup),
    SC_DL_SYM(curl_url_get),       SC_DL_SYM(curl_url_set),
};

static sc_dl_lib lib = SC_DL_LIB(SC_SONAME_CURL, SC_PACKAGE_CURL,
                                 "sending mail", syms);

sc_status sc_curl_load(sc_error *err)
{
    return sc_dl_load(&lib) ? SC_OK
                            : sc_error_set(err, SC_ERR_LIBRARY, NULL, 0, 0, "%s", lib.why);
}
