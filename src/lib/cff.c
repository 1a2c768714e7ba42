/* cff.c -- OpenType fonts with CFF outlines: our own check of the 'CFF '
 * table, and subsets made by HarfBuzz.
 *
 * Why HarfBuzz.  A CFF subset has to rewrite charstrings, renumber and
 * prune the global and local subroutines, split FDSelect and the FDArray
 * of a CID-keyed font: much harder than TrueType's glyf/loca, and easy to
 * get subtly wrong (a dropped subroutine loses strokes).  HarfBuzz's
 * subsetter (libharfbuzz-subset, Debian 12) does exactly that and is
 * fuzzed upstream.  TrueType faces keep our own subsetter (subset.c),
 * which is faster and smaller on our pages (docs/performance.md).
 *
 * What HarfBuzz sees.  Never the file: a face made of the tables we have
 * checked -- 'CFF ' (mapped read-only from the file), and copies of head
 * and maxp -- nothing else (hb_face_create_for_tables).  Before that,
 * sc_cff_open walks the table with bounds checks: the header; the Name,
 * Top DICT, String and Global Subr INDEXes; the Top DICT (charstring type
 * 2, CharStrings, charset, Private or ROS + FDArray + FDSelect); the
 * CharStrings INDEX (one charstring per glyph of maxp); the charset
 * (every CID once); FDSelect (formats 0 and 3, every FD inside the
 * FDArray); each Private DICT and its local Subrs INDEX.  Each INDEX's
 * offsets must start at 1, ascend and end inside the table.  What the
 * charstrings say is left to HarfBuzz, which checks them itself (its
 * sanitizer and charstring interpreter are bounds-checked).
 *
 * CIDs.  A CID-keyed font (ROS in the Top DICT; Noto CJK, Source Han)
 * keeps its charset through HarfBuzz: the subset's glyph i still carries
 * the CID the full font gave it.  So the content stream writes the
 * font's own CIDs (sc_subset_code), the CIDFontType0 finds each glyph
 * through the subset's charset (ISO 32000-1 9.7.4.2), and /W, CIDSet and
 * ToUnicode are keyed by those CIDs.  A name-keyed CFF (most Latin .otf)
 * has no CIDs: there the PDF's CID is the glyph index, so the content
 * stream writes our ids in order of first use, as for TrueType, and the
 * subset's CharStrings INDEX (which HarfBuzz orders by original glyph id)
 * is permuted into that order, and its charset with it.
 *
 * The font program is the bare CFF table (FontFile3 /CIDFontType0C),
 * compressed whole with libdeflate: CFF faces do not use the font cache's
 * per-process base (subset.c), which is built from TrueType outlines.
 */
#include "dl_hb.h"
#include "fontengine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define STACK_MAX 48 /* DICT operands (CFF spec: 48) */

struct sc_cff {
    const char *path;      /* borrowed from the face */
    void *map;             /* the mapped pages holding the table */
    size_t map_len;
    const unsigned char *t; /* the table */
    size_t len;
    unsigned nglyphs;
    int cid_keyed;
    uint16_t *cid;         /* cid-keyed: glyph id -> CID */
    unsigned char head[54], maxp[6];
    hb_face_t *hb;
};

/* ---- the checks ---------------------------------------------------------- */

typedef struct chk {
    const sc_cff *c;
    sc_error *err;
} chk;

static sc_status bad(chk *k, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sc_error_set(k->err, SC_ERR_FONT, k->c->path, 0, 0,
                        "malformed font %s: CFF table: %s; map the role to "
                        "another font", k->c->path, msg);
}

static unsigned g16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

static uint32_t goff(const unsigned char *p, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v = v << 8 | p[i];
    return v;
}

/* An INDEX at `at`: its count, where its data starts (the byte before the
 * first, as offsets count from 1) and where it ends. */
typedef struct cindex {
    unsigned count, offsize;
    size_t offs;   /* the offset array */
    size_t data;   /* offsets are relative to data - 1 */
    size_t end;
} cindex;

