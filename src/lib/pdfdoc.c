/* pdfdoc.c -- a finished PDF read back: its bytes and, through libqpdf's
 * C API, its objects and signature fields (pdfdoc.h).
 *
 * libqpdf never writes here: a signed file may only grow by incremental
 * updates that sign.c appends itself, because rewriting it (what qpdf's
 * writer does) would break every signature in it.  qpdf is told to keep
 * its warnings and errors to itself: the library never prints. */
#include "pdfdoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sc_status read_all(const char *path, unsigned char **out, size_t *len,
                          sc_error *err)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return sc_error_set(err, SC_ERR_IO, path, 0, 0,
                            "cannot open the PDF (check the path and permissions)");
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = sc_malloc(cap);
    while (b) {
        if (n == cap) {
            if (cap >= SC_PDF_MAX) {
                sc_free(b);
                fclose(f);
                return sc_error_set(err, SC_ERR_PDF, path, 0, 0,
                                    "the file is larger than %u MB; an archive copy "
                                    "is far smaller", SC_PDF_MAX >> 20);
            }
            unsigned char *nb = sc_realloc(b, cap * 2);
            if (!nb) {
                sc_free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (!b)
        return sc_error_set(err, SC_ERR_NOMEM, path, 0, 0, "out of memory");
    if (bad) {
        sc_free(b);
        return sc_error_set(err, SC_ERR_IO, path, 0, 0, "cannot read the PDF");
    }
    *out = b;
    *len = n;
    return SC_OK;
}

/* The number after the last "startxref" in the file's last 2 KB. */
static long long find_startxref(const unsigned char *b, size_t len)
{
    size_t from = len > 2048 ? len - 2048 : 0;
    long long v = -1;
    for (size_t i = from; i + 9 <= len; i++) {
        if (memcmp(b + i, "startxref", 9))
            continue;
        size_t k = i + 9;
        while (k < len && (b[k] == ' ' || b[k] == '\r' || b[k] == '\n'))
            k++;
        long long x = 0;
        int digits = 0;
        while (k < len && b[k] >= '0' && b[k] <= '9' && digits < 15) {
            x = x * 10 + (b[k++] - '0');
            digits++;
        }
        if (digits)
            v = x;
    }
    return v;
}

sc_status sc_pdfdoc_open(sc_pdfdoc **out, const char *path, sc_error *err)
{
    *out = NULL;
    sc_status st = sc_qpdf_load(err);
    if (st != SC_OK)
        return st;
    sc_pdfdoc *d = sc_calloc(1, sizeof *d);
    if (!d || !(d->path = sc_strdup(path))) {
        sc_free(d);
        return sc_error_set(err, SC_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    st = read_all(path, &d->bytes, &d->len, err);
    if (st != SC_OK) {
        sc_pdfdoc_free(d);
        return st;
    }
    if (d->len < 8 || memcmp(d->bytes, "%PDF-", 5)) {
        sc_pdfdoc_free(d);
        return sc_error_set(err, SC_ERR_PDF, path, 0, 0, "not a PDF file (no %%PDF- header)");
    }
    d->q = sym_qpdf_init();
    if (!d->q) {
        sc_pdfdoc_free(d);
        return sc_error_set(err, SC_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    sym_qpdf_silence_errors(d->q);
    sym_qpdf_set_suppress_warnings(d->q, QPDF_TRUE);
    if (sym_qpdf_read_memory(d->q, path, (const char *)d->bytes, d->len, NULL) & QPDF_ERRORS) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s",
                 sym_qpdf_has_error(d->q)
                     ? sym_qpdf_get_error_message_detail(d->q, sym_qpdf_get_error(d->q))
                     : "unknown error");
        sc_pdfdoc_free(d);
        return sc_error_set(err, SC_ERR_PDF, path, 0, 0, "not a PDF that can be read: %s",
                            msg);
    }
    d->startxref = find_startxref(d->bytes, d->len);
    if (d->startxref >= 0 && (size_t)d->startxref + 4 <= d->len)
        d->xref_stream = memcmp(d->bytes + d->startxref, "xref", 4) != 0;
    *out = d;
    return SC_OK;
}

void sc_pdfdoc_free(sc_pdfdoc *d)
{
    if (!d)
        return;
    if (d->q)
        sym_qpdf_cleanup(&d->q);
    sc_free(d->bytes);
    sc_free(d->path);
    sc_free(d);
}

char *sc_pdfdoc_text(sc_pdfdoc *d, qpdf_oh dict, const char *key)
{
    if (!sym_qpdf_oh_has_key(d->q, dict, key))
        return sc_strdup("");
    qpdf_oh v = sym_qpdf_oh_get_key(d->q, dict, key);
    size_t n = 0;
    const char *s = sym_qpdf_oh_is_string(d->q, v) ? sym_qpdf_oh_get_binary_utf8_value(d->q, v, &n)
                                               : NULL;
    return s ? sc_strndup(s, n) : sc_strdup("");
}

sc_status sc_pdfdoc_stream(sc_pdfdoc *d, qpdf_oh stream, unsigned char **buf,
                           size_t *len, sc_error *err)
{
    *buf = NULL;
    *len = 0;
    QPDF_BOOL filtered = QPDF_FALSE;
    if (!sym_qpdf_oh_is_stream(d->q, stream) ||
        (sym_qpdf_oh_get_stream_data(d->q, stream, qpdf_dl_generalized, &filtered, buf, len) &
         QPDF_ERRORS) ||
        !filtered) {
        free(*buf);
        *buf = NULL;
        return sc_error_set(err, SC_ERR_PDF, d->path, 0, 0,
                            "a stream (object %d) cannot be decoded",
                            sym_qpdf_oh_get_object_id(d->q, stream));
    }
    return SC_OK;
}

/* ---- signature fields ----------------------------------------------------- */

typedef struct walker {
    sc_pdfdoc *d;
    sc_sigfield *v;
    int n, cap, oom;
    int *annot_page; /* object id -> page, for ids < nids */
    int nids;
} walker;

static int int_key(sc_pdfdoc *d, qpdf_oh dict, const char *key, int dflt)
{
    if (!sym_qpdf_oh_has_key(d->q, dict, key))
        return dflt;
    qpdf_oh v = sym_qpdf_oh_get_key(d->q, dict, key);
    return sym_qpdf_oh_is_integer(d->q, v) ? sym_qpdf_oh_get_int_value_as_int(d->q, v) : dflt;
}

static void add_field(walker *W, const char *name, qpdf_oh field, qpdf_oh widget, int ff,
                      qpdf_oh v)
{
    sc_pdfdoc *d = W->d;
    if (W->n == W->cap) {
        int cap = W->cap ? W->cap * 2 : 8;
        sc_sigfield *nv = sc_realloc(W->v, (size_t)cap * sizeof *nv);
        if (!nv) {
            W->oom = 1;
            return;
        }
        W->v = nv;
        W->cap = cap;
    }
    sc_sigfield *f = &W->v[W->n];
    memset(f, 0, sizeof *f);
    f->name = sc_strdup(name);
    f->tu = sc_pdfdoc_text(d, field, "/TU");
    if (!f->name || !f->tu) {
        sc_free(f->name);
        sc_free(f->tu);
        W->oom = 1;
        return;
    }
    W->n++;
    f->field = field;
    f->widget = widget;
    f->flags = ff;
    f->v = v;
    f->page = -1;
    qpdf_oh r = sym_qpdf_oh_get_key(d->q, widget, "/Rect");
    if (sym_qpdf_oh_is_array(d->q, r) && sym_qpdf_oh_get_array_n_items(d->q, r) == 4) {
        for (int i = 0; i < 4; i++)
            f->rect[i] = sym_qpdf_oh_get_numeric_value(d->q, sym_qpdf_oh_get_array_item(d->q, r, i));
        for (int i = 0; i < 2; i++)
            if (f->rect[i] > f->rect[i + 2]) {
                double t = f->rect[i];
                f->rect[i] = f->rect[i + 2];
                f->rect[i + 2] = t;
            }
    }
    int id = sym_qpdf_oh_get_object_id(d->q, widget);
    if (id > 0 && id < W->nids)
        f->page = W->annot_page[id];
}

/* A field node: its kids that are fields (they have /T) are walked, else
 * it is terminal and its kids, if any, are its widgets. */
static void walk(walker *W, qpdf_oh node, const char *prefix, const char *ft, int ff,
                 qpdf_oh v, int depth)
{
    sc_pdfdoc *d = W->d;
    if (depth > 32 || W->oom || !sym_qpdf_oh_is_dictionary(d->q, node))
        return;
    char *t = sc_pdfdoc_text(d, node, "/T");
    if (!t) {
        W->oom = 1;
        return;
    }
    char name[1024];
    if (prefix[0] && t[0])
        snprintf(name, sizeof name, "%s.%s", prefix, t);
    else
        snprintf(name, sizeof name, "%s", t[0] ? t : prefix);
    sc_free(t);
    char ftbuf[32];
    if (sym_qpdf_oh_has_key(d->q, node, "/FT")) {
        qpdf_oh o = sym_qpdf_oh_get_key(d->q, node, "/FT");
        snprintf(ftbuf, sizeof ftbuf, "%s", sym_qpdf_oh_is_name(d->q, o) ? sym_qpdf_oh_get_name(d->q, o) : "");
        ft = ftbuf;
    }
    ff = int_key(d, node, "/Ff", ff);
    if (sym_qpdf_oh_has_key(d->q, node, "/V")) {
        qpdf_oh o = sym_qpdf_oh_get_key(d->q, node, "/V");
        v = sym_qpdf_oh_is_dictionary(d->q, o) ? o : 0;
    }
    qpdf_oh kids = sym_qpdf_oh_get_key(d->q, node, "/Kids");
    int nk = sym_qpdf_oh_is_array(d->q, kids) ? sym_qpdf_oh_get_array_n_items(d->q, kids) : 0;
    int field_kids = 0;
    for (int i = 0; i < nk; i++)
        field_kids |= sym_qpdf_oh_has_key(d->q, sym_qpdf_oh_get_array_item(d->q, kids, i), "/T");
    if (field_kids) {
        for (int i = 0; i < nk; i++)
            walk(W, sym_qpdf_oh_get_array_item(d->q, kids, i), name, ft, ff, v, depth + 1);
        return;
    }
    if (strcmp(ft, "/Sig"))
        return;
    add_field(W, name, node, nk ? sym_qpdf_oh_get_array_item(d->q, kids, 0) : node, ff, v);
}

int sc_pdfdoc_sigfields(sc_pdfdoc *d, sc_sigfield **out)
{
    *out = NULL;
    walker W = {d, NULL, 0, 0, 0, NULL, 0};
    /* which page each annotation is on */
    qpdf_oh trailer = sym_qpdf_get_trailer(d->q);
    W.nids = int_key(d, trailer, "/Size", 0);
    if (W.nids > 0 && W.nids < 10000000 &&
        (W.annot_page = sc_malloc((size_t)W.nids * sizeof *W.annot_page))) {
        for (int i = 0; i < W.nids; i++)
            W.annot_page[i] = -1;
        int np = sym_qpdf_get_num_pages(d->q);
        for (int p = 0; p < np; p++) {
            qpdf_oh annots = sym_qpdf_oh_get_key(d->q, sym_qpdf_get_page_n(d->q, (size_t)p), "/Annots");
            int na = sym_qpdf_oh_is_array(d->q, annots) ? sym_qpdf_oh_get_array_n_items(d->q, annots) : 0;
            for (int k = 0; k < na; k++) {
                int id = sym_qpdf_oh_get_object_id(d->q, sym_qpdf_oh_get_array_item(d->q, annots, k));
                if (id > 0 && id < W.nids)
                    W.annot_page[id] = p;
            }
        }
    } else {
        W.nids = 0;
    }
    qpdf_oh acro = sym_qpdf_oh_get_key(d->q, sym_qpdf_get_root(d->q), "/AcroForm");
    qpdf_oh fields = sym_qpdf_oh_get_key(d->q, acro, "/Fields");
    int nf = sym_qpdf_oh_is_array(d->q, fields) ? sym_qpdf_oh_get_array_n_items(d->q, fields) : 0;
    for (int i = 0; i < nf && !W.oom; i++)
        walk(&W, sym_qpdf_oh_get_array_item(d->q, fields, i), "", "", 0, 0, 0);
    sc_free(W.annot_page);
    if (W.oom) {
        sc_sigfields_free(W.v, W.n);
        return -1;
    }
    *out = W.v;
    return W.n;
}

void sc_sigfields_free(sc_sigfield *f, int n)
{
    for (int i = 0; f && i < n; i++) {
        sc_free(f[i].name);
        sc_free(f[i].tu);
    }
    sc_free(f);
}
