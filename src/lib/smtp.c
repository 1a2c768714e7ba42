/* smtp.c -- handing messages to an SMTP server, through libcurl.
 *
 * One curl handle for the run: libcurl keeps the connection open after a
 * message and the next one goes through it (no new TCP, TLS and AUTH per
 * employee).  After a failed transaction libcurl closes the connection and
 * the next message opens a new one.
 *
 * Security: smtps:// is TLS from the first byte; smtp:// must upgrade with
 * STARTTLS (CURLUSESSL_ALL: a server that does not offer it is refused,
 * never talked to in clear), unless the host is the machine itself
 * (127.0.0.0/8, ::1, localhost), where STARTTLS is used if offered.  The
 * certificate is always verified (ca_file, else the system's).  A login
 * and password in the URL are refused: the URL is on the command line.
 * The AUTH password is handed to libcurl only; libcurl's trace, which we
 * need for the server's reply lines, is read for the server's side alone
 * (CURLINFO_HEADER_IN), never for what we send (that holds AUTH).
 *
 * Replies (RFC 5321): 2xx accepted; 4xx "try again later" -- the message
 * is tried again after a wait that doubles each time (greylisting,
 * throttling), as is a lost connection; 5xx refuses the message for good
 * and the batch goes on with the next employee.  What would fail every
 * message alike -- the server unreachable after all the tries, TLS or its
 * certificate, AUTH, the sender refused -- makes the connection "down":
 * the caller stops sending and reports the rest as not sent, so that a
 * rerun sends them.
 *
 * Pacing: interval_ms between the starts of two transactions (a
 * provider's per-minute limit), kept with the monotonic clock. */
#include "internal.h"

#include "dl_curl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define REPLY_MAX 400

struct sc_smtp {
    CURL *curl;
    struct curl_slist *rcpt;
    char reply[REPLY_MAX];       /* the server's last reply line */
    char refusal[REPLY_MAX];     /* its first 4xx/5xx line of the attempt */
    char errbuf[CURL_ERROR_SIZE];
    const unsigned char *msg;    /* the message being uploaded */
    size_t len, pos;
    long long last_ns;           /* start of the last transaction, or 0 */
    int interval_ms, tries, wait_ms;
    char down[512];              /* why no message can go any more */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;
static void curl_init(void) { curl_init_rc = sym_curl_global_init(CURL_GLOBAL_DEFAULT); }

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ns(long long ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL)};
    while (ns > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* The server's lines, as libcurl's trace shows them; nothing of ours. */
static int on_trace(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
    (void)h;
    sc_smtp *s = ud;
    if (type != CURLINFO_HEADER_IN)
        return 0;
    size_t n = size < REPLY_MAX - 1 ? size : REPLY_MAX - 1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c == '\r' || c == '\n')
            break;
        s->reply[k++] = c < 0x20 || c == 0x7F ? ' ' : (char)c;
    }
    s->reply[k] = '\0';
    /* the reply that failed the transaction, not the "221 Bye" after it */
    if (!s->refusal[0] && (s->reply[0] == '4' || s->reply[0] == '5'))
        memcpy(s->refusal, s->reply, k + 1);
    return 0;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *ud)
{
    sc_smtp *s = ud;
    size_t room = size * nitems, left = s->len - s->pos;
    size_t n = left < room ? left : room;
    memcpy(buf, s->msg + s->pos, n);
    s->pos += n;
    return n;
}

static int loopback(const char *host)
{
    char h[256];
    snprintf(h, sizeof h, "%s", host);
    size_t n = strlen(h);
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
        memmove(h, h + 1, n - 2);
        h[n - 2] = '\0';
    }
    if (!strcmp(h, "localhost"))
        return 1;
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, h, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, h, &a6) == 1)
        return !memcmp(&a6, &in6addr_loopback, sizeof a6);
    return 0;
}

