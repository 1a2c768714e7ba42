/* fontengine.h -- what fonts.c, subset.c and pdf.c share about font files
 * beyond the metrics of internal.h: glyph ids, the raw tables a subset
 * font is built from, glyph outlines, and the subsetter itself.
 *
 * Nothing here is needed by the other pipeline stages, which is why it is
 * not in internal.h.  Everything a face exposes is immutable after
 * sc_fonts_load, so a sc_fonts can be shared by every document of a batch
 * (and by threads); per-document state lives in sc_subset, per-form state
 * in the font bases, which their owner passes to whoever needs them.
 */
#ifndef SC_FONTENGINE_H
#define SC_FONTENGINE_H

#include "internal.h"

#include <stddef.h>
#include <stdint.h>

/* What the subsetter and the PDF font dictionaries need of a face, read
 * once at load.  Metrics in font units.  The table copies are exactly the
 * bytes of the font's tables, length-checked at load. */
typedef struct sc_face_info {
    unsigned upem;
    unsigned nglyphs;
    int xmin, ymin, xmax, ymax; /* head: the font bounding box */
    int ascent, descent;        /* hhea (descent < 0) */
    int cap_height;             /* OS/2 sCapHeight, or ascent */
    int weight;                 /* OS/2 usWeightClass, 400 if unknown */
    double italic_angle;        /* post */
    int fixed_pitch;            /* post isFixedPitch */
    const char *psname;         /* PostScript name (name ID 6), sanitised */
    const unsigned char *head;  /* 54 bytes */
    const unsigned char *hhea;  /* 36 bytes */
    const unsigned char *maxp;  size_t maxp_len; /* 6 or 32 bytes */
    const unsigned char *os2;   size_t os2_len;  /* 0 if absent */
    const unsigned char *post;  /* 32 bytes (zeros if absent) */
    const struct sc_cff *cff;   /* CFF outlines (cff.c); NULL: TrueType */
} sc_face_info;

const sc_face_info *sc_face_info_get(const sc_face *face);

/* Glyph id of cp in the face, 0 if unmapped. */
unsigned sc_face_gid(const sc_face *face, uint32_t cp);
/* For text set the Taiwan / Hong Kong way: 1 if this TrueType face draws
 * cp (one of ，。、；：！？) off the middle of the em box, with the shift
 * that centres it in *dx, *dy (font units, y up); 0 if cp is not one of
 * them or its glyph is centred already (fonts.c, "centred punctuation"). */
int sc_face_punct_shift(const sc_face *face, uint32_t cp, int *dx, int *dy);
/* Advance width of glyph gid in font units (0 if gid is out of range). */
unsigned sc_face_gid_advance(const sc_face *face, unsigned gid);
/* The length of glyph gid's TrueType outline (in 'glyf'): 0 for an empty
 * glyph (a space), a gid out of range or a face without glyf. */
size_t sc_face_glyph_len(const sc_face *face, unsigned gid);
/* Its bytes, sc_face_glyph_len of them, into dst: from glyf as mapped at
 * load, in the range of a 'loca' validated then. */
void sc_face_glyph_read(const sc_face *face, unsigned gid, unsigned char *dst);

/* Face index of the real bold variant of `face` that the font map names
 * (bold-style / bold-file), or -1 if it has none (synthetic bold then). */
int sc_fonts_bold(const sc_fonts *f, int face);
/* The face that draws a run of text[0..len) laid out with `face`: the real
 * bold face when `bold` is set and that face has every character of the
 * run (*real_bold = 1), else `face` itself (bold is then synthetic). */
int sc_fonts_draw_face(const sc_fonts *f, int face, int bold, const char *text,
                       size_t len, int *real_bold);

/* ---- subset.c ------------------------------------------------------------ */

/* The glyphs one PDF file uses of one face.  Glyphs get compact new ids in
 * order of first use, 1, 2, ... (0 is .notdef); the PDF uses them as CIDs
 * with /CIDToGIDMap /Identity, so CID = glyph id in the subset font. */
typedef struct sc_subset sc_subset;

sc_status sc_subset_new(sc_subset **out, const sc_face *face, sc_error *err);
void sc_subset_free(sc_subset *s);

/* The CID of original glyph gid, assigned if new; `cp` is the character
 * it was used for (the first one wins, for ToUnicode).  Returns 0 for gid 0
 * or out of range, -1 when out of memory.  The CID is what the content
 * stream writes: sc_subset_code of the glyph's id. */
long sc_subset_use(sc_subset *s, unsigned gid, uint32_t cp);
/* The CID of a copy of TrueType glyph gid moved by dx, dy font units (a
 * composite glyph of that one component, same advance), assigned if new:
 * a mark centred for Traditional text (pdf.c).  Drawn in place of gid it
 * changes nothing but where the ink is: the code's width and character
 * are gid's.  0 for gid 0, -1 when out of memory or for a CFF face. */
long sc_subset_use_moved(sc_subset *s, unsigned gid, uint32_t cp, int dx, int dy);
/* The code (PDF CID) of id `cid` of the subset: the id itself, except in
 * a CID-keyed CFF face, whose own CIDs the subset font keeps (cff.c). */
unsigned sc_subset_code(const sc_subset *s, unsigned cid);

/* CIDs assigned so far, including 0 (.notdef) and, after sc_subset_build,
 * the components composite glyphs need. */
unsigned sc_subset_count(const sc_subset *s);
unsigned sc_subset_orig(const sc_subset *s, unsigned cid);     /* gid */
uint32_t sc_subset_unicode(const sc_subset *s, unsigned cid);  /* 0: none */
/* Advance of cid in 1/1000 em, rounded. */
int sc_subset_width(const sc_subset *s, unsigned cid);