static sc_status read_index(chk *k, size_t at, const char *what, cindex *x)
{
    const unsigned char *t = k->c->t;
    size_t len = k->c->len;
    memset(x, 0, sizeof *x);
    if (at > len || len - at < 2)
        return bad(k, "%s INDEX starts beyond the table", what);
    x->count = g16(t + at);
    if (x->count == 0) {
        x->end = at + 2;
        return SC_OK;
    }
    if (len - at < 3)
        return bad(k, "%s INDEX header truncated", what);
    x->offsize = t[at + 2];
    if (x->offsize < 1 || x->offsize > 4)
        return bad(k, "%s INDEX has offset size %u", what, x->offsize);
    x->offs = at + 3;
    uint64_t arr = (uint64_t)(x->count + 1) * x->offsize;
    if (arr > len - x->offs)
        return bad(k, "%s INDEX offsets (%u entries) run past the table",
                   what, x->count);
    x->data = x->offs + (size_t)arr;
    uint32_t prev = 0;
    for (unsigned i = 0; i <= x->count; i++) {
        uint32_t o = goff(t + x->offs + (size_t)i * x->offsize, x->offsize);
        if ((i == 0 && o != 1) || (i > 0 && o < prev))
            return bad(k, "%s INDEX offsets are not ascending from 1 "
                       "(entry %u)", what, i);
        prev = o;
    }
    if ((uint64_t)prev - 1 > len - x->data)
        return bad(k, "%s INDEX data (%u bytes) runs past the table", what,
                   prev - 1);
    x->end = x->data + prev - 1;
    return SC_OK;
}

/* Byte range of entry i of INDEX x. */
static void index_entry(const chk *k, const cindex *x, unsigned i,
                        size_t *start, size_t *end)
{
    const unsigned char *t = k->c->t;
    *start = x->data - 1 + goff(t + x->offs + (size_t)i * x->offsize,
                                x->offsize);
    *end = x->data - 1 + goff(t + x->offs + (size_t)(i + 1) * x->offsize,
                              x->offsize);
}

/* The DICT operators we need, with their (integer) operands. */
typedef struct dict {
    long charstrings, charset, fdarray, fdselect, subrs;
    long priv_size, priv_off;
    long cstype;
    int ros, has_priv;
} dict;

static sc_status read_dict(chk *k, size_t at, size_t end, const char *what,
                           dict *d)
{
    const unsigned char *t = k->c->t;
    memset(d, 0, sizeof *d);
    d->charstrings = d->fdarray = d->fdselect = d->subrs = -1;
    d->cstype = 2;
    long stack[STACK_MAX];
    int n = 0;
    size_t p = at;
    while (p < end) {
        unsigned b = t[p];
        long v = 0;
        if (b == 28 || b == 29 || b == 30 || (b >= 32 && b <= 254)) {
            if (b == 30) { /* a real: skip its nibbles, keep 0 */
                p++;
                while (p < end && (t[p] & 0x0F) != 0x0F &&
                       (t[p] & 0xF0) != 0xF0)
                    p++;
                if (p >= end)
                    return bad(k, "%s DICT: a real number runs past its end",
                               what);
                p++;
            } else if (b == 28) {
                if (end - p < 3)
                    return bad(k, "%s DICT operand truncated", what);
                v = (int16_t)g16(t + p + 1);
                p += 3;
            } else if (b == 29) {
                if (end - p < 5)
                    return bad(k, "%s DICT operand truncated", what);
                v = (int32_t)goff(t + p + 1, 4);
                p += 5;
            } else if (b <= 246) {
                v = (long)b - 139;
                p++;
            } else {
                if (end - p < 2)
                    return bad(k, "%s DICT operand truncated", what);
                v = b <= 250 ? ((long)b - 247) * 256 + t[p + 1] + 108
                             : -((long)b - 251) * 256 - t[p + 1] - 108;
                p += 2;
            }
            if (n == STACK_MAX)
                return bad(k, "%s DICT has more than %d operands", what,
                           STACK_MAX);
            stack[n++] = v;
            continue;
        }
        unsigned op = b;
        p++;
        if (b == 12) {
            if (p >= end)
                return bad(k, "%s DICT: escaped operator truncated", what);
            op = 1200 + t[p++];
        } else if (b > 21) {
            return bad(k, "%s DICT: reserved operator %u", what, b);
        }
        switch (op) {
        case 17: d->charstrings = n ? stack[n - 1] : -1; break;
        case 15: d->charset = n ? stack[n - 1] : 0; break;
        case 18:
            if (n < 2)
                return bad(k, "%s DICT: Private needs size and offset", what);
            d->priv_size = stack[n - 2];
            d->priv_off = stack[n - 1];
            d->has_priv = 1;
            break;
        case 19: d->subrs = n ? stack[n - 1] : -1; break;
        case 1206: d->cstype = n ? stack[n - 1] : 2; break;
        case 1230: d->ros = 1; break;
        case 1236: d->fdarray = n ? stack[n - 1] : -1; break;
        case 1237: d->fdselect = n ? stack[n - 1] : -1; break;
        default: break;
        }
        n = 0;
    }
    return SC_OK;
}

