/* dl_curl.c -- libcurl's table (dl.h). */
#include "dl_curl.h"

#include <pthread.h>

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

static sc_dl_lib lib = {SC_SONAME_CURL, SC_PACKAGE_CURL, "sending mail", syms,
                        sizeof syms / sizeof *syms, 0, ""};
static pthread_once_t once = PTHREAD_ONCE_INIT;
static void load(void) { sc_dl_load(&lib); }

sc_status sc_curl_load(sc_error *err)
{
    pthread_once(&once, load);
    if (!lib.loaded)
        return sc_error_set(err, SC_ERR_LIBRARY, NULL, 0, 0, "%s", lib.why);
    return SC_OK;
}
