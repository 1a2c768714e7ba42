/* fonts.c -- font roles, discovery (font map + fontconfig) and metrics.
 *
 * A font map (fonts/fonts.xml) names, for each role (body, heading, kai,
 * latin), an ordered fallback chain of at most SC_CHAIN_MAX fonts:
 *
 *   <fonts>
 *     <role name="body">
 *       <font family="AR PL UMing CN"
 *             file="/usr/share/fonts/truetype/arphic/uming.ttc" index="0"/>
 *       <font family="DejaVu Sans"
 *             file="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"/>
 *     </role>
 *     ...
 *   </fonts>
 *
 * Each <font> is resolved from its explicit file/index attributes if that
 * file is readable (a relative file is taken relative to the map);
 * otherwise through fontconfig by family (and optional style), accepting
 * the match only if its family really is the one asked for, since
 * fontconfig always returns *something*.  File first: the map then says
 * exactly which font is meant, and fontconfig (FcInit alone costs ~20 ms,
 * half the start-up budget) is not even started when every file is
 * there.  bold-style / bold-file / bold-index name a real bold face, found
 * the same way and loaded as an extra face outside the chains
 * (sc_fonts_bold).  A font found neither way is skipped and reported by
 * sc_fonts_describe; a role left with no font at all is an error, and so
 * is a font file that exists but is malformed.  The role "body" is
 * required; a role the map leaves out borrows body's chain.
 *
 * Faces are loaded once per (real path, index), however many roles use
 * them.  The file is mapped read-only and each face reads only what
 * metrics and subsetting need -- head, hhea, maxp, hmtx, cmap, OS/2, post,
 * name and loca -- where it lies (uming.ttc is 21 MB; a face touches
 * ~0.5 MB of it), and every offset read from the file is checked against
 * the table or file it points into before it is used: a malformed font
 * gives SC_ERR_FONT naming the file and the defect, never an out-of-bounds
 * read.  loca is validated whole at load (ascending, inside glyf), so a
 * glyph's outline can later be read (sc_face_glyph_read) without further
 * doubt about its range; subset.c checks the outline's inside.  CFF
 * outlines are cff.c's.
 *
 * Lookup structures: code point -> glyph id is a two-level table (0x1100
 * pages of 256 entries over the whole Unicode range, pages allocated only
 * where the cmap maps something, in one block); glyph id -> advance and
 * -> outline are read from hmtx and loca in the map.  All are immutable
 * after load, so a sc_fonts may be shared by threads.
 */
/* realpath() is XSI, beyond the _POSIX_C_SOURCE the build sets. */
#define _XOPEN_SOURCE 700

#include "dl_fc.h"
#include "fontengine.h"

#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NPAGES 0x1100u           /* (0x10FFFF >> 8) + 1 */
#define LANG_MAX 8               /* languages with chains of their own */
#define TABLE_MAX (64u << 20)    /* refuse tables larger than this */
#define NPUNCT 7                 /* marks Traditional text centres */

struct sc_face {
    char *path;       /* the file, as resolved */
    char *asked;      /* the file as the map (or fontconfig) named it */
    int index;        /* face index within a .ttc */
    char *family;     /* family name as the map asked for it */
    const char *how;  /* "fontconfig" or "file" */
    unsigned upem;
    double ascent, descent; /* em fractions, > 0 */
    uint32_t nglyphs;
    uint32_t nmapped; /* code points the cmap maps */
    const unsigned char *hmtx; /* nhm long metrics, in the map */
    uint32_t nhm;     /* numberOfHMetrics: glyphs past it repeat the last */
    uint16_t *page[NPAGES]; /* cp >> 8 -> 256 glyph ids; NULL: none */
    uint16_t *pages;  /* the one block page[] points into */
    int fd;           /* kept open (cff.c reads through it) */
    uint64_t fsize;   /* file size at load */
    uint32_t glyf_len;
    const unsigned char *loca; /* nglyphs + 1 offsets, validated; NULL: CFF */
    int loca_long;    /* head indexToLocFormat: 4-byte offsets, else halved */
    const unsigned char *glyf; /* glyf_len bytes in the map below */
    void *map;        /* the whole file, mapped read-only */
    size_t maplen;
    int bold;         /* face index of the real bold variant, or -1 */
    sc_cff *cff;      /* CFF outlines (cff.c), else NULL: glyf/loca */
    sc_face_info info;
    unsigned char head[54], hhea[36], maxp[32], post[32];
    unsigned char *os2;
    char psname[64];
    /* ，。、；：！？ of this face off the centre of the em box (mainland
     * style): the shift to its centre, font units; 0, 0 if centred */
    int16_t punct_dx[NPUNCT], punct_dy[NPUNCT];
};

typedef struct missing {
    char *family; /* a font of the map that resolved to nothing */
} missing;

struct sc_fonts {
    char *map;                /* the map file */
    sc_face **faces;
    int nfaces;
    int chain[SC_ROLE_COUNT][SC_CHAIN_MAX];
    int nchain[SC_ROLE_COUNT];
    int borrowed[SC_ROLE_COUNT]; /* 1: role absent from the map, uses body */
    char *missing[SC_ROLE_COUNT][SC_CHAIN_MAX];
    int nmissing[SC_ROLE_COUNT];
    /* Languages with chains of their own (<role lang="...">): each a view
     * with these faces, its chains and, for the roles it does not name,
     * ours.  A view owns only its chains (owner != NULL). */
    struct sc_fonts *lang_view[LANG_MAX];
    char *lang_tag[LANG_MAX];
    int nlangs;
    const struct sc_fonts *owner;
};

static const char *const role_names[SC_ROLE_COUNT] = {
    "body", "heading", "kai", "latin"};

int sc_role_parse(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < SC_ROLE_COUNT; i++)
        if (!strcmp(name, role_names[i]))
            return i;
    return -1;
}

const char *sc_role_name(int role)
{
    if (role < 0 || role >= SC_ROLE_COUNT)
        return "?";
    return role_names[role];
}

/* ---- face accessors ---------------------------------------------------- */

