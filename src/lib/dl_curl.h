/* dl_curl.h -- libcurl, loaded when mail is first sent (dl.h). */
#ifndef SC_DL_CURL_H
#define SC_DL_CURL_H

#include "dl.h"
#include "internal.h"

#include <curl/curl.h>

/* sc_curl_load (internal.h) loads the library; these are its functions. */
SC_DL_DECLARE(curl_easy_cleanup);
SC_DL_DECLARE(curl_easy_getinfo);
SC_DL_DECLARE(curl_easy_init);
SC_DL_DECLARE(curl_easy_perform);
SC_DL_DECLARE(curl_easy_setopt);
SC_DL_DECLARE(curl_easy_strerror);
SC_DL_DECLARE(curl_free);
SC_DL_DECLARE(curl_global_init);
SC_DL_DECLARE(curl_slist_append);
SC_DL_DECLARE(curl_slist_free_all);
SC_DL_DECLARE(curl_url);
SC_DL_DECLARE(curl_url_cleanup);
SC_DL_DECLARE(curl_url_get);
SC_DL_DECLARE(curl_url_set);

#endif
