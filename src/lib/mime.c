/* mime.c -- one employee's message as bytes: RFC 5322 headers, a MIME
 * multipart/mixed body (RFC 2045/2046) with a text part and the sheet.
 *
 * Every header a data value reaches is built here, by hand, because the
 * mail clients HR's employees use read different things:
 *
 *   - non-ASCII in a header (the subject, a display name) becomes RFC 2047
 *     encoded-words, "B" encoding of UTF-8, each word at most 75
 *     characters, cut on character boundaries (a word holding half a
 *     character shows as garbage in some clients), lines folded before 76;
 *   - the attachment's name is given twice: as RFC 2231 `filename*=` in
 *     Content-Disposition (the standard, with continuations `filename*0*=`
 *     for long names) and as an RFC 2047 `name="=?UTF-8?B?...?="` in
 *     Content-Type, which the standard does not allow but Outlook and
 *     Foxmail read and RFC 2231 they do not.  libcurl's MIME API (7.88)
 *     writes raw UTF-8 there, which is why these are ours.
 *
 * Nothing from the data reaches a header raw: values are encoded (so a
 * name with a line break cannot start a header of its own), addresses are
 * checked strictly first (sc_mail_address_ok: no comma, no quote, no
 * space, nothing that could add a recipient).  Bodies are base64, so no
 * line of the message starts with a dot or runs past 76 characters and
 * 8-bit transport is never needed.  The boundary starts with "=_", which
 * base64 cannot contain.  Line ends are CRLF: the bytes a dry run writes
 * are the bytes the server receives. */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define LINE_MAX_COLS 76

/* ---- base64 ------------------------------------------------------------------ */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_group(char out[4], const unsigned char *p, size_t n)
{
    unsigned v = (unsigned)p[0] << 16 | (n > 1 ? (unsigned)p[1] << 8 : 0) |
                 (n > 2 ? p[2] : 0);
    out[0] = b64[v >> 18 & 63];
    out[1] = b64[v >> 12 & 63];
    out[2] = n > 1 ? b64[v >> 6 & 63] : '=';
    out[3] = n > 2 ? b64[v & 63] : '=';
}

/* data as base64 without line breaks. */
static void b64_raw(sc_buf *b, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        char g[4];
        b64_group(g, p + i, n - i < 3 ? n - i : 3);
        sc_buf_append(b, g, 4);
    }
}

void sc_mime_base64(sc_buf *b, const void *data, size_t len)
{
    const unsigned char *p = data;
    char line[LINE_MAX_COLS + 2];
    size_t k = 0;
    for (size_t i = 0; i < len; i += 3) {
        b64_group(line + k, p + i, len - i < 3 ? len - i : 3);
        k += 4;
        if (k == LINE_MAX_COLS) {
            line[k++] = '\r';
            line[k++] = '\n';
            sc_buf_append(b, line, k);
            k = 0;
        }
    }
    if (k) {
        line[k++] = '\r';
        line[k++] = '\n';
        sc_buf_append(b, line, k);
    }
}

/* ---- RFC 2047 encoded-words ---------------------------------------------------- */

static int plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E)
            return 0;
    return 1;
}

/* Length of the UTF-8 sequence starting at s (1 for a stray byte). */
static size_t seq_len(const char *s, size_t left)
{
    uint32_t cp;
    size_t k = sc_utf8_decode(s, left, &cp);
    return k ? k : 1;
}

/* s with every control character (a line break in a name) made a space. */
static char *flatten(const char *s)
{
    char *d = sc_strdup(s ? s : "");
    if (d)
        for (char *p = d; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7F)
                *p = ' ';
    return d;
}

void sc_mime_words(sc_buf *b, const char *text, size_t col)
{
    char *t = flatten(text);
    if (!t) {
        b->oom = 1;
        return;
    }
    size_t n = strlen(t);
    for (size_t i = 0; i < n;) {
        if (i > 0) {
            sc_buf_puts(b, "\r\n ");
            col = 1;
        }
        /* room for at least one character after a long header name */
        size_t avail = col + 24 < LINE_MAX_COLS ? LINE_MAX_COLS - col : 24;
        size_t max_bytes = (avail - 12) / 4 * 3;
        size_t take = 0;
        while (i + take < n) {
            size_t k = seq_len(t + i + take, n - i - take);
            if (take + k > max_bytes)
                break;
            take += k;
        }
        sc_buf_puts(b, "=?UTF-8?B?");
        b64_raw(b, (const unsigned char *)t + i, take);
        sc_buf_puts(b, "?=");
        i += take;
    }
    sc_free(t);
}

/* An unstructured header (Subject): as is when short plain ASCII,
 * encoded-words otherwise. */