static uint16_t u16(const unsigned char *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static int16_t s16(const unsigned char *p) { return (int16_t)u16(p); }
static uint32_t u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Glyph g's advance, font units, straight from hmtx (g < nglyphs). */
static unsigned face_adv(const sc_face *f, unsigned g)
{
    return u16(f->hmtx + 4 * (g < f->nhm ? g : f->nhm - 1));
}

/* Glyph g's offset into glyf (g <= nglyphs; loca is validated at load). */
static uint32_t loca_at(const sc_face *f, unsigned g)
{
    return f->loca_long ? u32(f->loca + 4 * g) : 2u * u16(f->loca + 2 * g);
}

static unsigned face_glyph(const sc_face *f, uint32_t cp)
{
    if (cp > 0x10FFFF)
        return 0;
    const uint16_t *p = f->page[cp >> 8];
    return p ? p[cp & 0xFF] : 0;
}

int sc_face_has(const sc_face *face, uint32_t cp)
{
    return face && face_glyph(face, cp) != 0;
}

double sc_face_advance(const sc_face *face, uint32_t cp)
{
    if (!face)
        return 0;
    unsigned g = face_glyph(face, cp);
    if (!g)
        return 0;
    return (double)face_adv(face, g) / (double)face->upem;
}

double sc_face_ascent(const sc_face *face) { return face ? face->ascent : 0.88; }
double sc_face_descent(const sc_face *face) { return face ? face->descent : 0.12; }
const char *sc_face_path(const sc_face *face) { return face ? face->path : ""; }
int sc_face_index(const sc_face *face) { return face ? face->index : 0; }
const char *sc_face_family(const sc_face *face) { return face ? face->family : ""; }

int sc_fonts_nfaces(const sc_fonts *f) { return f ? f->nfaces : 0; }

const sc_face *sc_fonts_face(const sc_fonts *f, int face)
{
    if (!f || face < 0 || face >= f->nfaces)
        return NULL;
    return f->faces[face];
}

/* Every plane: the PDF side embeds its own subsets (pdf.c, subset.c) and
 * writes 2-byte CIDs, so a character beyond U+FFFF (U+20BB7 in a name) is
 * drawn by the first face that has it like any other. */
int sc_fonts_pick(const sc_fonts *f, int role, uint32_t cp)
{
    if (!f || role < 0 || role >= SC_ROLE_COUNT || cp > 0x10FFFF)
        return -1;
    for (int i = 0; i < f->nchain[role]; i++) {
        int fi = f->chain[role][i];
        if (face_glyph(f->faces[fi], cp))
            return fi;
    }
    return -1;
}

double sc_fonts_advance(const sc_fonts *f, int role, uint32_t cp, int *face)
{
    *face = -1;
    if (!f || role < 0 || role >= SC_ROLE_COUNT || cp > 0x10FFFF)
        return 0;
    for (int i = 0; i < f->nchain[role]; i++) {
        int fi = f->chain[role][i];
        const sc_face *fc = f->faces[fi];
        unsigned g = face_glyph(fc, cp);
        if (g) {
            *face = fi;
            return (double)face_adv(fc, g) / (double)fc->upem;
        }
    }
    return 0;
}

static void face_free(sc_face *f)
{
    if (!f)
        return;
    free(f->pages);
    sc_cff_free(f->cff);
    if (f->map)
        munmap(f->map, f->maplen);
    if (f->fd >= 0)
        close(f->fd);
    free(f->os2);
    free(f->path);
    free(f->asked);
    free(f->family);
    free(f);
}

/* ---- the TrueType reader ----------------------------------------------- */

/* The file, mapped whole and read-only: tables are read where they lie
 * (hmtx, loca and cmap are neither copied nor converted; uming.ttc's are
 * ~0.5 MB a face) and every offset is checked against size first. */
typedef struct reader {
    const unsigned char *map;
    uint64_t size;
    const char *path;
    sc_error *err;
} reader;

static sc_status bad(reader *r, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sc_error_set(r->err, SC_ERR_FONT, r->path, 0, 0,
                        "malformed font %s: %s", r->path, msg);
}

/* Exactly n bytes at off, which must lie inside the file. */
static sc_status at(reader *r, uint64_t off, size_t n, const unsigned char **p,
                    const char *what)
{
    if (off > r->size || n > r->size - off)
        return bad(r, "%s (%zu bytes at offset %llu) lies beyond the end of "
                   "the file (%llu bytes)", what, n, (unsigned long long)off,
                   (unsigned long long)r->size);
    *p = r->map + off;
    return SC_OK;
}

/* at(), copied into buf. */
static sc_status rd(reader *r, uint64_t off, size_t n, void *buf,
                    const char *what)
{
    const unsigned char *p = NULL;
    sc_status st = at(r, off, n, &p, what);
    if (st == SC_OK)
        memcpy(buf, p, n);
    return st;
}

typedef struct table {
    uint32_t off, len;
    int present;
} table;

/* A whole table, where it lies in the map. */
static sc_status table_at(reader *r, const table *t, const char *tag,
                          const unsigned char **out)
{
    *out = NULL;
    if (t->len > TABLE_MAX)
        return bad(r, "table '%s' is implausibly large (%u bytes)", tag, t->len);
    char what[32];
    snprintf(what, sizeof what, "table '%s'", tag);
    return at(r, t->off, t->len, out, what);
}

/* The cmap is expanded into page[] in two walks of the chosen subtable:
 * the first marks the pages its ranges touch (one block is allocated for
 * them all), the second writes the glyph ids.  Each walk visits a code
 * point at most once: a range only covers code points above the previous
 * range's end, which also bounds the work for a hostile font (at most
 * 0x110000 code points).  A marked page may stay empty (its glyphs were
 * out of range); an empty page and no page both read as "not mapped". */
typedef struct cmap_walk {
    sc_face *f;
    unsigned char *used; /* first walk: NPAGES flags, else NULL */
} cmap_walk;

static void mark(cmap_walk *w, uint32_t lo, uint32_t hi)
{
    for (uint32_t pg = lo >> 8; pg <= hi >> 8; pg++)
        w->used[pg] = 1;
}

/* Format 4 (BMP segments), unsorted segments skipped as above; entries
 * pointing outside the table are skipped. */
static sc_status cmap4(reader *r, cmap_walk *w, const unsigned char *b,
                       uint32_t len, uint32_t o)
{
    sc_face *f = w->f;
    if ((uint64_t)o + 14 > len)
        return bad(r, "cmap format 4 subtable header truncated");
    uint32_t segx2 = u16(b + o + 6);
    if (segx2 == 0 || segx2 % 2)
        return bad(r, "cmap format 4 has an invalid segCountX2 (%u)", segx2);
    uint32_t ends = o + 14, starts = ends + segx2 + 2;
    uint32_t deltas = starts + segx2, ranges = deltas + segx2;
    if ((uint64_t)ranges + segx2 > len)
        return bad(r, "cmap format 4 segment arrays (%u segments) run past "
                   "the cmap table", segx2 / 2);
    int64_t prev_end = -1;
    for (uint32_t i = 0; i < segx2; i += 2) {
        uint32_t e = u16(b + ends + i), s = u16(b + starts + i);
        uint32_t d = u16(b + deltas + i), ro = u16(b + ranges + i);
        if (s > e || (int64_t)e <= prev_end)
            continue;
        uint32_t lo = (int64_t)s > prev_end ? s : (uint32_t)(prev_end + 1);
        prev_end = e;
        uint32_t hi = e < 0xFFFF ? e : 0xFFFE; /* U+FFFF ends the table */
        if (lo > hi)
            continue;
        if (w->used) {
            mark(w, lo, hi);
            continue;
        }
        for (uint32_t c = lo; c <= hi; c++) {
            uint32_t g;
            if (ro == 0) {
                g = (c + d) & 0xFFFF;
            } else {
                uint64_t a = (uint64_t)ranges + i + ro + 2ull * (c - s);
                if (a + 2 > len)
                    continue;
                g = u16(b + a);
                if (g)
                    g = (g + d) & 0xFFFF;
            }
            if (g && g < f->nglyphs) {
                f->page[c >> 8][c & 0xFF] = (uint16_t)g;
                f->nmapped++;
            }
        }
    }
    return SC_OK;
}

/* Format 12 (segmented coverage, all planes), bounded like format 4. */
static sc_status cmap12(reader *r, cmap_walk *w, const unsigned char *b,
                        uint32_t len, uint32_t o)
{
    sc_face *f = w->f;
    if ((uint64_t)o + 16 > len)
        return bad(r, "cmap format 12 subtable header truncated");
    uint32_t n = u32(b + o + 12);
    if ((uint64_t)o + 16 + 12ull * n > len)
        return bad(r, "cmap format 12 claims %u groups, more than the cmap "
                   "table holds", n);
    int64_t prev_end = -1;
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *gp = b + o + 16 + 12ull * i;
        uint32_t s = u32(gp), e = u32(gp + 4), g0 = u32(gp + 8);
        if (e > 0x10FFFF)
            e = 0x10FFFF;
        if (s > e || (int64_t)e <= prev_end)
            continue;
        uint32_t lo = (int64_t)s > prev_end ? s : (uint32_t)(prev_end + 1);
        prev_end = e;
        /* glyph g0 + (c - s): not glyph 0, and the group ends at the
         * font's last glyph */
        if (g0 >= f->nglyphs)
            continue;
        uint32_t hi = e - s > f->nglyphs - 1 - g0 ? s + (f->nglyphs - 1 - g0) : e;
        if (g0 == 0 && lo == s)
            lo++;
        if (lo > hi)
            continue;
        if (w->used) {
            mark(w, lo, hi);
            continue;
        }
        for (uint32_t c = lo; c <= hi;) {
            uint32_t last = (c | 0xFF) < hi ? (c | 0xFF) : hi; /* this page */
            uint16_t *p = f->page[c >> 8];
            uint32_t g = g0 + (c - s);
            for (uint32_t k = c & 0xFF; k <= (last & 0xFF); k++)
                p[k] = (uint16_t)g++;
            f->nmapped += last - c + 1;
            c = last + 1;
        }
    }
    return SC_OK;
}

