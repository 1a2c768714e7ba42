/* util.c -- allocation wrappers, arenas, string buffers, error values. */
#include "internal.h"

#include <libxml/xmlerror.h>
#include <nettle/sha2.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

void *sc_malloc(size_t n) { return malloc(n ? n : 1); }
void *sc_calloc(size_t n, size_t size) { return calloc(n ? n : 1, size ? size : 1); }
void *sc_realloc(void *p, size_t n) { return realloc(p, n ? n : 1); }
void sc_free(void *p) { free(p); }

char *sc_strdup(const char *s) { return s ? sc_strndup(s, strlen(s)) : NULL; }

char *sc_strndup(const char *s, size_t n)
{
    char *d = sc_malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* ---- arena: a list of chunks; big requests get a chunk of their own. -- */

#define ARENA_CHUNK 16384

typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char mem[];
} chunk;

struct sc_arena {
    chunk *head;
};

sc_arena *sc_arena_new(void) { return sc_calloc(1, sizeof(sc_arena)); }

void *sc_arena_alloc_raw(sc_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!a->head || a->head->size - a->head->used < n) {
        size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        chunk *c = sc_malloc(sizeof(chunk) + size);
        if (!c)
            return NULL;
        c->used = 0;
        c->size = size;
        c->next = a->head;
        a->head = c;
    }
    void *p = a->head->mem + a->head->used;
    a->head->used += n;
    return p;
}