/* Add every component of the composite glyphs used (nested, each once,
 * ids after the used glyphs) and write a complete TrueType font holding
 * exactly glyphs 0..count-1: glyf (component ids rewritten, instructions
 * dropped), loca, head, hhea, hmtx, maxp, OS/2, post (v3) and a minimal
 * name.  *out is sc_malloc'd.  A glyph whose outline is malformed fails
 * with SC_ERR_FONT naming the font and the glyph. */
sc_status sc_subset_build(sc_subset *s, unsigned char **out, size_t *len,
                          sc_error *err);

/* Six capital letters that name this subset (a hash of the glyph set),
 * so that two different subsets of one font get different names. */
void sc_subset_tag(const sc_subset *s, char tag[7]);

/* ---- font bases (subset.c) ----------------------------------------------
 *
 * The glyphs every document of a form draws (its labels, headings, digits)
 * as a BASE: fixed CIDs 1..B (components included), their outlines
 * transformed once and the font-program bytes that hold them (OS/2 and
 * the base part of glyf) deflated once, the compressor's state after them
 * kept.  A document's subset starts from the base (sc_subset_seed), so its
 * font program has the same bytes there, and sc_subset_build_flate
 * compresses only what differs (the essay in subset.c).  A base is
 * immutable once made: any number of documents and threads may use it. */
typedef struct sc_fontbase sc_fontbase;

/* The base of the glyphs gids[0..n) of `face` (drawn for code points
 * cps[], in that order of first use); NULL if none can be made (no glyph,
 * out of memory), which only means documents compress their fonts whole.
 * Free with sc_fontbase_free. */
sc_fontbase *sc_fontbase_new(const sc_face *face, const unsigned *gids,
                             const uint32_t *cps, size_t n);
void sc_fontbase_free(sc_fontbase *b);

/* Outline bytes (uncompressed) of the base's drawn glyphs that are not
 * among gids[0..n) (glyph ids of `face`): what starting a document that
 * draws gids from the base would cost it.  (size_t)-1 if out of memory. */
size_t sc_fontbase_unused(const sc_fontbase *b, const sc_face *face,
                          const unsigned *gids, size_t n);
/* Give a new, still empty subset of the base's face the base's glyphs as
 * CIDs 1..B.  base NULL: nothing to do. */
sc_status sc_subset_seed(sc_subset *s, const sc_fontbase *base,
                         sc_error *err);
/* The font program sc_subset_build would write (*len bytes long) as a
 * complete zlib stream (RFC 1950) in *z (sc_malloc'd, *zlen bytes; the
 * caller's): made from the base's cached deflate output if the subset was
 * seeded from a base (then *from_base = 1), else compressed whole, with
 * fl's compressors (may be NULL). */
sc_status sc_subset_build_flate(sc_subset *s, sc_flate *fl, size_t *len,
                                unsigned char **z, size_t *zlen,
                                int *from_base, sc_error *err);

/* ---- fontbases.c: the bases of a form, per face ----------------------- */

/* Glyphs drawn with one face, in drawing order (repeats included). */
typedef struct sc_glyphs {
    unsigned *gid;
    uint32_t *cp;
    size_t n, cap;
} sc_glyphs;

/* Append the glyphs laid draws to lists[face] (nfaces lists), each text
 * run counted for the face that draws it (sc_fonts_draw_face); faces with
 * skip[face] set (skip may be NULL) are left out. */
sc_status sc_laid_glyphs(const sc_laid *laid, const sc_fonts *fonts,
                         sc_glyphs *lists, const unsigned char *skip,
                         sc_error *err);
/* Free n lists and the array. */
void sc_glyphs_free(sc_glyphs *lists, int n);
/* Borrowed: the base of face `face`, or NULL. */
const sc_fontbase *sc_fontbases_get(const sc_fontbases *b, int face);

/* ---- cff.c: CFF outlines, subset by HarfBuzz ------------------------------ */

typedef struct sc_cff sc_cff;

/* Check the 'CFF ' table at [off, off + len) of the font file fd (path
 * for messages; borrowed, must outlive *out) with bounds checks, map it
 * and make the HarfBuzz face that will subset it.  `in` gives the glyph
 * count (maxp), unitsPerEm and head.  *out belongs to the caller
 * (sc_cff_free).  A malformed table fails with SC_ERR_FONT naming the
 * file and the defect; without libharfbuzz-subset (loaded by the first
 * call, dl_hb.c), SC_ERR_LIBRARY naming the file and the package. */
sc_status sc_cff_open(sc_cff **out, int fd, uint64_t off, uint32_t len,
                      const sc_face_info *in, const char *path,
                      sc_error *err);
void sc_cff_free(sc_cff *c);
/* The CID of glyph gid in a CID-keyed font; -1 if the font is name-keyed
 * (then the PDF's CIDs are glyph ids of the subset, as for TrueType). */
long sc_cff_cid(const sc_cff *c, unsigned gid);
/* The font program of subset s (its glyphs sc_subset_orig(s, 0..count-1))
 * as a bare CFF font for /FontFile3 /CIDFontType0C, compressed as a zlib
 * stream: *z (sc_malloc'd, caller frees), *zlen bytes, *rawlen before
 * compression.  Name-keyed: the subset's glyph i is our id i. */
sc_status sc_cff_build(const sc_cff *c, const sc_subset *s, sc_flate *fl,
                       unsigned char **z, size_t *zlen, size_t *rawlen,
                       sc_error *err);

#endif