/* Pick the best Unicode subtable: a full-range format 12 if there is one,
 * else a BMP format 4. */
static sc_status parse_cmap(reader *r, sc_face *f, const unsigned char *b,
                            uint32_t len)
{
    if (len < 4)
        return bad(r, "cmap table truncated");
    uint32_t n = u16(b + 2);
    if (4ull + 8ull * n > len)
        return bad(r, "cmap lists %u subtables, more than the table holds", n);
    int64_t best12 = -1, best4 = -1;
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *e = b + 4 + 8 * i;
        unsigned pid = u16(e), eid = u16(e + 2);
        uint32_t o = u32(e + 4);
        if ((uint64_t)o + 2 > len)
            return bad(r, "cmap subtable %u starts beyond the cmap table", i);
        unsigned fmt = u16(b + o);
        int uni = pid == 0 || (pid == 3 && (eid == 1 || eid == 10));
        if (!uni)
            continue;
        if (fmt == 12 && best12 < 0)
            best12 = o;
        else if (fmt == 4 && best4 < 0)
            best4 = o;
    }
    if (best12 < 0 && best4 < 0)
        return bad(r, "no Unicode cmap subtable (format 4 or 12)");
    unsigned char used[NPAGES] = {0};
    cmap_walk w = {f, used};
    sc_status st;
    for (int pass = 0; pass < 2; pass++) {
        st = best12 >= 0 ? cmap12(r, &w, b, len, (uint32_t)best12)
                         : cmap4(r, &w, b, len, (uint32_t)best4);
        if (st || pass)
            break;
        size_t npages = 0;
        for (unsigned i = 0; i < NPAGES; i++)
            npages += used[i];
        if (npages == 0)
            break;
        if (!(f->pages = sc_calloc(npages * 256, sizeof *f->pages)))
            return sc_error_set(r->err, SC_ERR_NOMEM, r->path, 0, 0,
                                "out of memory");
        uint16_t *p = f->pages;
        for (unsigned i = 0; i < NPAGES; i++)
            if (used[i]) {
                f->page[i] = p;
                p += 256;
            }
        w.used = NULL;
    }
    return st;
}

/* loca: nglyphs + 1 offsets into glyf (short: halved).  Validated here,
 * once, so that reading a glyph later never leaves the glyf table: each
 * offset must be >= the one before it and the last must lie inside glyf.
 * Both are read where they lie in the map: a document reads the few dozen
 * outlines of its own that its form's base does not hold. */
static sc_status parse_loca(reader *r, sc_face *f, const table *loca,
                            const table *glyf)
{
    int lng = s16(f->head + 50);
    if (lng != 0 && lng != 1)
        return bad(r, "head indexToLocFormat is %d (must be 0 or 1)", lng);
    uint64_t need = (uint64_t)(f->nglyphs + 1) * (lng ? 4 : 2);
    if (loca->len < need)
        return bad(r, "table 'loca' has %u bytes, fewer than the %llu that "
                   "%u glyphs need", loca->len, (unsigned long long)need,
                   f->nglyphs);
    const unsigned char *b = NULL;
    sc_status st = at(r, loca->off, (size_t)need, &b, "table 'loca'");
    if (st)
        return st;
    f->loca = b;
    f->loca_long = lng;
    /* ascending throughout, so inside glyf if the last one is (one
     * comparison per pair, no branch but the loop's) */
    int down = 0;
    if (lng)
        for (uint32_t g = 0; g < f->nglyphs; g++)
            down |= u32(b + 4 * g + 4) < u32(b + 4 * g);
    else
        for (uint32_t g = 0; g < f->nglyphs; g++)
            down |= u16(b + 2 * g + 2) < u16(b + 2 * g);
    if (down || loca_at(f, f->nglyphs) > glyf->len) /* say where */
        for (uint32_t g = 0; g <= f->nglyphs; g++) {
            uint32_t o = loca_at(f, g);
            if (g && o < loca_at(f, g - 1))
                return bad(r, "table 'loca' is not ascending at glyph %u", g);
            if (o > glyf->len)
                return bad(r, "glyph %u lies beyond the end of table 'glyf' "
                           "(offset %u, table %u bytes)", g, o, glyf->len);
        }
    f->glyf = r->map + glyf->off; /* inside the file: checked with the directory */
    f->glyf_len = glyf->len;
    return SC_OK;
}

/* Keep the PostScript name if it is plain printable ASCII without PDF
 * delimiters; otherwise (and if absent) derive one from the family. */
static void set_psname(sc_face *f, const char *cand)
{
    size_t k = 0;
    for (const char *p = cand; p && *p && k + 1 < sizeof f->psname; p++) {
        unsigned char c = (unsigned char)*p;
        if (c > 0x20 && c < 0x7F && !strchr("()<>[]{}/%#", c))
            f->psname[k++] = (char)c;
    }
    f->psname[k] = '\0';
}

/* name ID 6 (PostScript name), Windows Unicode or Mac Roman entry. */
static void parse_psname(reader *r, sc_face *f, const table *t)
{
    if (!t->present || t->len < 6 || t->len > TABLE_MAX)
        return;
    const unsigned char *b = NULL;
    sc_error dummy;
    reader r2 = *r;
    r2.err = &dummy; /* an unreadable name table is not worth failing on */
    if (table_at(&r2, t, "name", &b))
        return;
    unsigned n = u16(b + 2), soff = u16(b + 4);
    char out[64];
    for (unsigned i = 0; i < n && 6u + 12u * (i + 1) <= t->len; i++) {
        const unsigned char *e = b + 6 + 12 * i;
        unsigned pid = u16(e), nid = u16(e + 6), len = u16(e + 8);
        uint32_t off = (uint32_t)soff + u16(e + 10);
        if (nid != 6 || (uint64_t)off + len > t->len)
            continue;
        size_t k = 0;
        if (pid == 3 || pid == 0) {
            for (unsigned j = 0; j + 1 < len && k + 1 < sizeof out; j += 2)
                out[k++] = b[off + j] ? '?' : (char)b[off + j + 1];
        } else if (pid == 1) {
            for (unsigned j = 0; j < len && k + 1 < sizeof out; j++)
                out[k++] = (char)b[off + j];
        } else {
            continue;
        }
        out[k] = '\0';
        set_psname(f, out);
        if (f->psname[0])
            break;
    }
}

/* OS/2, post and name: only for the PDF font descriptor and the subset
 * font, so they are optional and read with generous fallbacks. */
static sc_status parse_extra(reader *r, sc_face *f, const table *os2,
                             const table *post, const table *name)
{
    sc_face_info *in = &f->info;
    sc_status st;
    in->weight = 400;
    in->cap_height = s16(f->hhea + 4);
    if (os2->present && os2->len >= 78) {
        size_t n = os2->len > 512 ? 512 : os2->len;
        if (!(f->os2 = sc_malloc(n)))
            return sc_error_set(r->err, SC_ERR_NOMEM, r->path, 0, 0,
                                "out of memory");
        if ((st = rd(r, os2->off, n, f->os2, "table 'OS/2'")))
            return st;
        in->os2 = f->os2;
        in->os2_len = n;
        in->weight = u16(f->os2 + 4);
        if (u16(f->os2) >= 2 && n >= 90 && s16(f->os2 + 88) > 0)
            in->cap_height = s16(f->os2 + 88);
    }
    if (post->present && post->len >= 32) {
        if ((st = rd(r, post->off, 32, f->post, "table 'post'")))
            return st;
        in->italic_angle = (double)(int32_t)u32(f->post + 4) / 65536.0;
        in->fixed_pitch = u32(f->post + 12) != 0;
    }
    parse_psname(r, f, name);
    if (!f->psname[0])
        set_psname(f, f->family);
    if (!f->psname[0])
        snprintf(f->psname, sizeof f->psname, "Font");
    in->upem = f->upem;
    in->nglyphs = f->nglyphs;
    in->xmin = s16(f->head + 36);
    in->ymin = s16(f->head + 38);
    in->xmax = s16(f->head + 40);
    in->ymax = s16(f->head + 42);
    in->ascent = s16(f->hhea + 4);
    in->descent = s16(f->hhea + 6);
    in->psname = f->psname;
    in->head = f->head;
    in->hhea = f->hhea;
    in->maxp = f->maxp;
    in->post = f->post;
    return SC_OK;
}