/* A Private DICT (size, offset from the table start) and its Subrs. */
static sc_status check_private(chk *k, const dict *owner, const char *what)
{
    if (!owner->has_priv)
        return bad(k, "%s has no Private DICT", what);
    if (owner->priv_size < 0 || owner->priv_off < 0 ||
        (uint64_t)owner->priv_off + (uint64_t)owner->priv_size > k->c->len)
        return bad(k, "%s Private DICT (%ld bytes at %ld) lies outside the "
                   "table", what, owner->priv_size, owner->priv_off);
    dict pd;
    size_t at = (size_t)owner->priv_off;
    sc_status st = read_dict(k, at, at + (size_t)owner->priv_size, "Private",
                             &pd);
    if (st || pd.subrs < 0)
        return st;
    if ((uint64_t)pd.subrs > k->c->len - at)
        return bad(k, "%s local Subrs lie beyond the table", what);
    cindex sx;
    return read_index(k, at + (size_t)pd.subrs, "local Subrs", &sx);
}

/* charset: glyph id -> SID (name-keyed) or CID; only CIDs are kept. */
static sc_status check_charset(chk *k, long off, sc_cff *c)
{
    unsigned n = c->nglyphs;
    if (off >= 0 && off <= 2) {
        if (c->cid_keyed)
            return bad(k, "a CID-keyed font needs its own charset");
        return SC_OK; /* predefined: name-keyed, names are not used */
    }
    if ((uint64_t)off >= c->len)
        return bad(k, "charset starts beyond the table");
    const unsigned char *t = c->t;
    size_t p = (size_t)off, len = c->len;
    unsigned fmt = t[p++];
    if (c->cid_keyed && !(c->cid = sc_calloc(n, sizeof *c->cid)))
        return sc_error_set(k->err, SC_ERR_NOMEM, c->path, 0, 0,
                            "out of memory");
    unsigned char *seen = c->cid_keyed ? sc_calloc(8192, 1) : NULL;
    if (c->cid_keyed && !seen)
        return sc_error_set(k->err, SC_ERR_NOMEM, c->path, 0, 0,
                            "out of memory");
    if (seen)
        seen[0] = 1; /* CID 0 is .notdef, glyph 0 */
    sc_status st = SC_OK;
    for (unsigned g = 1; g < n && st == SC_OK;) {
        unsigned first, count;
        if (fmt == 0) {
            if (len - p < 2) {
                st = bad(k, "charset (format 0) truncated at glyph %u", g);
                break;
            }
            first = g16(t + p);
            count = 1;
            p += 2;
        } else if (fmt == 1 || fmt == 2) {
            size_t rl = fmt == 1 ? 3 : 4;
            if (len - p < rl) {
                st = bad(k, "charset (format %u) truncated at glyph %u", fmt,
                         g);
                break;
            }
            first = g16(t + p);
            count = (fmt == 1 ? t[p + 2] : g16(t + p + 2)) + 1u;
            p += rl;
        } else {
            st = bad(k, "charset format %u is not 0, 1 or 2", fmt);
            break;
        }
        for (unsigned i = 0; i < count && g < n; i++, g++) {
            unsigned id = first + i;
            if (!c->cid_keyed)
                continue;
            if (id > 0xFFFF || (seen[id >> 3] & (1u << (id & 7)))) {
                st = bad(k, "charset gives glyph %u the CID %u, which is "
                         "out of range or already taken", g, id);
                break;
            }
            seen[id >> 3] |= (unsigned char)(1u << (id & 7));
            c->cid[g] = (uint16_t)id;
        }
    }
    free(seen);
    return st;
}