int sc_smtp_url_check(const char *url, int *tls_required, char *why, size_t n)
{
    sc_error e;
    if (sc_curl_load(&e) != SC_OK) {
        snprintf(why, n, "%s", e.message);
        return 0;
    }
    CURLU *u = sym_curl_url();
    char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
    int ok = 0;
    if (!u) {
        snprintf(why, n, "out of memory");
        return 0;
    }
    if (sym_curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        sym_curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        sym_curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        snprintf(why, n, "\"%s\" is not a server URL: write smtp://HOST:587 (STARTTLS) "
                 "or smtps://HOST:465", url);
    } else if (strcmp(scheme, "smtp") && strcmp(scheme, "smtps")) {
        snprintf(why, n, "the mail server URL must start with smtp:// (STARTTLS) or "
                 "smtps://, not %s://", scheme);
    } else if (sym_curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
               sym_curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
        snprintf(why, n, "no login in the server URL: it is on the command line; "
                 "give the login with --smtp-user and the password in "
                 "SCORECARD_SMTP_PASSWORD or a netrc file");
    } else {
        *tls_required = strcmp(scheme, "smtp") || !loopback(host);
        ok = 1;
    }
    sym_curl_free(scheme);
    sym_curl_free(host);
    sym_curl_free(user);
    sym_curl_free(pass);
    sym_curl_url_cleanup(u);
    return ok;
}

sc_status sc_smtp_open(sc_smtp **out, const sc_mail_opts *o, sc_error *err)
{
    *out = NULL;
    char why[512];
    int tls_required = 1;
    sc_status st = sc_curl_load(err);
    if (st != SC_OK)
        return st;
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return sc_error_set(err, SC_ERR_MAIL, NULL, 0, 0, "libcurl cannot start: %s",
                            sym_curl_easy_strerror(curl_init_rc));
    if (!o->url)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "no mail server: give --smtp smtp://HOST:587, or "
                            "--dry-run DIR");
    if (!sc_smtp_url_check(o->url, &tls_required, why, sizeof why))
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0, "%s", why);
    sc_smtp *s = sc_calloc(1, sizeof *s);
    if (!s || !(s->curl = sym_curl_easy_init())) {
        sc_free(s);
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    s->interval_ms = o->interval_ms;
    s->tries = o->tries > 0 ? o->tries : 5;
    s->wait_ms = o->retry_wait_ms > 0 ? o->retry_wait_ms : 2000;
    CURL *c = s->curl;
    CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                        \
    do {                                                                     \
        if (rc == CURLE_OK)                                                  \
            rc = sym_curl_easy_setopt(c, opt, val);                              \
    } while (0)
    SET(CURLOPT_URL, o->url);
    SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    SET(CURLOPT_USE_SSL, (long)(tls_required ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    if (o->ca_file)
        SET(CURLOPT_CAINFO, o->ca_file);
    if (o->user)
        SET(CURLOPT_USERNAME, o->user);
    if (o->password)
        SET(CURLOPT_PASSWORD, o->password);
    if (o->netrc) {
        SET(CURLOPT_NETRC, (long)CURL_NETRC_REQUIRED);
        SET(CURLOPT_NETRC_FILE, o->netrc);
    }
    SET(CURLOPT_UPLOAD, 1L);
    SET(CURLOPT_READFUNCTION, on_read);
    SET(CURLOPT_READDATA, s);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_CONNECTTIMEOUT, 30L);
    SET(CURLOPT_TIMEOUT, 300L);
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_MAXCONNECTS, 1L);
    SET(CURLOPT_ERRORBUFFER, s->errbuf);
    SET(CURLOPT_DEBUGFUNCTION, on_trace);
    SET(CURLOPT_DEBUGDATA, s);
    SET(CURLOPT_VERBOSE, 1L); /* for on_trace; it prints nothing itself */
#undef SET
    if (rc != CURLE_OK) {
        sc_smtp_close(s);
        return sc_error_set(err, SC_ERR_MAIL, NULL, 0, 0,
                            "libcurl cannot be set up for %s: %s", o->url,
                            sym_curl_easy_strerror(rc));
    }
    *out = s;
    return SC_OK;
}

void sc_smtp_close(sc_smtp *s)
{
    if (!s)
        return;
    if (s->curl)
        sym_curl_easy_cleanup(s->curl); /* QUIT on an open connection */
    sym_curl_slist_free_all(s->rcpt);
    sc_free(s);
}

const char *sc_smtp_down(const sc_smtp *s) { return s->down[0] ? s->down : NULL; }

void sc_smtp_stop(sc_smtp *s, const char *why)
{
    snprintf(s->down, sizeof s->down, "%s", why);
}

typedef enum verdict { V_OK, V_AGAIN, V_REFUSED, V_DOWN } verdict;