/* ---- centred punctuation --------------------------------------------------
 *
 * Taiwan and Hong Kong set ，。、；：！？ in the middle of the em box; the
 * mainland sets ，。、 at its bottom left and ；：！？ in its left half.  A
 * font's regional faces should carry the right glyphs, but AR PL UMing's
 * TW and HK faces repeat the CN ones (and have no 'locl' feature), and
 * faces made for one region only (WenQuanYi Micro Hei, LXGW WenKai) have
 * the mainland's.  So each TrueType face's glyphs of these marks are
 * measured once, here: a glyph whose ink lies off the middle of its
 * advance by more than a tenth of an em is set the mainland way, and the
 * shift that puts its ink in the middle of the em box (both ways) is
 * kept.  For text of a Traditional language the PDF embeds a copy of the
 * glyph moved by that shift (subset.c, sc_subset_use_moved).  A face
 * whose marks are centred already (Noto CJK TC and HK, CFF faces, which
 * are not measured) is drawn as it is. */
static const uint32_t punct_cp[NPUNCT] = {0xFF0C, 0x3002, 0x3001, 0xFF1B,
                                          0xFF1A, 0xFF01, 0xFF1F};

/* The ink box of TrueType glyph g in font units (its glyf header); 0 if
 * it is empty or unreadable. */
static int glyph_box(const sc_face *f, unsigned g, int box[4])
{
    if (!f->loca || g >= f->nglyphs || loca_at(f, g + 1) - loca_at(f, g) < 10)
        return 0;
    const unsigned char *h = f->glyf + loca_at(f, g);
    box[0] = s16(h + 2);
    box[1] = s16(h + 4);
    box[2] = s16(h + 6);
    box[3] = s16(h + 8);
    return box[2] > box[0] && box[3] > box[1];
}

/* The middle of the em box, font units up from the baseline: the middle
 * of the ink of 中, whose stem spans the face's ideographic frame from top
 * to bottom (typo metrics do not say: WenQuanYi's span one em but put
 * its middle 0.1 em below its hanzi's); without 中, the usual -0.12 ..
 * 0.88 em. */
static double em_middle(const sc_face *f)
{
    int b[4];
    unsigned g = face_glyph(f, 0x4E2D);
    if (g && glyph_box(f, g, b))
        return (b[1] + b[3]) / 2.0;
    return 0.38 * f->upem;
}

static void measure_punct(sc_face *f)
{
    double em = f->upem, mid = em_middle(f);
    for (int i = 0; i < NPUNCT && !f->cff; i++) {
        unsigned g = face_glyph(f, punct_cp[i]);
        int b[4];
        if (!g || !glyph_box(f, g, b))
            continue;
        double dx = face_adv(f, g) / 2.0 - (b[0] + b[2]) / 2.0;
        double dy = mid - (b[1] + b[3]) / 2.0;
        if (fabs(dx) <= 0.1 * em)
            continue; /* centred already */
        f->punct_dx[i] = (int16_t)lround(dx);
        f->punct_dy[i] = fabs(dy) < 0.03 * em ? 0 : (int16_t)lround(dy);
    }
}

int sc_face_punct_shift(const sc_face *face, uint32_t cp, int *dx, int *dy)
{
    for (int i = 0; face && i < NPUNCT; i++)
        if (punct_cp[i] == cp) {
            *dx = face->punct_dx[i];
            *dy = face->punct_dy[i];
            return *dx != 0 || *dy != 0;
        }
    return 0;
}

static sc_status parse_face(reader *r, sc_face *f)
{
    unsigned char hdr[16];
    sc_status st = rd(r, 0, 12, hdr, "font header");
    if (st)
        return st;
    uint32_t base = 0;
    uint32_t tag = u32(hdr);
    if (tag == 0x74746366u) { /* 'ttcf' */
        uint32_t nfonts = u32(hdr + 8);
        if (f->index < 0 || (uint32_t)f->index >= nfonts)
            return sc_error_set(r->err, SC_ERR_FONT, r->path, 0, 0,
                                "font %s has %u faces; there is no face "
                                "index %d", r->path, nfonts, f->index);
        unsigned char ob[4];
        if ((st = rd(r, 12 + 4ull * (uint32_t)f->index, 4, ob,
                     "TTC offset table")))
            return st;
        base = u32(ob);
        if ((st = rd(r, base, 12, hdr, "TTC face header")))
            return st;
        tag = u32(hdr);
    } else if (f->index != 0) {
        return sc_error_set(r->err, SC_ERR_FONT, r->path, 0, 0,
                            "font %s is not a collection (.ttc); face index "
                            "must be 0, not %d", r->path, f->index);
    }
    if (tag != 0x00010000u && tag != 0x74727565u /* true */ &&
        tag != 0x4F54544Fu /* OTTO */)
        return bad(r, "not a TrueType/OpenType font (signature %08X)", tag);
    unsigned ntab = u16(hdr + 4);
    if (ntab == 0)
        return bad(r, "the table directory is empty");
    unsigned char *dir = sc_malloc(16u * ntab);
    if (!dir)
        return sc_error_set(r->err, SC_ERR_NOMEM, r->path, 0, 0, "out of memory");
    if ((st = rd(r, (uint64_t)base + 12, 16u * ntab, dir, "table directory"))) {
        free(dir);
        return st;
    }
    enum { T_HEAD, T_HHEA, T_MAXP, T_HMTX, T_CMAP, T_OS2, T_GLYF, T_LOCA,
           T_POST, T_NAME, T_CFF, T_CFF2, T_EBDT, T_CBDT, T_SBIX, T_N };
    static const char *const want[T_N] = {"head", "hhea", "maxp", "hmtx",
                                          "cmap", "OS/2", "glyf", "loca",
                                          "post", "name", "CFF ", "CFF2",
                                          "EBDT", "CBDT", "sbix"};
    table t[T_N] = {{0, 0, 0}};
    for (unsigned i = 0; i < ntab; i++) {
        const unsigned char *e = dir + 16 * i;
        for (int k = 0; k < T_N; k++) {
            if (memcmp(e, want[k], 4) || t[k].present)
                continue;
            t[k].off = u32(e + 8);
            t[k].len = u32(e + 12);
            t[k].present = 1;
            if ((uint64_t)t[k].off + t[k].len > r->size) {
                free(dir);
                return bad(r, "table '%s' (offset %u, %u bytes) lies beyond "
                           "the end of the file (%llu bytes)", want[k],
                           t[k].off, t[k].len, (unsigned long long)r->size);
            }
        }
    }
    free(dir);
    for (int k = 0; k < 5; k++)
        if (!t[k].present)
            return bad(r, "required table '%s' is missing", want[k]);
    /* Outlines: TrueType (glyf + loca) or CFF; not CFF2 (variable fonts:
     * their blend operators would have to be instanced first) and not
     * bitmaps (nothing to scale or embed as outlines). */
    int ttf = t[T_GLYF].present && t[T_LOCA].present;
    if (!ttf && !t[T_CFF].present) {
        const char *why =
            t[T_CFF2].present
                ? "has CFF2 outlines (an OpenType variable font), which "
                  "scorecard does not embed; use a static instance of it "
                  "(an .otf with a 'CFF ' table, or a .ttf)"
            : t[T_EBDT].present || t[T_CBDT].present || t[T_SBIX].present
                ? "has only bitmap glyphs (EBDT/CBDT/sbix), no outlines to "
                  "embed; use an outline font"
                : "has no outlines (neither 'glyf'/'loca' nor 'CFF ')";
        return sc_error_set(r->err, SC_ERR_FONT, r->path, 0, 0,
                            "font %s %s; map the role to another font",
                            r->path, why);
    }
    unsigned char fix[78];
    /* head: unitsPerEm */
    if (t[0].len < 54)
        return bad(r, "table 'head' is too short (%u bytes)", t[0].len);
    if ((st = rd(r, t[0].off, 54, fix, "table 'head'")))
        return st;
    memcpy(f->head, fix, 54);
    f->upem = u16(fix + 18);
    if (f->upem < 16 || f->upem > 16384)
        return bad(r, "unitsPerEm %u is outside 16..16384", f->upem);
    /* maxp: numGlyphs */
    if (t[2].len < 6)
        return bad(r, "table 'maxp' is too short (%u bytes)", t[2].len);
    size_t maxp_len = t[2].len >= 32 ? 32 : 6;
    if ((st = rd(r, t[2].off, maxp_len, f->maxp, "table 'maxp'")))
        return st;
    f->info.maxp_len = maxp_len;
    f->nglyphs = u16(f->maxp + 4);
    if (f->nglyphs == 0)
        return bad(r, "maxp says the font has no glyphs");
    /* hhea: ascender, descender, numberOfHMetrics */
    if (t[1].len < 36)
        return bad(r, "table 'hhea' is too short (%u bytes)", t[1].len);
    if ((st = rd(r, t[1].off, 36, fix, "table 'hhea'")))
        return st;
    memcpy(f->hhea, fix, 36);
    int asc = s16(fix + 4), desc = s16(fix + 6);
    uint32_t nhm = u16(fix + 34);
    if (nhm == 0)
        return bad(r, "hhea numberOfHMetrics is 0");
    if (nhm > f->nglyphs)
        return bad(r, "hhea numberOfHMetrics (%u) exceeds maxp numGlyphs (%u)",
                   nhm, f->nglyphs);
    if ((uint64_t)t[3].len < 4ull * nhm)
        return bad(r, "table 'hmtx' has %u bytes, shorter than the %u "
                   "metrics hhea numberOfHMetrics claims (%u bytes)",
                   t[3].len, nhm, 4 * nhm);
    /* OS/2 (optional): typo metrics when hhea's are unusable */
    if (asc <= 0 && t[5].present && t[5].len >= 78) {
        if ((st = rd(r, t[5].off, 78, fix, "table 'OS/2'")))
            return st;
        asc = s16(fix + 68);
        desc = s16(fix + 70);
        if (asc <= 0) {
            asc = u16(fix + 74);
            desc = -(int)u16(fix + 76);
        }
    }
    f->ascent = asc > 0 ? (double)asc / f->upem : 0.88;
    f->descent = desc < 0 ? (double)-desc / f->upem : 0.12;
    if ((st = parse_extra(r, f, &t[T_OS2], &t[T_POST], &t[T_NAME])))
        return st;
    if (ttf)
        st = parse_loca(r, f, &t[T_LOCA], &t[T_GLYF]);
    else if ((st = sc_cff_open(&f->cff, f->fd, t[T_CFF].off, t[T_CFF].len,
                               &f->info, f->path, r->err)) == SC_OK)
        f->info.cff = f->cff;
    if (st)
        return st;

    /* hmtx: advances (face_adv); glyphs past nhm repeat the last one */
    if ((st = at(r, t[3].off, 4u * nhm, &f->hmtx, "table 'hmtx'")))
        return st;
    f->nhm = nhm;

    const unsigned char *cm;
    if ((st = table_at(r, &t[4], "cmap", &cm)) ||
        (st = parse_cmap(r, f, cm, t[4].len)))
        return st;
    if (f->nmapped == 0)
        return bad(r, "the cmap maps no character to a glyph");
    measure_punct(f);
    return SC_OK;
}