/* FDSelect: every glyph's FD inside the FDArray. */
static sc_status check_fdselect(chk *k, long off, unsigned nfds)
{
    const sc_cff *c = k->c;
    if (off < 0 || (uint64_t)off >= c->len)
        return bad(k, "FDSelect missing or beyond the table");
    const unsigned char *t = c->t;
    size_t p = (size_t)off, len = c->len;
    unsigned fmt = t[p++];
    if (fmt == 0) {
        if (len - p < c->nglyphs)
            return bad(k, "FDSelect (format 0) truncated");
        for (unsigned g = 0; g < c->nglyphs; g++)
            if (t[p + g] >= nfds)
                return bad(k, "FDSelect gives glyph %u the FD %u of %u", g,
                           t[p + g], nfds);
        return SC_OK;
    }
    if (fmt != 3)
        return bad(k, "FDSelect format %u is not 0 or 3", fmt);
    if (len - p < 2)
        return bad(k, "FDSelect (format 3) truncated");
    unsigned nr = g16(t + p);
    p += 2;
    if (nr == 0 || (uint64_t)nr * 3 + 2 > len - p)
        return bad(k, "FDSelect (format 3) has %u ranges, more than the "
                   "table holds", nr);
    unsigned prev = 0;
    for (unsigned i = 0; i < nr; i++) {
        unsigned first = g16(t + p + 3 * i), fd = t[p + 3 * i + 2];
        if ((i == 0 && first != 0) || (i > 0 && first <= prev))
            return bad(k, "FDSelect ranges do not ascend from glyph 0");
        if (fd >= nfds)
            return bad(k, "FDSelect gives glyphs from %u the FD %u of %u",
                       first, fd, nfds);
        prev = first;
    }
    unsigned sentinel = g16(t + p + 3 * nr);
    if (sentinel != c->nglyphs || prev >= sentinel)
        return bad(k, "FDSelect ends at glyph %u, not at the %u glyphs of "
                   "the font", sentinel, c->nglyphs);
    return SC_OK;
}

static sc_status check_table(chk *k, sc_cff *c)
{
    const unsigned char *t = c->t;
    if (c->len < 4)
        return bad(k, "header truncated");
    if (t[0] != 1)
        return bad(k, "major version %u (CFF2 and later are not supported)",
                   t[0]);
    if (t[2] < 4 || t[2] > c->len)
        return bad(k, "header size %u", t[2]);
    cindex names, tops, strings, gsubrs, cs;
    sc_status st;
    if ((st = read_index(k, t[2], "Name", &names)) ||
        (st = read_index(k, names.end, "Top DICT", &tops)) ||
        (st = read_index(k, tops.end, "String", &strings)) ||
        (st = read_index(k, strings.end, "Global Subr", &gsubrs)))
        return st;
    if (names.count != 1 || tops.count != 1)
        return bad(k, "holds %u fonts (an OpenType font's CFF holds one)",
                   tops.count);
    size_t a, b;
    index_entry(k, &tops, 0, &a, &b);
    dict top;
    if ((st = read_dict(k, a, b, "Top", &top)))
        return st;
    if (top.cstype != 2)
        return bad(k, "charstring type %ld (only type 2 is supported)",
                   top.cstype);
    if (top.charstrings <= 0 || (uint64_t)top.charstrings >= c->len)
        return bad(k, "CharStrings missing or beyond the table");
    if ((st = read_index(k, (size_t)top.charstrings, "CharStrings", &cs)))
        return st;
    if (cs.count != c->nglyphs)
        return bad(k, "%u charstrings for the %u glyphs of maxp", cs.count,
                   c->nglyphs);
    c->cid_keyed = top.ros;
    if ((st = check_charset(k, top.charset, c)))
        return st;
    if (!top.ros)
        return check_private(k, &top, "Top DICT");
    if (top.fdarray <= 0 || (uint64_t)top.fdarray >= c->len)
        return bad(k, "FDArray missing or beyond the table");
    cindex fds;
    if ((st = read_index(k, (size_t)top.fdarray, "FDArray", &fds)))
        return st;
    if (fds.count == 0 || fds.count > 256)
        return bad(k, "FDArray holds %u Font DICTs", fds.count);
    for (unsigned i = 0; i < fds.count; i++) {
        dict fd;
        index_entry(k, &fds, i, &a, &b);
        if ((st = read_dict(k, a, b, "Font", &fd)) ||
            (st = check_private(k, &fd, "a Font DICT")))
            return st;
    }
    return check_fdselect(k, top.fdselect, fds.count);
}