static void header_text(sc_buf *b, const char *name, const char *value)
{
    sc_buf_printf(b, "%s: ", name);
    size_t col = strlen(name) + 2;
    if (plain_ascii(value) && !strstr(value, "=?") && col + strlen(value) <= LINE_MAX_COLS)
        sc_buf_puts(b, value);
    else
        sc_mime_words(b, value, col);
    sc_buf_puts(b, "\r\n");
}

/* A display name as a phrase: a quoted string when plain ASCII, else
 * encoded-words.  col: where it starts. */
static void phrase(sc_buf *b, const char *name, size_t col)
{
    if (plain_ascii(name) && !strstr(name, "=?")) {
        sc_buf_puts(b, "\"");
        for (const char *p = name; *p; p++) {
            if (*p == '"' || *p == '\\')
                sc_buf_puts(b, "\\");
            sc_buf_append(b, p, 1);
        }
        sc_buf_puts(b, "\"");
    } else {
        sc_mime_words(b, name, col);
    }
}

/* "Name: Display <addr>" or "Name: addr". */
static void header_mailbox(sc_buf *b, const char *hname, const char *display,
                           const char *addr)
{
    sc_buf_printf(b, "%s: ", hname);
    if (display && *display) {
        phrase(b, display, strlen(hname) + 2);
        sc_buf_puts(b, "\r\n <");
    } else {
        sc_buf_puts(b, "<");
    }
    sc_buf_printf(b, "%s>\r\n", addr);
}

/* ---- RFC 2231 parameters --------------------------------------------------------- */

static int attr_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           strchr("!#$&+-.^_`|~", c);
}

void sc_mime_param_2231(sc_buf *b, const char *param, const char *value)
{
    char *v = flatten(value);
    if (!v) {
        b->oom = 1;
        return;
    }
    /* Each character's escape, whole characters per line. */
    size_t n = strlen(v);
    size_t plen = strlen(param);
    char seg[LINE_MAX_COLS + 1];
    size_t k = 0;
    int nseg = 0;
    sc_buf parts = {0};
    for (size_t i = 0; i <= n;) {
        char esc[16];
        size_t elen = 0, clen = 0;
        if (i < n) {
            clen = seq_len(v + i, n - i);
            for (size_t j = 0; j < clen; j++) {
                unsigned char c = (unsigned char)v[i + j];
                if (attr_char(c))
                    esc[elen++] = (char)c;
                else
                    elen += (size_t)snprintf(esc + elen, sizeof esc - elen, "%%%02X", c);
            }
        }
        /* " filename*12*=" + "UTF-8''" on the first + the text + ";" */
        size_t room = LINE_MAX_COLS - (1 + plen + 6 + (nseg ? 0 : 7) + 1);
        if (i == n || k + elen > room) {
            if (k || i == n) {
                seg[k] = '\0';
                sc_buf_printf(&parts, "%s\n", seg);
                nseg++;
                k = 0;
            }
            if (i == n)
                break;
        }
        memcpy(seg + k, esc, elen);
        k += elen;
        i += clen;
    }
    /* parts: one segment per line */
    const char *p = parts.data ? parts.data : "\n";
    for (int s = 0; *p; s++) {
        const char *nl = strchr(p, '\n');
        if (nseg == 1)
            sc_buf_printf(b, ";\r\n %s*=UTF-8''%.*s", param, (int)(nl - p), p);
        else
            sc_buf_printf(b, ";\r\n %s*%d*=%s%.*s", param, s, s ? "" : "UTF-8''",
                          (int)(nl - p), p);
        p = nl + 1;
    }
    if (parts.oom)
        b->oom = 1;
    sc_buf_free(&parts);
    sc_free(v);
}

/* ---- dates ---------------------------------------------------------------------- */

void sc_mime_date(char out[40], long long t)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, 40, "Thu, 01 Jan 1970 00:00:00 +0000");
        return;
    }
    snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
             tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
}

/* ---- addresses ------------------------------------------------------------------ */

static int atext(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

int sc_mail_address_ok(const char *addr, char *why, size_t n)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    if (!addr || !*addr) {
        snprintf(why, n, "no e-mail address");
        return 0;
    }
    for (const char *p = addr; *p; p++)
        if ((unsigned char)*p >= 0x80) {
            snprintf(why, n, "the address \"%s\" has non-ASCII characters; write the "
                     "domain in its xn-- form (mailbox names in other scripts, "
                     "SMTPUTF8, are not supported)", addr);
            return 0;
        }
    if (!at || at == addr || !at[1]) {
        snprintf(why, n, "\"%s\" is not an e-mail address (name@domain)", addr);
        return 0;
    }
    size_t local = (size_t)(at - addr);
    int ok = local <= 64 && addr[0] != '.' && at[-1] != '.';
    for (const char *p = addr; ok && p < at; p++)
        ok = atext((unsigned char)*p) || (*p == '.' && p[1] != '.');
    if (!ok) {
        snprintf(why, n, "the address \"%s\" has a mailbox name that is not a plain "
                 "dot-atom (letters, digits, ! # $ %% & ' * + - / = ? ^ _ ` { | } ~ "
                 "and single dots)", addr);
        return 0;
    }
    const char *d = at + 1;
    size_t dlen = strlen(d);
    int labels = 0;
    ok = dlen <= 253;
    for (const char *p = d; ok && *p;) {
        const char *e = strchr(p, '.');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        ok = l >= 1 && l <= 63 && p[0] != '-' && p[l - 1] != '-';
        for (size_t i = 0; ok && i < l; i++) {
            char c = p[i];
            ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                 (c >= '0' && c <= '9') || c == '-';
        }
        labels++;
        p = e ? e + 1 : p + l;
        if (e && !*p)
            ok = 0; /* a trailing dot */
    }
    if (!ok || labels < 2) {
        snprintf(why, n, "the address \"%s\" has no valid domain (labels of letters, "
                 "digits and hyphens, at least one dot)", addr);
        return 0;
    }
    return 1;
}