/* ---- what subset.c and pdf.c read (fontengine.h) ------------------------ */

const sc_face_info *sc_face_info_get(const sc_face *face)
{
    return face ? &face->info : NULL;
}

unsigned sc_face_gid(const sc_face *face, uint32_t cp)
{
    return face ? face_glyph(face, cp) : 0;
}

unsigned sc_face_gid_advance(const sc_face *face, unsigned gid)
{
    if (!face || gid >= face->nglyphs)
        return 0;
    return face_adv(face, gid);
}

size_t sc_face_glyph_len(const sc_face *face, unsigned gid)
{
    if (!face || gid >= face->nglyphs || !face->loca)
        return 0;
    uint32_t a = loca_at(face, gid), b = loca_at(face, gid + 1);
    return b > a ? b - a : 0;
}

void sc_face_glyph_read(const sc_face *face, unsigned gid, unsigned char *dst)
{
    size_t n = sc_face_glyph_len(face, gid);
    if (n)
        memcpy(dst, face->glyf + loca_at(face, gid), n);
}

int sc_fonts_bold(const sc_fonts *f, int face)
{
    if (!f || face < 0 || face >= f->nfaces)
        return -1;
    return f->faces[face]->bold;
}

/* 1 if face draws every character of text[0..len) that a regular face
 * would draw (controls, variation selectors and joiners aside). */
static int covers(const sc_face *face, const char *text, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = sc_utf8_decode(text + i, len - i, &cp);
        if (!k)
            return 0;
        if (cp != '\t' && !sc_face_has(face, cp) && cp >= 0x20 &&
            !(cp >= 0xFE00 && cp <= 0xFE0F) && cp != 0x200D && cp != 0x200C)
            return 0;
        i += k;
    }
    return 1;
}

int sc_fonts_draw_face(const sc_fonts *f, int face, int bold, const char *text,
                       size_t len, int *real_bold)
{
    *real_bold = 0;
    if (bold) {
        int bf = sc_fonts_bold(f, face);
        if (bf >= 0 && covers(sc_fonts_face(f, bf), text, len)) {
            *real_bold = 1;
            return bf;
        }
    }
    return face;
}

/* Open and parse one face.  *out belongs to the caller. */
static sc_status face_open(sc_face **out, const char *path, int index,
                           const char *family, const char *how, sc_error *err)
{
    *out = NULL;
    sc_face *f = sc_calloc(1, sizeof *f);
    if (!f)
        return sc_error_set(err, SC_ERR_NOMEM, path, 0, 0, "out of memory");
    f->fd = -1;
    f->bold = -1;
    f->path = sc_strdup(path);
    f->family = sc_strdup(family);
    f->index = index;
    f->how = how;
    if (!f->path || !f->family) {
        face_free(f);
        return sc_error_set(err, SC_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        face_free(f);
        return sc_error_set(err, SC_ERR_FONT, path, 0, 0,
                            "cannot open font %s: %s", path, strerror(e));
    }
    struct stat sb;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        close(fd);
        face_free(f);
        return sc_error_set(err, SC_ERR_FONT, path, 0, 0,
                            "font %s is not a regular file", path);
    }
    f->fd = fd;
    f->fsize = (uint64_t)sb.st_size;
    /* Mapped, not read (reader): the pages are the page cache's, shared
     * by every thread and every process; a file truncated while the
     * process runs would fault where pread failed cleanly, but fonts are
     * installed by replacing files, not by rewriting them in place. */
    if (sb.st_size > 0 && (uint64_t)sb.st_size <= SIZE_MAX) {
        void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int e = errno;
            face_free(f);
            return sc_error_set(err, SC_ERR_IO, path, 0, 0,
                                "cannot map font %s: %s", path, strerror(e));
        }
        f->map = m;
        f->maplen = (size_t)sb.st_size;
    }
    reader r = {f->map, f->fsize, path, err};
    sc_status st = parse_face(&r, f);
    if (st) {
        face_free(f);
        return st;
    }
    *out = f;
    return SC_OK;
}

/* ---- discovery ------------------------------------------------------------ */