/* ---- the HarfBuzz face ---------------------------------------------------- */

static hb_blob_t *table_of(hb_face_t *face, hb_tag_t tag, void *ud)
{
    (void)face;
    sc_cff *c = ud;
    if (tag == HB_TAG('C', 'F', 'F', ' '))
        return sym_hb_blob_create((const char *)c->t, (unsigned)c->len,
                              HB_MEMORY_MODE_READONLY, NULL, NULL);
    if (tag == HB_TAG('h', 'e', 'a', 'd'))
        return sym_hb_blob_create((const char *)c->head, sizeof c->head,
                              HB_MEMORY_MODE_READONLY, NULL, NULL);
    if (tag == HB_TAG('m', 'a', 'x', 'p'))
        return sym_hb_blob_create((const char *)c->maxp, sizeof c->maxp,
                              HB_MEMORY_MODE_READONLY, NULL, NULL);
    return NULL;
}

sc_status sc_cff_open(sc_cff **out, int fd, uint64_t off, uint32_t len,
                      const sc_face_info *in, const char *path,
                      sc_error *err)
{
    *out = NULL;
    sc_cff *c = sc_calloc(1, sizeof *c);
    if (!c)
        return sc_error_set(err, SC_ERR_NOMEM, path, 0, 0, "out of memory");
    c->path = path;
    c->nglyphs = in->nglyphs;
    memcpy(c->head, in->head, sizeof c->head);
    memcpy(c->maxp, "\0\0\x50\0", 4); /* version 0.5: CFF outlines */
    c->maxp[4] = (unsigned char)(in->nglyphs >> 8);
    c->maxp[5] = (unsigned char)in->nglyphs;
    /* Mapped, not read: the table of a CJK collection is ~17 MB, of which
     * a document touches a few hundred KB. */
    long pg = sysconf(_SC_PAGESIZE);
    uint64_t start = off - off % (uint64_t)(pg > 0 ? pg : 4096);
    c->map_len = (size_t)(off - start) + len;
    c->map = len ? mmap(NULL, c->map_len, PROT_READ, MAP_PRIVATE, fd,
                        (off_t)start)
                 : MAP_FAILED;
    if (c->map == MAP_FAILED) {
        c->map = NULL;
        sc_cff_free(c);
        return sc_error_set(err, SC_ERR_FONT, path, 0, 0,
                            "cannot read font %s: its CFF table is empty or "
                            "cannot be mapped", path);
    }
    c->t = (const unsigned char *)c->map + (off - start);
    c->len = len;
    chk k = {c, err};
    sc_status st = check_table(&k, c);
    /* HarfBuzz is loaded by the first CFF face (dl_hb.c): a map of
     * TrueType fonts never pays for it */
    sc_error why;
    if (st == SC_OK && sc_hb_load(&why) != SC_OK)
        st = sc_error_set(err, SC_ERR_LIBRARY, path, 0, 0, "cannot use font %s: %s", path,
                          why.message);
    if (st == SC_OK) {
        c->hb = sym_hb_face_create_for_tables(table_of, c, NULL);
        if (!c->hb || c->hb == sym_hb_face_get_empty())
            st = sc_error_set(err, SC_ERR_NOMEM, path, 0, 0, "out of memory");
        else
            sym_hb_face_set_upem(c->hb, in->upem);
    }
    if (st != SC_OK) {
        sc_cff_free(c);
        return st;
    }
    *out = c;
    return SC_OK;
}

void sc_cff_free(sc_cff *c)
{
    if (!c)
        return;
    if (c->hb)
        sym_hb_face_destroy(c->hb);
    if (c->map)
        munmap(c->map, c->map_len);
    free(c->cid);
    free(c);
}

long sc_cff_cid(const sc_cff *c, unsigned gid)
{
    if (!c || !c->cid_keyed || gid >= c->nglyphs)
        return -1;
    return c->cid[gid];
}

/* ---- subsetting ---------------------------------------------------------- */