static int starts(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

/* What one attempt's outcome means. */
static verdict judge(sc_smtp *s, CURLcode rc, long code)
{
    if (rc == CURLE_OK)
        return V_OK;
    switch (rc) {
    case CURLE_LOGIN_DENIED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_READ_ERROR:
        return V_DOWN;
    default:
        break;
    }
    if (code == 421 || code == 530 || code == 534 || code == 535 || code == 538)
        return V_DOWN; /* closing down; authentication */
    if (code >= 500 && starts(s->errbuf, "MAIL failed"))
        return V_DOWN; /* the sender is refused: every message would be */
    if (code >= 500)
        return V_REFUSED;
    return V_AGAIN; /* 4xx, or the connection lost: no reply at all */
}

sc_status sc_smtp_send(sc_smtp *s, const char *from, const char *const *rcpt, int nrcpt,
                       const void *msg, size_t len, char *reply, size_t nreply,
                       sc_error *err)
{
    reply[0] = '\0';
    if (s->down[0])
        return sc_error_set(err, SC_ERR_MAIL, NULL, 0, 0, "%s", s->down);
    char envelope[300];
    snprintf(envelope, sizeof envelope, "<%s>", from);
    sym_curl_slist_free_all(s->rcpt);
    s->rcpt = NULL;
    for (int i = 0; i < nrcpt; i++) {
        char r[300];
        snprintf(r, sizeof r, "<%s>", rcpt[i]);
        struct curl_slist *l = sym_curl_slist_append(s->rcpt, r);
        if (!l)
            return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        s->rcpt = l;
    }
    sym_curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, envelope);
    sym_curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, s->rcpt);
    sym_curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    verdict v = V_AGAIN;
    long code = 0;
    CURLcode rc = CURLE_OK;
    for (int attempt = 1; attempt <= s->tries; attempt++) {
        if (attempt > 1) {
            long long wait = (long long)s->wait_ms << (attempt - 2);
            if (wait > 300000)
                wait = 300000;
            sleep_ns(wait * 1000000LL);
        }
        if (s->interval_ms && s->last_ns) {
            long long due = s->last_ns + (long long)s->interval_ms * 1000000LL;
            sleep_ns(due - now_ns());
        }
        s->last_ns = now_ns();
        s->msg = msg;
        s->len = len;
        s->pos = 0;
        s->reply[0] = s->refusal[0] = s->errbuf[0] = '\0';
        rc = sym_curl_easy_perform(s->curl);
        code = 0;
        sym_curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
        v = judge(s, rc, code);
        if (v != V_AGAIN)
            break;
    }
    /* the server's words when it answered with a refusal, else libcurl's */
    const char *said = v == V_OK                      ? s->reply
                       : code >= 400 && s->refusal[0] ? s->refusal
                       : s->errbuf[0]                 ? s->errbuf
                                                      : sym_curl_easy_strerror(rc);
    snprintf(reply, nreply, "%s", said);
    const char *hint = "";
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
        hint = "; if the server's certificate comes from your own authority, give "
               "its certificate with --cacert FILE";
    else if (rc == CURLE_LOGIN_DENIED || code == 535)
        hint = "; check the login (--smtp-user) and the password "
               "($SCORECARD_SMTP_PASSWORD or the netrc file)";
    else if (rc == CURLE_USE_SSL_FAILED)
        hint = "; the server does not offer STARTTLS, and nothing goes to it "
               "unencrypted: use smtps:// if it takes TLS from the start";
    switch (v) {
    case V_OK:
        return SC_OK;
    case V_REFUSED:
        return sc_error_set(err, SC_ERR_MAIL, NULL, 0, 0,
                            "the mail server refused the message: %s", said);
    case V_AGAIN:
        if (code >= 400) /* deferred every time: this message, not the server */
            return sc_error_set(err, SC_ERR_MAIL, NULL, 0, 0,
                                "the mail server deferred the message %d times (%s); "
                                "run again later to send it", s->tries, said);
        snprintf(s->down, sizeof s->down,
                 "the mail server could not be reached after %d tries (%.300s)", s->tries,
                 said);
        break;
    case V_DOWN:
        snprintf(s->down, sizeof s->down, "the mail server cannot be used: %.200s%s", said,
                 hint);
        break;
    }
    return sc_error_set(err, SC_ERR_MAIL, NULL, 0, 0, "%s", s->down);
}