/* Ask fontconfig for `family` (and `style`).  Returns 1 and a malloc'd
 * path if the best match really has that family, 0 otherwise -- also when
 * fontconfig cannot be loaded (dl_fc.c; sc_fc_unavailable says so). */
static int fc_resolve(const char *family, const char *style, char **path,
                      int *index)
{
    if (sc_fc_load(NULL) != SC_OK)
        return 0;
    FcPattern *pat = sym_FcPatternCreate();
    if (!pat)
        return 0;
    sym_FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family);
    if (style)
        sym_FcPatternAddString(pat, FC_STYLE, (const FcChar8 *)style);
    sym_FcConfigSubstitute(NULL, pat, FcMatchPattern);
    sym_FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *m = sym_FcFontMatch(NULL, pat, &res);
    sym_FcPatternDestroy(pat);
    if (!m)
        return 0;
    int ok = 0;
    FcChar8 *s;
    for (int i = 0; sym_FcPatternGetString(m, FC_FAMILY, i, &s) == FcResultMatch; i++)
        if (!sym_FcStrCmpIgnoreCase(s, (const FcChar8 *)family)) {
            ok = 1;
            break;
        }
    FcChar8 *file;
    int idx = 0;
    if (ok && sym_FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch) {
        if (sym_FcPatternGetInteger(m, FC_INDEX, 0, &idx) != FcResultMatch)
            idx = 0;
        *path = sc_strdup((const char *)file);
        *index = idx & 0xFFFF; /* high bits: variable-font instance */
        ok = *path != NULL;
    } else {
        ok = 0;
    }
    sym_FcPatternDestroy(m);
    return ok;
}

static sc_status map_error(sc_error *err, sc_status code, const char *map,
                           xmlNodePtr n, const char *fmt, const char *arg)
{
    sc_status st = sc_error_set(err, code, map, n ? (int)xmlGetLineNo(n) : 0,
                                0, fmt, arg);
    if (err)
        snprintf(err->field, sizeof err->field, "%s",
                 n && n->name ? (const char *)n->name : "");
    return st;
}

/* The face index of (path, index), loading it if new; -1 on error. */
static int add_face(sc_fonts *fs, const char *path, int index,
                    const char *family, const char *how, sc_error *err,
                    sc_status *st)
{
    /* a map names the same few files again and again: realpath (a
     * readlink per directory of the path) once per name */
    for (int i = 0; i < fs->nfaces; i++)
        if (fs->faces[i]->index == index && !strcmp(fs->faces[i]->asked, path))
            return i;
    char real[PATH_MAX];
    const char *key = realpath(path, real) ? real : path;
    for (int i = 0; i < fs->nfaces; i++)
        if (fs->faces[i]->index == index && !strcmp(fs->faces[i]->path, key))
            return i;
    sc_face *f;
    if ((*st = face_open(&f, key, index, family, how, err)))
        return -1;
    if (!(f->asked = sc_strdup(path))) {
        face_free(f);
        *st = sc_error_set(err, SC_ERR_NOMEM, path, 0, 0, "out of memory");
        return -1;
    }
    sc_face **nf = sc_realloc(fs->faces, sizeof *nf * (size_t)(fs->nfaces + 1));
    if (!nf) {
        face_free(f);
        *st = sc_error_set(err, SC_ERR_NOMEM, path, 0, 0, "out of memory");
        return -1;
    }
    fs->faces = nf;
    fs->faces[fs->nfaces] = f;
    return fs->nfaces++;
}

static char *attr(xmlNodePtr n, const char *name)
{
    return (char *)xmlGetProp(n, (const xmlChar *)name);
}

/* The real bold variant of face fi: bold-style (through fontconfig, same
 * family) or bold-file (+ bold-index).  Not installed: synthetic bold. */
static sc_status load_bold(sc_fonts *fs, int fi, const char *family,
                           const char *mapdir, xmlNodePtr n, sc_error *err)
{
    char *bstyle = attr(n, "bold-style"), *bfile = attr(n, "bold-file");
    char *bidx = attr(n, "bold-index");
    char *path = NULL;
    int index = 0;
    const char *how;
    sc_status st = SC_OK;
    if (!bstyle && !bfile)
        goto done;
    how = "file"; /* as for the regular face: the file first */
    {
        if (bfile) {
            size_t len = strlen(mapdir) + strlen(bfile) + 2;
            path = sc_malloc(len);
            if (!path) {
                st = sc_error_set(err, SC_ERR_NOMEM, fs->map, 0, 0,
                                  "out of memory");
                goto done;
            }
            if (bfile[0] == '/' || !mapdir[0])
                snprintf(path, len, "%s", bfile);
            else
                snprintf(path, len, "%s/%s", mapdir, bfile);
            char *end = NULL;
            long v = bidx ? strtol(bidx, &end, 10) : 0;
            if (bidx && (end == bidx || *end || v < 0 || v > 65535)) {
                st = map_error(err, SC_ERR_SCHEMA, fs->map, n,
                               "bold-index='%s' is not a face number "
                               "0..65535", bidx);
                goto done;
            }
            index = (int)v;
            if (access(path, R_OK) != 0) {
                free(path);
                path = NULL;
            }
        }
    }
    if (!path && family && bstyle && fc_resolve(family, bstyle, &path, &index))
        how = "fontconfig";
    if (!path)
        goto done;
    int bi = add_face(fs, path, index, family ? family : bfile, how, err, &st);
    if (bi < 0) {
        if (err) {
            snprintf(err->file, sizeof err->file, "%s", fs->map);
            err->line = (int)xmlGetLineNo(n);
            snprintf(err->field, sizeof err->field, "font/@bold-file");
        }
        goto done;
    }
    if (bi != fi)
        fs->faces[fi]->bold = bi;
done:
    free(path);
    xmlFree(bstyle);
    xmlFree(bfile);
    xmlFree(bidx);
    return st;
}

/* Add the <font> n to role's chain in dst (fs itself or one of its
 * language views); its faces are loaded into fs. */
static sc_status load_font(sc_fonts *fs, sc_fonts *dst, int role,
                           const char *mapdir, xmlNodePtr n, sc_error *err)
{
    char *family = attr(n, "family"), *style = attr(n, "style");
    char *file = attr(n, "file"), *sidx = attr(n, "index");
    sc_status st = SC_OK;
    char *path = NULL;
    int index = 0;
    const char *how = "fontconfig";
    if (!family && !file) {
        st = map_error(err, SC_ERR_SCHEMA, fs->map, n,
                       "<font> needs a family or a file attribute%s", "");
        goto done;
    }
    if (dst->nchain[role] >= SC_CHAIN_MAX) {
        st = map_error(err, SC_ERR_SCHEMA, fs->map, n,
                       "role '%s' has more fonts than the chain allows (4)",
                       sc_role_name(role));
        goto done;
    }
    int fidx = 0;
    if (sidx) {
        char *end;
        long v = strtol(sidx, &end, 10);
        if (end == sidx || *end || v < 0 || v > 65535) {
            st = map_error(err, SC_ERR_SCHEMA, fs->map, n,
                           "index='%s' is not a face number 0..65535", sidx);
            goto done;
        }
        fidx = (int)v;
    }
    /* The explicit file first: it says exactly which font is meant, and
     * when every file of the map is there, fontconfig (whose FcInit alone
     * costs ~20 ms per process) is never started. */
    how = "file";
    if (file) {
        if (file[0] == '/' || !mapdir[0]) {
            path = sc_strdup(file);
        } else {
            size_t len = strlen(mapdir) + strlen(file) + 2;
            path = sc_malloc(len);
            if (path)
                snprintf(path, len, "%s/%s", mapdir, file);
        }
        if (!path) {
            st = sc_error_set(err, SC_ERR_NOMEM, fs->map, 0, 0, "out of memory");
            goto done;
        }
        index = fidx;
        if (access(path, R_OK) != 0) {
            free(path);
            path = NULL;
        }
    }
    if (!path && family && fc_resolve(family, style, &path, &index))
        how = "fontconfig";
    if (!path) { /* not installed: note it, go on with the chain */
        int k = dst->nmissing[role];
        dst->missing[role][k] = sc_strdup(family ? family : file);
        if (!dst->missing[role][k]) {
            st = sc_error_set(err, SC_ERR_NOMEM, fs->map, 0, 0, "out of memory");
            goto done;
        }
        dst->nmissing[role]++;
        goto done;
    }
    int fi = add_face(fs, path, index, family ? family : file, how, err, &st);
    if (fi < 0) { /* the message names the font; point at the map line */
        if (err) {
            snprintf(err->file, sizeof err->file, "%s", fs->map);
            err->line = (int)xmlGetLineNo(n);
            snprintf(err->field, sizeof err->field, "font");
        }
        goto done;
    }
    if ((st = load_bold(fs, fi, family, mapdir, n, err)))
        goto done;
    for (int i = 0; i < dst->nchain[role]; i++)
        if (dst->chain[role][i] == fi)
            goto done; /* listed twice: once is enough */
    dst->chain[role][dst->nchain[role]++] = fi;
done:
    free(path);
    xmlFree(family);
    xmlFree(style);
    xmlFree(file);
    xmlFree(sidx);
    return st;
}