/* The subset's glyph i (HarfBuzz orders by original glyph id) becomes our
 * id: permute the CharStrings INDEX (same size: same entries) and write a
 * format 0 charset in the order of the new glyphs at the end of the table,
 * pointing the Top DICT's 5-byte charset offset at it.  newid[i] is the
 * subset glyph of our id i (HarfBuzz's plan says).  Glyphs HarfBuzz added
 * (the base and accent of a seac) follow ours.  0 if the subset does not
 * have the layout this expects. */
static int reorder(const sc_cff *full, const sc_subset *s,
                   const unsigned *newid, const unsigned char *t, size_t len,
                   unsigned char **out, size_t *olen)
{
    chk k = {NULL, NULL};
    sc_cff sub = {0};
    sub.t = t;
    sub.len = len;
    sub.path = full->path;
    k.c = &sub;
    sc_error e;
    k.err = &e;
    cindex names, tops, strings, gsubrs, cs;
    if (len < 4 || read_index(&k, t[2], "Name", &names) ||
        read_index(&k, names.end, "Top DICT", &tops) || tops.count != 1 ||
        read_index(&k, tops.end, "String", &strings) ||
        read_index(&k, strings.end, "Global Subr", &gsubrs))
        return 0;
    size_t ta, tb;
    index_entry(&k, &tops, 0, &ta, &tb);
    dict top;
    if (read_dict(&k, ta, tb, "Top", &top) || top.ros ||
        top.charstrings <= 0 ||
        read_index(&k, (size_t)top.charstrings, "CharStrings", &cs))
        return 0;
    /* where the charset operand is: 29 b b b b 15 */
    size_t cs_op = 0;
    for (size_t p = ta; p + 6 <= tb; p++)
        if (t[p] == 29 && t[p + 5] == 15 &&
            (long)(int32_t)goff(t + p + 1, 4) == top.charset)
            cs_op = p;
    if (!cs_op || top.charset < 3 || (uint64_t)top.charset >= len)
        return 0;
    unsigned n = cs.count;
    unsigned *order = sc_malloc((size_t)n * sizeof *order);
    unsigned char *taken = sc_calloc(n ? n : 1, 1);
    uint16_t *sid = sc_malloc((size_t)n * sizeof *sid);
    unsigned char *o = NULL;
    int ok = order && taken && sid;
    /* the subset's charset (names) in its own order */
    if (ok) {
        size_t p = (size_t)top.charset;
        unsigned fmt = t[p++];
        sid[0] = 0;
        for (unsigned g = 1; ok && g < n;) {
            unsigned first, count;
            if (fmt == 0 && len - p >= 2) {
                first = g16(t + p), count = 1, p += 2;
            } else if (fmt == 1 && len - p >= 3) {
                first = g16(t + p), count = t[p + 2] + 1u, p += 3;
            } else if (fmt == 2 && len - p >= 4) {
                first = g16(t + p), count = g16(t + p + 2) + 1u, p += 4;
            } else {
                ok = 0;
                break;
            }
            for (unsigned i = 0; i < count && g < n; i++)
                sid[g++] = (uint16_t)(first + i);
        }
    }
    /* our id i is HarfBuzz's glyph newid[i]; glyphs HarfBuzz added
     * follow ours, in its order */
    unsigned ours = sc_subset_count(s);
    ok = ok && ours <= n;
    for (unsigned i = 0; ok && i < ours; i++) {
        ok = newid[i] < n && !taken[newid[i]];
        if (ok) {
            taken[newid[i]] = 1;
            order[i] = newid[i];
        }
    }
    for (unsigned j = 0, i = ours; ok && j < n; j++)
        if (!taken[j])
            order[i++] = j;
    size_t csize = 1 + 2 * (size_t)(n - 1);
    if (ok) {
        *olen = len + csize;
        o = sc_malloc(*olen);
        ok = o != NULL;
    }
    if (ok) {
        memcpy(o, t, len);
        /* CharStrings: entry i = HarfBuzz's entry order[i] */
        size_t at = cs.data;
        for (unsigned i = 0; i < n; i++) {
            size_t a, b;
            index_entry(&k, &cs, order[i], &a, &b);
            uint32_t rel = (uint32_t)(at - cs.data + 1);
            for (unsigned q = 0; q < cs.offsize; q++)
                o[cs.offs + (size_t)i * cs.offsize + q] =
                    (unsigned char)(rel >> (8 * (cs.offsize - 1 - q)));
            memcpy(o + at, t + a, b - a);
            at += b - a;
        }
        /* the charset, in the new order, at the end */
        unsigned char *p = o + len;
        *p++ = 0;
        for (unsigned i = 1; i < n; i++) {
            *p++ = (unsigned char)(sid[order[i]] >> 8);
            *p++ = (unsigned char)sid[order[i]];
        }
        uint32_t v = (uint32_t)len;
        o[cs_op + 1] = (unsigned char)(v >> 24);
        o[cs_op + 2] = (unsigned char)(v >> 16);
        o[cs_op + 3] = (unsigned char)(v >> 8);
        o[cs_op + 4] = (unsigned char)v;
    }
    free(order);
    free(taken);
    free(sid);
    if (!ok) {
        free(o);
        return 0;
    }
    *out = o;
    return 1;
}