int sc_mail_parse_mailbox(const char *s, char *name, size_t nn, char *addr, size_t na)
{
    name[0] = addr[0] = '\0';
    const char *lt = strrchr(s, '<');
    if (!lt) {
        while (*s == ' ')
            s++;
        size_t l = strlen(s);
        while (l && s[l - 1] == ' ')
            l--;
        if (l + 1 > na)
            return 0;
        snprintf(addr, na, "%.*s", (int)l, s);
        return 1;
    }
    const char *gt = strchr(lt, '>');
    if (!gt || gt[1 + strspn(gt + 1, " ")])
        return 0;
    const char *b = s, *e = lt;
    while (b < e && *b == ' ')
        b++;
    while (e > b && e[-1] == ' ')
        e--;
    if (e - b >= 2 && *b == '"' && e[-1] == '"') {
        b++;
        e--;
    }
    if ((size_t)(e - b) + 1 > nn || (size_t)(gt - lt - 1) + 1 > na)
        return 0;
    snprintf(name, nn, "%.*s", (int)(e - b), b);
    snprintf(addr, na, "%.*s", (int)(gt - lt - 1), lt + 1);
    return 1;
}

/* ---- the message ------------------------------------------------------------------ */

sc_status sc_mime_build(const sc_message *m, sc_buf *b, sc_error *err)
{
    char date[40], boundary[40], digest[65];
    sc_mime_date(date, m->date);
    sc_sha256_hex(m->att, m->att_len, digest);
    snprintf(boundary, sizeof boundary, "=_sc_%.24s", digest[0] ? digest : "0");

    sc_buf_printf(b, "Date: %s\r\n", date);
    header_mailbox(b, "From", m->from_name, m->from);
    header_mailbox(b, "To", m->to_name, m->to);
    if (m->cc && *m->cc)
        sc_buf_printf(b, "Cc: <%s>\r\n", m->cc);
    if (m->reply_to && *m->reply_to)
        sc_buf_printf(b, "Reply-To: <%s>\r\n", m->reply_to);
    header_text(b, "Subject", m->subject ? m->subject : "");
    sc_buf_printf(b, "Message-ID: %s\r\n", m->message_id);
    sc_buf_puts(b, "MIME-Version: 1.0\r\n");
    /* RFC 3834: vacation responders and the like do not answer it */
    sc_buf_puts(b, "Auto-Submitted: auto-generated\r\n");
    sc_buf_printf(b, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n", boundary);
    sc_buf_puts(b, "\r\nThis is a MIME message.\r\n");

    /* the text, its line ends made CRLF */
    sc_buf_printf(b, "\r\n--%s\r\n", boundary);
    sc_buf_puts(b, "Content-Type: text/plain; charset=UTF-8\r\n"
                   "Content-Transfer-Encoding: base64\r\n\r\n");
    sc_buf text = {0};
    for (const char *p = m->body ? m->body : ""; *p; p++) {
        if (*p == '\r')
            continue;
        if (*p == '\n')
            sc_buf_append(&text, "\r\n", 2);
        else
            sc_buf_append(&text, p, 1);
    }
    sc_mime_base64(b, text.data ? text.data : "", text.len);
    int oom = text.oom;
    sc_buf_free(&text);

    /* the sheet */
    sc_buf_printf(b, "\r\n--%s\r\n", boundary);
    sc_buf_puts(b, "Content-Type: application/pdf;\r\n name=\"");
    sc_mime_words(b, m->filename, 7);
    sc_buf_puts(b, "\"\r\nContent-Disposition: attachment");
    sc_mime_param_2231(b, "filename", m->filename);
    sc_buf_puts(b, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    sc_mime_base64(b, m->att, m->att_len);
    sc_buf_printf(b, "\r\n--%s--\r\n", boundary);
    if (b->oom || oom)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    return SC_OK;
}