/* The view of language `tag` (made on first use): *li = its index + 1. */
static sc_status lang_view(sc_fonts *fs, const char *tag, xmlNodePtr rn,
                           int *li, sc_error *err)
{
    size_t n = strlen(tag);
    int ok = n > 0 && n < 36;
    for (size_t i = 0; ok && i < n; i++)
        ok = (tag[i] >= 'a' && tag[i] <= 'z') ||
             (tag[i] >= 'A' && tag[i] <= 'Z') ||
             (tag[i] >= '0' && tag[i] <= '9') || (tag[i] == '-' && i > 0);
    if (!ok)
        return map_error(err, SC_ERR_SCHEMA, fs->map, rn,
                         "lang='%s' is not a language tag (e.g. zh-Hant-TW)",
                         tag);
    for (int i = 0; i < fs->nlangs; i++)
        if (!strcasecmp(fs->lang_tag[i], tag)) {
            *li = i + 1;
            return SC_OK;
        }
    if (fs->nlangs == LANG_MAX)
        return map_error(err, SC_ERR_SCHEMA, fs->map, rn,
                         "more than 8 languages have chains of their own "
                         "(at lang='%s')", tag);
    sc_fonts *v = sc_calloc(1, sizeof *v);
    char *t = sc_strdup(tag);
    if (!v || !t) {
        free(v);
        free(t);
        return sc_error_set(err, SC_ERR_NOMEM, fs->map, 0, 0, "out of memory");
    }
    v->owner = fs;
    fs->lang_view[fs->nlangs] = v;
    fs->lang_tag[fs->nlangs++] = t;
    *li = fs->nlangs;
    return SC_OK;
}

/* zh-TW is zh-Hant-TW, zh-CN zh-Hans-CN and so on: the script the region
 * implies, so that a map's chains for zh-Hant-TW serve either tag. */
static void canonical_lang(const char *lang, char *out, size_t n)
{
    static const char *const hant[] = {"tw", "hk", "mo"};
    static const char *const hans[] = {"cn", "sg", "my"};
    if (!strncasecmp(lang, "zh-", 3) && strlen(lang) == 5) {
        for (int i = 0; i < 3; i++) {
            if (!strcasecmp(lang + 3, hant[i])) {
                snprintf(out, n, "zh-Hant-%s", lang + 3);
                return;
            }
            if (!strcasecmp(lang + 3, hans[i])) {
                snprintf(out, n, "zh-Hans-%s", lang + 3);
                return;
            }
        }
    }
    snprintf(out, n, "%s", lang);
}

const sc_fonts *sc_fonts_for_lang(const sc_fonts *f, const char *lang)
{
    if (!f || !lang || !*lang || f->owner)
        return f;
    char want[64];
    canonical_lang(lang, want, sizeof want);
    size_t wl = strlen(want);
    /* the longest map tag that is the language or a prefix of it (a map's
     * zh-Hant serves zh-Hant-TW) ... */
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; i < f->nlangs; i++) {
        size_t tl = strlen(f->lang_tag[i]);
        if (tl <= wl && !strncasecmp(f->lang_tag[i], want, tl) &&
            (want[tl] == '\0' || want[tl] == '-') && tl > best_len) {
            best = i;
            best_len = tl;
        }
    }
    /* ... else the first that is more specific (zh-Hant: zh-Hant-TW) */
    for (int i = 0; best < 0 && i < f->nlangs; i++)
        if (!strncasecmp(f->lang_tag[i], want, wl) &&
            f->lang_tag[i][wl] == '-')
            best = i;
    return best >= 0 ? f->lang_view[best] : f;
}

static sc_status parse_map(sc_fonts *fs, sc_error *err)
{
    char generic[256] = ""; /* libxml2 would print encoding failures */
    sc_xml_guard();
    sc_xml_quiet quiet;
    sc_xml_quiet_begin(&quiet, generic, sizeof generic);
    xmlDocPtr doc = xmlReadFile(fs->map, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR |
                                    XML_PARSE_NOWARNING);
    sc_xml_quiet_end(&quiet);
    if (!doc) {
        const xmlError *xe = xmlGetLastError();
        if (access(fs->map, R_OK) != 0)
            return sc_error_set(err, SC_ERR_IO, fs->map, 0, 0,
                                "cannot read font map %s: %s", fs->map,
                                strerror(errno));
        sc_status st = sc_error_set(err, SC_ERR_XML, fs->map,
                                    xe ? xe->line : 0, xe ? xe->int2 : 0,
                                    "font map is not well-formed XML: %s",
                                    xe && xe->message ? xe->message : "?");
        if (err) { /* libxml2 messages end with a newline */
            size_t l = strlen(err->message);
            if (l && err->message[l - 1] == '\n')
                err->message[l - 1] = '\0';
        }
        return st;
    }
    sc_status st = SC_OK;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (doc->intSubset) {
        st = sc_error_set(err, SC_ERR_FORBIDDEN, fs->map, 1, 0,
                          "font map has a DTD; DTDs are not allowed");
        goto out;
    }
    if (!root || xmlStrcmp(root->name, (const xmlChar *)"fonts")) {
        st = map_error(err, SC_ERR_SCHEMA, fs->map, root,
                       "font map root element must be <fonts>%s", "");
        goto out;
    }
    char mapdir[PATH_MAX];
    snprintf(mapdir, sizeof mapdir, "%s", fs->map);
    char *slash = strrchr(mapdir, '/');
    if (slash)
        *slash = '\0';
    else
        mapdir[0] = '\0';
    int seen[LANG_MAX + 1][SC_ROLE_COUNT] = {{0}};
    for (xmlNodePtr rn = root->children; rn; rn = rn->next) {
        if (rn->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrcmp(rn->name, (const xmlChar *)"role")) {
            st = map_error(err, SC_ERR_SCHEMA, fs->map, rn,
                           "unexpected <%s> in font map (expected <role>)",
                           (const char *)rn->name);
            goto out;
        }
        char *name = attr(rn, "name");
        int role = sc_role_parse(name);
        if (role < 0) {
            st = map_error(err, SC_ERR_SCHEMA, fs->map, rn,
                           "unknown role '%s' (body, heading, kai, latin)",
                           name ? name : "");
            xmlFree(name);
            goto out;
        }
        xmlFree(name);
        sc_fonts *dst = fs;
        int li = 0;
        char *lang = attr(rn, "lang");
        if (lang && (st = lang_view(fs, lang, rn, &li, err))) {
            xmlFree(lang);
            goto out;
        }
        xmlFree(lang);
        if (li)
            dst = fs->lang_view[li - 1];
        if (seen[li][role]++) {
            st = map_error(err, SC_ERR_SCHEMA, fs->map, rn,
                           "role '%s' appears twice for one language",
                           sc_role_name(role));
            goto out;
        }
        for (xmlNodePtr fn = rn->children; fn; fn = fn->next) {
            if (fn->type != XML_ELEMENT_NODE)
                continue;
            if (xmlStrcmp(fn->name, (const xmlChar *)"font")) {
                st = map_error(err, SC_ERR_SCHEMA, fs->map, fn,
                               "unexpected <%s> in <role> (expected <font>)",
                               (const char *)fn->name);
                goto out;
            }
            if ((st = load_font(fs, dst, role, mapdir, fn, err)))
                goto out;
        }
        if (dst->nchain[role] == 0) {
            st = map_error(err, SC_ERR_FONT, fs->map, rn,
                           "no font of role '%s' is installed", sc_role_name(role));
            if (err && dst->nmissing[role])
                snprintf(err->message + strlen(err->message),
                         sizeof err->message - strlen(err->message),
                         " (looked for %s%s); install one or edit the font map",
                         dst->missing[role][0],
                         dst->nmissing[role] > 1 ? " and others" : "");
            if (err && sc_fc_unavailable()) /* the families were not looked for */
                snprintf(err->message + strlen(err->message),
                         sizeof err->message - strlen(err->message), "; %s",
                         sc_fc_unavailable());
            goto out;
        }
    }
    if (!seen[0][SC_ROLE_BODY]) {
        st = map_error(err, SC_ERR_SCHEMA, fs->map, root,
                       "font map has no <role name=\"body\">%s", "");
        goto out;
    }
    for (int r = 0; r < SC_ROLE_COUNT; r++)
        if (!seen[0][r]) {
            fs->borrowed[r] = 1;
            fs->nchain[r] = fs->nchain[SC_ROLE_BODY];
            memcpy(fs->chain[r], fs->chain[SC_ROLE_BODY], sizeof fs->chain[r]);
        }
    /* A language's view takes the default chain of a role it leaves out. */
    for (int li = 0; li < fs->nlangs; li++) {
        sc_fonts *v = fs->lang_view[li];
        for (int r = 0; r < SC_ROLE_COUNT; r++)
            if (!seen[li + 1][r]) {
                v->borrowed[r] = 1;
                v->nchain[r] = fs->nchain[r];
                memcpy(v->chain[r], fs->chain[r], sizeof v->chain[r]);
            }
    }
out:
    xmlFreeDoc(doc);
    return st;
}