sc_status sc_cff_build(const sc_cff *c, const sc_subset *s, sc_flate *fl,
                       unsigned char **z, size_t *zlen, size_t *rawlen,
                       sc_error *err)
{
    *z = NULL;
    *zlen = *rawlen = 0;
    hb_subset_input_t *in = sym_hb_subset_input_create_or_fail();
    if (!in)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    hb_set_t *gs = sym_hb_subset_input_glyph_set(in);
    for (unsigned i = 0; i < sc_subset_count(s); i++)
        sym_hb_set_add(gs, sc_subset_orig(s, i));
    sym_hb_set_clear(sym_hb_subset_input_unicode_set(in));
    /* Only the CFF table is embedded: drop every other one, and with
     * them any closure over GSUB (which would add the locl variants). */
    hb_set_t *drop = sym_hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
    sym_hb_set_clear(drop);
    sym_hb_set_invert(drop);
    sym_hb_set_del(drop, HB_TAG('C', 'F', 'F', ' '));
    sym_hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING |
                                      HB_SUBSET_FLAGS_NOTDEF_OUTLINE);
    /* Through a plan, for its glyph map: a name-keyed subset is put into
     * our order (reorder). */
    hb_subset_plan_t *plan = sym_hb_subset_plan_create_or_fail(c->hb, in);
    sym_hb_subset_input_destroy(in);
    unsigned ours = sc_subset_count(s);
    unsigned *newid = sc_malloc((ours ? ours : 1) * sizeof *newid);
    if (plan && newid) {
        const hb_map_t *m = sym_hb_subset_plan_old_to_new_glyph_mapping(plan);
        for (unsigned i = 0; i < ours; i++)
            newid[i] = sym_hb_map_get(m, sc_subset_orig(s, i));
    }
    hb_face_t *sub = plan && newid ? sym_hb_subset_plan_execute_or_fail(plan)
                                   : NULL;
    sym_hb_subset_plan_destroy(plan);
    hb_blob_t *blob = sub ? sym_hb_face_reference_table(
                                sub, HB_TAG('C', 'F', 'F', ' '))
                          : NULL;
    unsigned blen = 0;
    const char *bytes = blob ? sym_hb_blob_get_data(blob, &blen) : NULL;
    unsigned char *mine = NULL;
    size_t mlen = 0;
    sc_status st = SC_OK;
    if (!bytes || !blen)
        st = sc_error_set(err, SC_ERR_FONT, c->path, 0, 0,
                          "cannot subset font %s: HarfBuzz refused its CFF "
                          "outlines (a malformed charstring?); map the role "
                          "to another font", c->path);
    else if (!c->cid_keyed &&
             !reorder(c, s, newid, (const unsigned char *)bytes, blen, &mine,
                      &mlen))
        st = sc_error_set(err, SC_ERR_FONT, c->path, 0, 0,
                          "cannot subset font %s: the CFF subset does not "
                          "have the expected layout (internal error)",
                          c->path);
    if (st == SC_OK) {
        const unsigned char *prog = mine ? mine
                                         : (const unsigned char *)bytes;
        size_t plen = mine ? mlen : blen;
        if (sc_flate_zlib(fl, SC_FLATE_SMALL, prog, plen, z, zlen) != SC_OK)
            st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        *rawlen = plen;
    }
    free(mine);
    free(newid);
    sym_hb_blob_destroy(blob);
    sym_hb_face_destroy(sub);
    return st;
}