void *sc_arena_alloc(sc_arena *a, size_t n)
{
    void *p = sc_arena_alloc_raw(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *sc_arena_strndup(sc_arena *a, const char *s, size_t n)
{
    char *d = sc_arena_alloc(a, n + 1);
    if (d)
        memcpy(d, s, n);
    return d;
}

char *sc_arena_strdup(sc_arena *a, const char *s)
{
    return s ? sc_arena_strndup(a, s, strlen(s)) : NULL;
}

char *sc_arena_printf(sc_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *d = sc_arena_alloc(a, (size_t)n + 1);
    if (!d)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

void sc_arena_free(sc_arena *a)
{
    if (!a)
        return;
    chunk *c = a->head;
    while (c) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

/* ---- buffers ---------------------------------------------------------- */

/* sc_buf_append (internal.h) when the room is not there. */
void sc_buf_grow_append(sc_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = sc_realloc(b->data, cap);
        if (!d) {
            b->oom = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sc_buf_puts(sc_buf *b, const char *s) { sc_buf_append(b, s, strlen(s)); }

void sc_buf_printf(sc_buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        sc_buf_append(b, small, (size_t)n);
        return;
    }
    char *big = sc_malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sc_buf_append(b, big, (size_t)n);
    free(big);
}

void sc_buf_free(sc_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

/* ---- secrets, randomness, digests --------------------------------------- */

void sc_wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

int sc_random(void *p, size_t n)
{
    unsigned char *o = p;
    while (n) {
        ssize_t k = getrandom(o, n, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        o += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Nettle, not libcrypto: every rendered file's manifest line, mail and
 * archive copy has a digest, and libcrypto takes ~3 ms to load (more
 * when another thread is starting up: its mmaps hold up that thread's
 * page faults), twice what the whole dynamic loading of a run costs
 * otherwise.  Nettle is linked (0.3 MB, nothing to initialise) and uses
 * the same SHA-NI instructions: 47 us for a 75 KB sheet, libcrypto 42. */
void sc_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[SHA256_DIGEST_SIZE];
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, len, data);
    sha256_digest(&c, sizeof md, md);
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < SHA256_DIGEST_SIZE; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

/* ---- errors ----------------------------------------------------------- */

static const char *const messages[] = {
    [SC_OK] = "success",
    [SC_END] = "no more records",
    [SC_ERR_NOMEM] = "out of memory",
    [SC_ERR_IO] = "input/output error",
    [SC_ERR_XML] = "malformed XML",
    [SC_ERR_SCHEMA] = "schema violation",
    [SC_ERR_ENCODING] = "encoding error",
    [SC_ERR_TEMPLATE] = "template error",
    [SC_ERR_XPATH] = "XPath error",
    [SC_ERR_FONT] = "font error",
    [SC_ERR_DATA] = "data error",
    [SC_ERR_LAYOUT] = "layout error",
    [SC_ERR_PDF] = "PDF writer error",
    [SC_ERR_USAGE] = "usage error",
    [SC_ERR_FORBIDDEN] = "forbidden construct",
    [SC_ERR_MAIL] = "mail not sent",
    [SC_ERR_LIBRARY] = "library not installed",
};

const char *sc_strerror(sc_status code)
{
    if ((unsigned)code < sizeof messages / sizeof *messages && messages[code])
        return messages[code];
    return "unknown error";
}

sc_status sc_error_set(sc_error *err, sc_status code, const char *file,
                       int line, int column, const char *fmt, ...)
{
    if (!err)
        return code;
    memset(err, 0, sizeof *err);
    err->code = code;
    if (file)
        snprintf(err->file, sizeof err->file, "%s", file);
    err->line = line;
    err->column = column;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    sc_error_tidy(err);
    return code;
}

void sc_error_tidy(sc_error *err)
{
    sc_utf8_trim(err->message);
    sc_utf8_trim(err->file);
    sc_utf8_trim(err->employee);
    sc_utf8_trim(err->field);
}

void sc_diag_emit(sc_diag_fn diag, void *ud, const sc_error *err)
{
    if (!diag || !err)
        return;
    sc_error e = *err;
    sc_error_tidy(&e);
    diag(ud, &e);
}

/* ---- a set of strings ------------------------------------------------- */

#define STRSET_BLOCK 65536

static uint64_t strset_hash(const sc_strset *s, const char *k)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *k; k++) {
        unsigned char c = (unsigned char)*k;
        if (s->fold && c >= 'a' && c <= 'z')
            c -= 32;
        h = (h ^ c) * 1099511628211ull;
    }
    return h;
}

static int strset_eq(const sc_strset *s, const char *a, const char *b)
{
    return s->fold ? sc_ascii_ieq(a, b) : !strcmp(a, b);
}

static char *strset_at(const sc_strset *s, uint32_t ref)
{
    ref--;
    return s->blocks[ref >> 16] + (ref & 0xFFFF);
}

/* n bytes in the blocks, and where they are (*ref); NULL if out of
 * memory (or past 65,536 blocks: 4 GB of keys). */
static char *strset_room(sc_strset *s, size_t n, uint32_t *ref)
{
    if (!s->nblocks || s->used + n > STRSET_BLOCK) {
        if (s->nblocks == 65536)
            return NULL;
        size_t size = n > STRSET_BLOCK ? n : STRSET_BLOCK;
        char **v = sc_realloc(s->blocks, (s->nblocks + 1) * sizeof *v);
        if (!v)
            return NULL;
        s->blocks = v;
        if (!(v[s->nblocks] = sc_malloc(size)))
            return NULL;
        s->nblocks++;
        s->used = 0;
    }
    *ref = (uint32_t)((s->nblocks - 1) << 16 | s->used) + 1;
    char *p = s->blocks[s->nblocks - 1] + s->used;
    s->used += n;
    return p;
}

int sc_strset_add(sc_strset *s, const char *key, const char *value,
                  const char **found)
{
    if (!value)
        value = "";
    /* at most 3/4 full */
    if (4 * (s->count + 1) > 3 * s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        uint32_t *slot = sc_calloc(cap, sizeof *slot);
        if (!slot)
            return -1;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slot[i])
                continue;
            size_t j = strset_hash(s, strset_at(s, s->slot[i])) & (cap - 1);
            while (slot[j])
                j = (j + 1) & (cap - 1);
            slot[j] = s->slot[i];
        }
        sc_free(s->slot);
        s->slot = slot;
        s->cap = cap;
    }
    size_t j = strset_hash(s, key) & (s->cap - 1);
    for (; s->slot[j]; j = (j + 1) & (s->cap - 1)) {
        const char *k = strset_at(s, s->slot[j]);
        if (strset_eq(s, k, key)) {
            if (found)
                *found = k + strlen(k) + 1;
            return 0;
        }
    }
    size_t kl = strlen(key) + 1, vl = strlen(value) + 1;
    uint32_t ref;
    char *p = strset_room(s, kl + vl, &ref);
    if (!p)
        return -1;
    memcpy(p, key, kl);
    memcpy(p + kl, value, vl);
    s->slot[j] = ref;
    s->count++;
    return 1;
}

const char *sc_strset_get(const sc_strset *s, const char *key)
{
    if (!s->cap)
        return NULL;
    for (size_t j = strset_hash(s, key) & (s->cap - 1); s->slot[j];
         j = (j + 1) & (s->cap - 1)) {
        const char *k = strset_at(s, s->slot[j]);
        if (strset_eq(s, k, key))
            return k + strlen(k) + 1;
    }
    return NULL;
}

void sc_strset_free(sc_strset *s)
{
    for (size_t i = 0; i < s->nblocks; i++)
        sc_free(s->blocks[i]);
    sc_free(s->blocks);
    sc_free(s->slot);
    memset(s, 0, sizeof *s);
}

/* ---- libxml2's generic error channel --------------------------------- */

static void quiet_handler(void *ctx, const char *fmt, ...)
{
    sc_xml_quiet *q = ctx;
    if (!q->msg || q->msg[0] || q->n == 0)
        return; /* keep the first message: later ones are consequences */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q->msg, q->n, fmt, ap);
    va_end(ap);
    char *nl = strchr(q->msg, '\n');
    if (nl)
        *nl = '\0';
}

void sc_xml_quiet_begin(sc_xml_quiet *q, char *msg, size_t n)
{
    q->old_ctx = xmlGenericErrorContext;
    q->old_fn = xmlGenericError;
    q->msg = msg;
    q->n = n;
    xmlSetGenericErrorFunc(q, quiet_handler);
}

void sc_xml_quiet_end(sc_xml_quiet *q)
{
    xmlSetGenericErrorFunc(q->old_ctx, q->old_fn);
}

int sc_ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'a' && x <= 'z')
            x -= 32;
        if (y >= 'a' && y <= 'z')
            y -= 32;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* ---- warming up -------------------------------------------------------- */

void sc_init(void) { sc_xml_guard(); }

void sc_warm_up(void)
{
    /* the facets last: the first records take the full schema meanwhile,
     * rather than build them on the main thread */
    sc_reader_quick_promise();
    sc_reader_init();
    sc_template_init();
    sc_reader_quick();
}

/* ---- decimals --------------------------------------------------------- */

size_t sc_format_pt(char *out, double v)
{
    if (fabs(v) < 0.0005)
        v = 0;
    /* r = v in thousandths.  Its rounding error is far below 1e-6 for the
     * page coordinates written here, so unless r lies within 1e-6 of a
     * half the nearest integer is the one printf's exact rounding gives;
     * near a half (and for huge values) printf decides. */
    double r = v * 1000.0, fl = floor(r), frac = r - fl;
    if (!(fabs(r) < 1e12) || fabs(frac - 0.5) < 1e-6) {
        char t[48];
        int k = snprintf(t, sizeof t, "%.3f", v);
        if (k < 0)
            k = 0;
        if ((size_t)k >= sizeof t) /* not a coordinate: cut, never overrun */
            k = sizeof t - 1;
        while (k > 0 && t[k - 1] == '0')
            k--;
        if (k > 0 && t[k - 1] == '.')
            k--;
        memcpy(out, t, (size_t)k);
        out[k] = '\0';
        return (size_t)k;
    }
    long long n = (long long)(frac < 0.5 ? fl : fl + 1);
    char t[32];
    size_t k = sizeof t;
    int neg = n < 0;
    unsigned long long u = neg ? 0ull - (unsigned long long)n : (unsigned long long)n;
    unsigned frac3 = (unsigned)(u % 1000);
    u /= 1000;
    if (frac3) {
        int d = 3;
        while (frac3 % 10 == 0) {
            frac3 /= 10;
            d--;
        }
        while (d--) {
            t[--k] = (char)('0' + frac3 % 10);
            frac3 /= 10;
        }
        t[--k] = '.';
    }
    do {
        t[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (neg)
        t[--k] = '-';
    memcpy(out, t + k, sizeof t - k);
    out[sizeof t - k] = '\0';
    return sizeof t - k;
}

void sc_format_decimal(char *out, size_t n, double v, int decimals)
{
    /* Print with more digits than asked, then round the decimal string
     * half away from zero, so 92.345 (stored as 92.34499999...) becomes
     * 92.35 as a person computing by hand expects.  15 significant digits
     * are exact for doubles, so the extra digits are noise we drop. */
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", decimals + 3, v);
    char *dot = strchr(tmp, '.');
    int neg = tmp[0] == '-';
    /* digits only, without sign and dot */
    char digits[64];
    size_t nd = 0;
    for (char *p = tmp + neg; *p; p++)
        if (*p != '.')
            digits[nd++] = *p;
    size_t intlen = (size_t)(dot - tmp) - (size_t)neg;
    size_t keep = intlen + (size_t)decimals;
    int carry = digits[keep] >= '5';
    digits[keep] = '\0';
    for (size_t i = keep; carry && i-- > 0;) {
        if (digits[i] == '9') {
            digits[i] = '0';
        } else {
            digits[i]++;
            carry = 0;
        }
    }
    char res[72];
    size_t r = 0;
    int iszero = 1;
    for (size_t i = 0; i < keep; i++)
        if (digits[i] != '0')
            iszero = 0;
    if (neg && (!iszero || carry))
        res[r++] = '-';
    if (carry)
        res[r++] = '1';
    for (size_t i = 0; i < keep; i++) {
        if (i == intlen)
            res[r++] = '.';
        res[r++] = digits[i];
    }
    res[r] = '\0';
    snprintf(out, n, "%s", res);
}