static char *default_map(void)
{
    static const char inst[] = SC_DATADIR_INSTALLED "/fonts/fonts.xml";
    if (access(inst, R_OK) == 0)
        return sc_strdup(inst);
    return sc_strdup(SC_DATADIR_SOURCE "/fonts/fonts.xml");
}

sc_status sc_fonts_load(sc_fonts **out, const char *map_file, sc_error *err)
{
    if (!out)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_fonts_load needs an out pointer");
    *out = NULL;
    sc_fonts *fs = sc_calloc(1, sizeof *fs);
    if (!fs)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    fs->map = map_file ? sc_strdup(map_file) : default_map();
    if (!fs->map) {
        free(fs);
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    sc_status st = parse_map(fs, err);
    if (st) {
        sc_fonts_free(fs);
        return st;
    }
    for (int i = 0; i < fs->nlangs; i++) { /* views share all but chains */
        fs->lang_view[i]->faces = fs->faces;
        fs->lang_view[i]->nfaces = fs->nfaces;
        fs->lang_view[i]->map = fs->map;
    }
    *out = fs;
    return SC_OK;
}

void sc_fonts_free(sc_fonts *fonts)
{
    if (!fonts)
        return;
    for (int i = 0; i < fonts->nlangs; i++) {
        sc_fonts *v = fonts->lang_view[i];
        for (int r = 0; r < SC_ROLE_COUNT; r++)
            for (int k = 0; k < v->nmissing[r]; k++)
                free(v->missing[r][k]);
        free(v);
        free(fonts->lang_tag[i]);
    }
    if (fonts->owner)
        return; /* a view: freed with its owner */
    for (int i = 0; i < fonts->nfaces; i++)
        face_free(fonts->faces[i]);
    free(fonts->faces);
    for (int r = 0; r < SC_ROLE_COUNT; r++)
        for (int i = 0; i < fonts->nmissing[r]; i++)
            free(fonts->missing[r][i]);
    free(fonts->map);
    free(fonts);
}

/* ---- describe ----------------------------------------------------------- */

sc_status sc_fonts_describe(const sc_fonts *fonts, const char *text,
                            char **out, sc_error *err)
{
    if (!out || !fonts)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_fonts_describe needs fonts and an out pointer");
    *out = NULL;
    size_t tlen = text ? strlen(text) : 0;
    size_t bad;
    if (text && !sc_utf8_valid(text, tlen, &bad))
        return sc_error_set(err, SC_ERR_ENCODING, NULL, 0, (int)bad + 1,
                            "text to describe is not valid UTF-8 (byte %zu)",
                            bad + 1);
    sc_buf b = {0};
    sc_buf_printf(&b, "font map: %s\n", fonts->map);
    for (int r = 0; r < SC_ROLE_COUNT; r++) {
        sc_buf_printf(&b, "role %s%s:\n", sc_role_name(r),
                      fonts->borrowed[r] ? " (not in the map: uses body's)" : "");
        for (int i = 0; i < fonts->nchain[r]; i++) {
            const sc_face *f = fonts->faces[fonts->chain[r][i]];
            sc_buf_printf(&b, "  %d. %s: %s index %d, %u glyphs, %u characters"
                          " (via %s)\n", i + 1, f->family, f->path, f->index,
                          f->nglyphs, f->nmapped, f->how);
            if (f->bold >= 0) /* else bold is synthetic: fill + stroke */
                sc_buf_printf(&b, "     bold: %s index %d (via %s)\n",
                              fonts->faces[f->bold]->path,
                              fonts->faces[f->bold]->index,
                              fonts->faces[f->bold]->how);
        }
        for (int i = 0; !fonts->borrowed[r] && i < fonts->nmissing[r]; i++)
            sc_buf_printf(&b, "  -  %s: not installed, skipped\n",
                          fonts->missing[r][i]);
    }
    for (int li = 0; li < fonts->nlangs; li++) {
        const sc_fonts *v = fonts->lang_view[li];
        for (int r = 0; r < SC_ROLE_COUNT; r++) {
            if (v->borrowed[r])
                continue;
            sc_buf_printf(&b, "role %s, text in %s:\n", sc_role_name(r),
                          fonts->lang_tag[li]);
            for (int i = 0; i < v->nchain[r]; i++) {
                const sc_face *f = fonts->faces[v->chain[r][i]];
                sc_buf_printf(&b, "  %d. %s: %s index %d (via %s)\n", i + 1,
                              f->family, f->path, f->index, f->how);
            }
            for (int i = 0; i < v->nmissing[r]; i++)
                sc_buf_printf(&b, "  -  %s: not installed, skipped\n",
                              v->missing[r][i]);
        }
    }
    if (sc_fc_unavailable()) /* "not installed" above may only mean not found */
        sc_buf_printf(&b, "fontconfig: %s\n", sc_fc_unavailable());
    for (size_t i = 0; i < tlen;) {
        uint32_t cp;
        size_t k = sc_utf8_decode(text + i, tlen - i, &cp);
        if (cp < 0x20 || cp == 0x7F)
            sc_buf_printf(&b, "U+%04X  ", (unsigned)cp);
        else
            sc_buf_printf(&b, "U+%04X %.*s", (unsigned)cp, (int)k, text + i);
        for (int r = 0; r < SC_ROLE_COUNT; r++) {
            int fi = sc_fonts_pick(fonts, r, cp);
            sc_buf_printf(&b, "  %s=%s", sc_role_name(r),
                          fi < 0 ? "MISSING" : fonts->faces[fi]->family);
        }
        sc_buf_puts(&b, "\n");
        i += k;
    }
    if (b.oom) {
        sc_buf_free(&b);
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    *out = b.data;
    return SC_OK;
}
