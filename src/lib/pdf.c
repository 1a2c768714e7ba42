/* pdf.c -- laid-out pages to PDF through libharu (the only file that
 * includes hpdf.h).
 *
 * Errors: libharu reports through an error handler and returns a status
 * (or NULL) from the failing call.  The handler only records the error
 * number in the sc_pdf; every call's result is checked and turned into
 * SC_ERR_PDF with that number and a hint.  No setjmp/longjmp.  After an
 * error the libharu error state is reset so that the document stays usable
 * (a record that fails half-way may leave pages behind: layout errors, the
 * common case, are all found before anything reaches this file).
 *
 * Fonts are ours, not libharu's (see "text: our own fonts" below and
 * subset.c): each face drawn becomes one Type0/CIDFontType2 font per
 * document, created on first use, with a subset holding only the glyphs
 * used (plus composite components), written when the document is saved:
 * a print file with hundreds of records embeds each face once.  A document
 * may start a face's subset from its form's font base (fontbases.c),
 * whose font-program bytes were compressed once (choose_bases below).
 * Images come checked from image.c, as bytes; each is embedded once per
 * document.
 *
 * The document is handed back as bytes (sc_pdf_finish): where they go --
 * a file, a book, an e-mail -- is the output stage's business.
 *
 * Units and their order: each sc_pdf_add is a unit (a record's pages, a
 * summary, a blank back) with an outline entry if it has a title.  A book
 * sorted by total, or with its summary in front, knows its order only once
 * every record is in; the pages are drawn as they come and the order is
 * applied when the document is finished (sc_pdf_arrange): the page tree's
 * kids are permuted and the outline is made then, in the final order.
 * Nothing is drawn twice and nothing but a few words per unit is kept.
 *
 * Viewer preferences: /PrintScaling /None on every document, so that a
 * reader prints a form at 100% (a sheet shrunk "to fit" no longer lines up
 * with pre-printed paper); /Duplex /DuplexFlipLongEdge on books made for
 * double-sided printing.
 *
 * Text strings (outline titles, document title): libharu 2.3.0 writes a
 * string made with the UTF-8 encoder as UTF-16BE with a BOM, but maps each
 * character through a 16-bit code, so characters outside the BMP (rare
 * name characters such as U+20BB7) are lost, and with a NULL encoder it
 * writes raw UTF-8, which a PDF reader takes as PDFDocEncoding (mojibake).
 * So we build the UTF-16BE bytes ourselves (surrogate pairs included) and
 * store them as a binary (hex) string object in the outline / info
 * dictionary, through libharu's public object API.
 *
 * Profiles (sc_profile, docs/archive.md).  The archive profile makes the
 * document PDF/A-3b and the pdfa1 profile PDF/A-1b, with objects written
 * here through libharu's object API rather than its HPDF_PDFA_* and
 * HPDF_AttachFile (pdfa.c says why): the XMP packet (uncompressed, equal
 * to the information dictionary), the sRGB output intent, a /ID that is a
 * digest of the content, an unsigned signature field (/FT /Sig, Print
 * flag, an empty appearance) on each signature box the layout reported,
 * and, for part 3, the record and its results as associated files
 * (/AF, /AFRelationship, /Params /ModDate).  PDF/A-1 allows no
 * transparency, so there the watermark is drawn opaque under the page.
 */
#include "fontengine.h"

#include <hpdf.h>
#include <hpdf_catalog.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WATERMARK_MAX_PT 100.0
#define WATERMARK_GRAY 0.3
#define WATERMARK_ALPHA 0.15
#define BOLD_STROKE 0.03 /* synthetic bold: stroke width / font size */
#define BASE_SLACK 4096  /* see choose_bases */
#define CREATOR "scorecard " SC_VERSION
#define PRODUCER "libharu 2.3.0 (" CREATOR ")"
#define F_PRINT 4        /* annotation flags: Print */
#define FF_REQUIRED 2    /* field flags: Required */

/* One face as a PDF font: a Type0 font with Identity-H encoding over a
 * CIDFontType2 whose CIDs are the glyph ids of our subset (subset.c).  The
 * three dictionaries are created (and referenced from pages) when the face
 * is first drawn; what depends on the whole glyph set -- names, /W, the
 * font program, CIDSet, ToUnicode -- is added by sc_pdf_save. */
typedef struct pfont {
    sc_subset *sub;
    const sc_fontbase *base; /* the cache's base to start from, or NULL */
    HPDF_Dict type0, cidfont, desc;
    char res[16]; /* resource name on pages: /SC<face> */
} pfont;

/* A page's content: what libharu wrote to its stream (the line cap, the
 * rare paths and images), then `tail`, what the pen wrote after that --
 * for most pages all of it -- kept here rather than copied into libharu's
 * stream; both are compressed together at the end (finish_page). */
typedef struct ppage {
    HPDF_Page page;
    sc_buf tail;
} ppage;

typedef struct image_ent {
    const sc_image *src;
    HPDF_Image img;
} image_ent;

/* What one sc_pdf_add put in: its pages and its outline title. */
typedef struct unit {
    HPDF_Page first;
    int npages;
    char *title; /* NULL: no outline entry */
} unit;

/* An embedded file: its name-tree key (as written) and file spec. */
typedef struct efile {
    char *name;        /* the file name */
    char *key;         /* its bytes as a PDF string */
    size_t nkey;
    HPDF_Dict spec;
} efile;

struct sc_pdf {
    HPDF_Doc doc;
    const sc_fonts *fonts;
    pfont *font;       /* per face index; .sub NULL until first use */
    int fonts_done;    /* sc_pdf_finish has finished the font objects */
    int bases_chosen;  /* choose_bases has run (first sc_pdf_add) */
    unsigned long long font_ns; /* time in choose_bases, for the stats */
    const sc_fontbases *bases; /* the form's font bases, or NULL */
    sc_flate *flate;   /* compressors: the caller's, or own_flate */
    sc_flate *own_flate;
    ppage *pages;      /* every page, for finishing its content */
    int npages, cappages;
    int from_base;     /* faces whose program came from a base */
    size_t own_bytes;  /* bytes of the streams handed over (set_bytes) */
    int broken;        /* a record failed half-way: pages of it remain */
    int nfaces;
    image_ent *images;
    int nimages, capimages;
    HPDF_ExtGState wm_gs;
    unit *units;
    int nunits, capunits;
    int *order;        /* sc_pdf_arrange: units in this order, or NULL */
    int duplex;
    char *title;       /* the document's title (the first unit's) */
    HPDF_STATUS error_no;     /* last error seen by the handler */
    HPDF_STATUS error_detail;
    /* profiles (see the top) */
    int profile;              /* sc_profile */
    int book;                 /* names carry the employee id */
    long long created;        /* < 0: no date */
    HPDF_Page *rec_pages;     /* the pages of the record last added */
    int nrec_pages;
    sc_digest *id;            /* the /ID: a digest of what went in */
    HPDF_Array fields;        /* AcroForm /Fields */
    char **names;             /* field names used */
    int nnames, capnames;
    efile *files;             /* embedded files, sorted at the end */
    int nfiles, capfiles;
};

static unsigned long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (unsigned long long)t.tv_sec * 1000000000ull +
           (unsigned long long)t.tv_nsec;
}

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *ud)
{
    sc_pdf *p = ud;
    p->error_no = error_no;
    p->error_detail = detail_no;
}

static const char *hint(HPDF_STATUS e)
{
    switch (e) {
    case HPDF_FAILD_TO_ALLOC_MEM:
        return "out of memory";
    case HPDF_FILE_OPEN_ERROR:
    case HPDF_FILE_IO_ERROR:
        return "cannot open or write the file; check the path, the disk "
               "space and the permissions";
    case HPDF_TTF_CANNOT_EMBEDDING_FONT:
        return "the font's licence forbids embedding; map the role to "
               "another font";
    case HPDF_INVALID_TTC_FILE:
    case HPDF_INVALID_TTC_INDEX:
    case HPDF_TTF_INVALID_CMAP:
    case HPDF_TTF_INVALID_FOMAT:
    case HPDF_TTF_MISSING_TABLE:
    case HPDF_UNSUPPORTED_FONT_TYPE:
    case HPDF_INVALID_FONTDEF_DATA:
    case HPDF_INVALID_FONT:
        return "libharu cannot use this font (it needs TrueType outlines, "
               "not CFF/PostScript); map the role to a TrueType font";
    case HPDF_INVALID_PNG_IMAGE:
    case HPDF_LIBPNG_ERROR:
        return "the PNG image is damaged or of an unsupported kind; "
               "re-save it as a plain (non-interlaced) PNG";
    case HPDF_INVALID_JPEG_DATA:
    case HPDF_UNSUPPORTED_JPEG_FORMAT:
        return "the JPEG image is damaged or of an unsupported kind; "
               "re-save it as a baseline RGB or gray JPEG";
    case HPDF_STRING_OUT_OF_RANGE:
        return "a text string is too long for the PDF writer; shorten it";
    default:
        return "internal PDF writer error; please report it with the input";
    }
}

/* Turn the recorded libharu error into SC_ERR_PDF and reset libharu. */
static sc_status fail(sc_pdf *p, sc_error *err, const char *what,
                      const char *file)
{
    HPDF_STATUS e = p->error_no ? p->error_no
                                : (p->doc ? HPDF_GetError(p->doc) : 0);
    HPDF_STATUS d = p->error_detail;
    sc_status code = e == HPDF_FAILD_TO_ALLOC_MEM ? SC_ERR_NOMEM : SC_ERR_PDF;
    sc_error_set(err, code, file, 0, 0,
                 "%s failed (libharu error 0x%04X, detail %u): %s", what,
                 (unsigned)e, (unsigned)d, hint(e));
    p->error_no = p->error_detail = 0;
    if (p->doc)
        HPDF_ResetError(p->doc);
    return code;
}

/* UTF-8 -> UTF-16BE with BOM, into malloc'd *out. */
static sc_status utf16be(const char *s, unsigned char **out, size_t *nout)
{
    size_t n = strlen(s);
    unsigned char *b = sc_malloc(2 + n * 4);
    if (!b)
        return SC_ERR_NOMEM;
    size_t k = 0;
    b[k++] = 0xFE;
    b[k++] = 0xFF;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t used = sc_utf8_decode(s + i, n - i, &cp);
        if (used == 0) { /* invalid byte: U+FFFD, move on */
            cp = 0xFFFD;
            used = 1;
        }
        i += used;
        if (cp >= 0x10000) {
            uint32_t v = cp - 0x10000;
            uint32_t hi = 0xD800 + (v >> 10), lo = 0xDC00 + (v & 0x3FF);
            b[k++] = (unsigned char)(hi >> 8);
            b[k++] = (unsigned char)hi;
            b[k++] = (unsigned char)(lo >> 8);
            b[k++] = (unsigned char)lo;
        } else {
            b[k++] = (unsigned char)(cp >> 8);
            b[k++] = (unsigned char)cp;
        }
    }
    *out = b;
    *nout = k;
    return SC_OK;
}

/* dict[key] = UTF-16BE text string (see the essay above). */
static sc_status set_text_string(sc_pdf *p, HPDF_Dict dict, const char *key,
                                 const char *s, sc_error *err)
{
    unsigned char *u = NULL;
    size_t n = 0;
    if (utf16be(s, &u, &n) != SC_OK)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    HPDF_Binary bin = HPDF_Binary_New(p->doc->mmgr, u, (HPDF_UINT)n);
    sc_free(u);
    if (!bin || HPDF_Dict_Add(dict, key, bin) != HPDF_OK)
        return fail(p, err, "storing a text string", NULL);
    return SC_OK;
}

sc_status sc_pdf_new(sc_pdf **out, const sc_fonts *fonts,
                     const sc_pdf_opts *opts, sc_error *err)
{
    *out = NULL;
    if (!fonts)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_pdf_new needs the fonts");
    sc_pdf *p = sc_calloc(1, sizeof *p);
    if (!p)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    p->fonts = fonts;
    p->bases = opts ? opts->bases : NULL;
    p->profile = opts ? opts->profile : SC_PROFILE_PRINT;
    p->book = opts ? opts->book : 0;
    p->created = opts ? opts->created : -1;
    p->flate = opts ? opts->flate : NULL;
    if ((p->profile != SC_PROFILE_PRINT && !(p->id = sc_digest_new())) ||
        (!p->flate && !(p->flate = p->own_flate = sc_flate_new()))) {
        sc_pdf_free(p);
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    p->nfaces = sc_fonts_nfaces(fonts);
    if (p->nfaces > 0 && !(p->font = sc_calloc((size_t)p->nfaces,
                                               sizeof *p->font))) {
        sc_pdf_free(p);
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    p->doc = HPDF_New(on_error, p);
    if (!p->doc) {
        sc_pdf_free(p);
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0,
                            "cannot create a PDF document (out of memory)");
    }
    sc_status st = SC_OK;
    /* libharu compresses nothing itself (it would with zlib): every
     * stream is compressed by libdeflate here (deflate_streams) */
    if (HPDF_SetCompressionMode(p->doc, HPDF_COMP_NONE) != HPDF_OK)
        st = fail(p, err, "setting compression", NULL);
    else if (HPDF_UseUTFEncodings(p->doc) != HPDF_OK)
        st = fail(p, err, "enabling UTF-8", NULL);
    else if (HPDF_SetInfoAttr(p->doc, HPDF_INFO_CREATOR, CREATOR) != HPDF_OK)
        st = fail(p, err, "setting the creator", NULL);
    /* The creation date is the caller's (the data's or SOURCE_DATE_EPOCH),
     * never the clock's: the same record gives the same bytes.  Written
     * by us: libharu's own is D:...Z00'00', which is not a PDF date. */
    char date[32] = "";
    if (p->created >= 0)
        sc_pdf_date(date, p->created);
    if (st == SC_OK && date[0]) {
        HPDF_String d = HPDF_String_New(p->doc->mmgr, date, NULL);
        if (!d || HPDF_Dict_Add(p->doc->info, "CreationDate", d) != HPDF_OK)
            st = fail(p, err, "setting the creation date", NULL);
    }
    if (st == SC_OK && p->profile != SC_PROFILE_PRINT) {
        /* PDF/A: the XMP says what the information dictionary says, so
         * both come from here; /ModDate as the XMP's ModifyDate */
        p->doc->pdf_version = p->profile == SC_PROFILE_PDFA1 ? HPDF_VER_14 : HPDF_VER_17;
        HPDF_String d = date[0] ? HPDF_String_New(p->doc->mmgr, date, NULL) : NULL;
        if (HPDF_SetInfoAttr(p->doc, HPDF_INFO_PRODUCER, PRODUCER) != HPDF_OK ||
            (d && HPDF_Dict_Add(p->doc->info, "ModDate", d) != HPDF_OK))
            st = fail(p, err, "setting the document information", NULL);
    }
    if (st != SC_OK) {
        sc_pdf_free(p);
        return st;
    }
    *out = p;
    return SC_OK;
}

/* The image as a PDF XObject, made once per document from the bytes
 * image.c read and checked. */
static sc_status get_image(sc_pdf *p, const sc_image *im, HPDF_Image *out,
                           sc_error *err)
{
    *out = NULL;
    for (int i = 0; i < p->nimages; i++)
        if (p->images[i].src == im) {
            *out = p->images[i].img;
            return SC_OK;
        }
    HPDF_Image img =
        im->kind == SC_IMAGE_PNG
            ? HPDF_LoadPngImageFromMem(p->doc, im->data, (HPDF_UINT)im->len)
            : HPDF_LoadJpegImageFromMem(p->doc, im->data, (HPDF_UINT)im->len);
    if (!img)
        return fail(p, err, "loading the image", im->ref);
    if (p->nimages == p->capimages) {
        int cap = p->capimages ? p->capimages * 2 : 8;
        image_ent *n = sc_realloc(p->images, (size_t)cap * sizeof *n);
        if (!n)
            return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0,
                                "out of memory");
        p->images = n;
        p->capimages = cap;
    }
    p->images[p->nimages].src = im;
    p->images[p->nimages].img = img;
    p->nimages++;
    *out = img;
    return SC_OK;
}

/* ---- text: our own fonts -----------------------------------------------
 *
 * libharu keeps the document, pages, chart paths, images and outlines;
 * text, grid lines and cell fills are ours.  They are appended raw to the
 * page's content stream (HPDF_PageAttr.stream) while the page is in
 * page-description mode, through a `pen` that writes only what changes:
 *
 *     BT 0 g 0 Tr /SC2 10.5 Tf 72 700.2 Td <00010002> Tj
 *     0 -14.5 Td <0003> Tj ET
 *     0.5 w 0 G 34 722.4 m 561.3 722.4 l 34 706.7 m 561.3 706.7 l S
 *
 * (synthetic bold: G, w and 2 Tr).  Before libharu writes anything itself
 * the pen closes its text object or path and forgets the state, so
 * libharu's bookkeeping (gmode: always page description between items)
 * stays true; libharu never sees a font.  The codes are 2-byte CIDs
 * (Identity-H), which reach every
 * plane: U+20BB7 is one CID like any other.  /SCn goes into the page's
 * /Resources /Font dictionary, created the way libharu creates it (and
 * stored in HPDF_PageAttr.fonts, so libharu would reuse it).  This relies
 * on libharu 2.3.0's HPDF_PageAttr_Rec and HPDF_Dict_Rec layouts from its
 * installed headers; tests/unit/test_pdf.c pins the behaviour. */

static sc_status nomem(sc_error *err)
{
    return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
}

/* Compact decimal: at most 3 decimals, no trailing zeros. */
static void num(sc_buf *b, double v)
{
    char t[48];
    size_t n = sc_format_pt(t, v);
    t[n++] = ' ';
    sc_buf_append(b, t, n);
}

/* The PDF font of face `face`, its dictionaries created on first use. */
static sc_status get_pfont(sc_pdf *p, int face, pfont **out, sc_error *err)
{
    *out = NULL;
    if (face < 0 || face >= p->nfaces)
        return sc_error_set(err, SC_ERR_PDF, NULL, 0, 0,
                            "text item refers to face %d, but the font set "
                            "has %d faces (internal error)", face, p->nfaces);
    pfont *f = &p->font[face];
    if (f->sub) {
        *out = f;
        return SC_OK;
    }
    if (p->fonts_done)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "text added after the PDF was saved");
    sc_status st = sc_subset_new(&f->sub, sc_fonts_face(p->fonts, face), err);
    /* Later documents of a batch start from the face's base (subset.c),
     * as chosen by choose_bases. */
    if (st == SC_OK)
        st = sc_subset_seed(f->sub, f->base, err);
    if (st != SC_OK)
        return st;
    snprintf(f->res, sizeof f->res, "SC%d", face);
    HPDF_MMgr mm = p->doc->mmgr;
    HPDF_Xref xref = p->doc->xref;
    f->type0 = HPDF_Dict_New(mm);
    if (!f->type0 || HPDF_Xref_Add(xref, f->type0) != HPDF_OK)
        return fail(p, err, "creating a font", NULL);
    f->cidfont = HPDF_Dict_New(mm);
    if (!f->cidfont || HPDF_Xref_Add(xref, f->cidfont) != HPDF_OK)
        return fail(p, err, "creating a font", NULL);
    f->desc = HPDF_Dict_New(mm);
    if (!f->desc || HPDF_Xref_Add(xref, f->desc) != HPDF_OK)
        return fail(p, err, "creating a font", NULL);
    HPDF_Array desc = HPDF_Array_New(mm);
    HPDF_Dict info = HPDF_Dict_New(mm);
    int ok = desc && info &&
             HPDF_Dict_AddName(f->type0, "Type", "Font") == HPDF_OK &&
             HPDF_Dict_AddName(f->type0, "Subtype", "Type0") == HPDF_OK &&
             HPDF_Dict_AddName(f->type0, "Encoding", "Identity-H") == HPDF_OK &&
             HPDF_Dict_Add(f->type0, "DescendantFonts", desc) == HPDF_OK &&
             HPDF_Array_Add(desc, f->cidfont) == HPDF_OK &&
             HPDF_Dict_AddName(f->cidfont, "Type", "Font") == HPDF_OK &&
             HPDF_Dict_AddName(f->cidfont, "Subtype", "CIDFontType2") ==
                 HPDF_OK &&
             HPDF_Dict_Add(f->cidfont, "CIDSystemInfo", info) == HPDF_OK &&
             HPDF_Dict_Add(info, "Registry",
                           HPDF_String_New(mm, "Adobe", NULL)) == HPDF_OK &&
             HPDF_Dict_Add(info, "Ordering",
                           HPDF_String_New(mm, "Identity", NULL)) == HPDF_OK &&
             HPDF_Dict_AddNumber(info, "Supplement", 0) == HPDF_OK &&
             HPDF_Dict_AddName(f->cidfont, "CIDToGIDMap", "Identity") ==
                 HPDF_OK &&
             HPDF_Dict_Add(f->cidfont, "FontDescriptor", f->desc) == HPDF_OK &&
             HPDF_Dict_AddName(f->desc, "Type", "FontDescriptor") == HPDF_OK;
    if (!ok)
        return fail(p, err, "creating a font", NULL);
    *out = f;
    return SC_OK;
}

/* Make /name refer to the font in the page's resources. */
static sc_status page_font(sc_pdf *p, HPDF_Page page, pfont *f, sc_error *err)
{
    HPDF_PageAttr attr = (HPDF_PageAttr)page->attr;
    if (!attr->fonts) {
        HPDF_Dict res = HPDF_Page_GetInheritableItem(page, "Resources",
                                                     HPDF_OCLASS_DICT);
        HPDF_Dict fd = res ? HPDF_Dict_New(page->mmgr) : NULL;
        if (!fd || HPDF_Dict_Add(res, "Font", fd) != HPDF_OK)
            return fail(p, err, "adding the page's font resources", NULL);
        attr->fonts = fd;
    }
    if (HPDF_Dict_GetItem(attr->fonts, f->res, HPDF_OCLASS_DICT))
        return SC_OK;
    if (HPDF_Dict_Add(attr->fonts, f->res, f->type0) != HPDF_OK)
        return fail(p, err, "adding a font to the page", NULL);
    return SC_OK;
}

/* Append raw operators to the page's content stream. */
static sc_status page_write(sc_pdf *p, HPDF_Page page, const sc_buf *b,
                            sc_error *err)
{
    HPDF_PageAttr attr = (HPDF_PageAttr)page->attr;
    if (b->oom)
        return nomem(err);
    if (attr->gmode != HPDF_GMODE_PAGE_DESCRIPTION)
        return sc_error_set(err, SC_ERR_PDF, NULL, 0, 0,
                            "text drawn inside a path or text object "
                            "(internal error)");
    if (HPDF_Stream_Write(attr->stream, (const HPDF_BYTE *)b->data,
                          (HPDF_UINT)b->len) != HPDF_OK)
        return fail(p, err, "writing text", NULL);
    return SC_OK;
}

/* The page's content stream as we write it: what the operators so far
 * have set, so that a run of items writes only what changes -- one BT..ET
 * for consecutive text items (Td relative to the last one, Tf and colours
 * only when they change), one path for consecutive grid lines of one
 * width.  Operators collect in `b` and reach the stream at pen_sync, which
 * must come before libharu writes anything itself (paths, images, the
 * watermark's state): it closes the open text object or path and forgets
 * the state, since libharu's operators may change it.  Text state (Tf, Tr)
 * and colours persist across BT/ET; only the text matrix is reset. */
typedef struct pen {
    HPDF_Page page;
    sc_buf b;
    int in_text, in_path;
    double tx, ty;            /* text line origin inside BT */
    double fill, stroke, lw;  /* < 0: unknown */
    int tr;                   /* text rendering mode, -1: unknown */
    const pfont *font;        /* NULL: unknown */
    double size;
} pen;

static void pen_forget(pen *pn)
{
    pn->fill = pn->stroke = pn->lw = -1;
    pn->tr = -1;
    pn->font = NULL;
    pn->size = -1;
}

static void pen_start(pen *pn, HPDF_Page page)
{
    memset(pn, 0, sizeof *pn);
    pn->page = page;
    pen_forget(pn);
}

/* v as num() writes it, so that tracked positions are the written ones. */
static double round3(double v) { return round(v * 1000.0) / 1000.0; }

/* Close the open path or text object. */
static void pen_close(pen *pn)
{
    if (pn->in_path)
        sc_buf_puts(&pn->b, "S\n");
    if (pn->in_text)
        sc_buf_puts(&pn->b, "ET\n");
    pn->in_path = pn->in_text = 0;
}

/* Close the open path or text object and write what collected to
 * libharu's stream: libharu writes next. */
static sc_status pen_sync(sc_pdf *p, pen *pn, sc_error *err)
{
    pen_close(pn);
    sc_status st = SC_OK;
    if (pn->b.len || pn->b.oom)
        st = page_write(p, pn->page, &pn->b, err);
    sc_buf_free(&pn->b);
    pn->b = (sc_buf){0};
    pen_forget(pn);
    return st;
}

static void pen_end_path(pen *pn)
{
    if (pn->in_path)
        sc_buf_puts(&pn->b, "S\n");
    pn->in_path = 0;
}

static void pen_end_text(pen *pn)
{
    if (pn->in_text)
        sc_buf_puts(&pn->b, "ET\n");
    pn->in_text = 0;
}

static void pen_fill(pen *pn, double gray)
{
    if (pn->fill != round3(gray)) {
        num(&pn->b, gray);
        sc_buf_puts(&pn->b, "g ");
        pn->fill = round3(gray);
    }
}

static void pen_stroke(pen *pn, double gray, double lw)
{
    if (pn->stroke != round3(gray)) {
        num(&pn->b, gray);
        sc_buf_puts(&pn->b, "G ");
        pn->stroke = round3(gray);
    }
    if (pn->lw != round3(lw)) {
        num(&pn->b, lw);
        sc_buf_puts(&pn->b, "w ");
        pn->lw = round3(lw);
    }
}

/* Append the CIDs of text[0..len) drawn with `face` to b as hex digits.
 * A character the face does not map is one of the zero-width format
 * characters text.c joins to the run before it (layout has already
 * refused or marked every other): it is left out.  `centre`: the text is
 * set the Taiwan / Hong Kong way (sc_item.centre_punct), and a mark the
 * face draws off the middle of the em box is drawn as the subset's moved
 * copy of it (subset.c): same place, advance and character, its ink in
 * the middle. */
static sc_status cids(pfont *f, const sc_face *face, int centre,
                      const char *text, size_t len, sc_buf *b, sc_error *err)
{
    static const char hex[] = "0123456789ABCDEF";
    char h[256]; /* the digits go to b a run at a time, not 4 by 4 */
    size_t nh = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = sc_utf8_decode(text + i, len - i, &cp);
        if (!k)
            return sc_error_set(err, SC_ERR_ENCODING, NULL, 0, 0,
                                "invalid UTF-8 in text to draw at byte %zu "
                                "(internal error: input is checked when "
                                "read)", i + 1);
        i += k;
        if (cp == '\t')
            cp = ' ';
        unsigned gid = sc_face_gid(face, cp);
        if (!gid) /* zero-width format characters joined to the run */
            continue;
        int dx, dy;
        long cid = centre && sc_face_punct_shift(face, cp, &dx, &dy)
                       ? sc_subset_use_moved(f->sub, gid, cp, dx, dy)
                       : sc_subset_use(f->sub, gid, cp);
        if (cid < 0)
            return nomem(err);
        if (nh == sizeof h) {
            sc_buf_append(b, h, nh);
            nh = 0;
        }
        h[nh++] = hex[(cid >> 12) & 15];
        h[nh++] = hex[(cid >> 8) & 15];
        h[nh++] = hex[(cid >> 4) & 15];
        h[nh++] = hex[cid & 15];
    }
    sc_buf_append(b, h, nh);
    return SC_OK;
}

/* Real bold: the bold face draws, but the line was measured with the
 * regular face, so each glyph is followed by a TJ adjustment making its
 * advance the regular one.  Text stays exactly where layout put it. */
static sc_status bold_tj(pfont *f, const sc_face *reg, const sc_face *bold,
                         int centre, const char *text, size_t len, sc_buf *b,
                         sc_error *err)
{
    const sc_face_info *ri = sc_face_info_get(reg), *bi = sc_face_info_get(bold);
    sc_buf_puts(b, "[<");
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = sc_utf8_decode(text + i, len - i, &cp);
        if (!k)
            return sc_error_set(err, SC_ERR_ENCODING, NULL, 0, 0,
                                "invalid UTF-8 in text to draw");
        sc_status st = cids(f, bold, centre, text + i, k, b, err);
        if (st != SC_OK)
            return st;
        i += k;
        if (cp == '\t')
            cp = ' ';
        unsigned gb = sc_face_gid(bold, cp), gr = sc_face_gid(reg, cp);
        if (!gb)
            continue;
        double wb = sc_face_gid_advance(bold, gb) * 1000.0 / bi->upem;
        double wr = sc_face_gid_advance(reg, gr) * 1000.0 / ri->upem;
        if (fabs(wb - wr) > 0.5) {
            sc_buf_puts(b, ">");
            num(b, wb - wr);
            sc_buf_puts(b, "<");
        }
    }
    sc_buf_puts(b, ">] TJ\n");
    return SC_OK;
}

static sc_status draw_text(sc_pdf *p, pen *pn, double ph, const sc_item *it,
                           sc_error *err)
{
    if (it->len == 0)
        return SC_OK;
    int real_bold = 0;
    int fi = sc_fonts_draw_face(p->fonts, it->face, it->bold, it->text,
                                it->len, &real_bold);
    pfont *f;
    sc_status st = get_pfont(p, fi, &f, err);
    /* the pen's font is on the page's resources already */
    if (st == SC_OK && pn->font != f)
        st = page_font(p, pn->page, f, err);
    if (st != SC_OK)
        return st;
    sc_buf *b = &pn->b;
    pen_end_path(pn);
    if (!pn->in_text) {
        sc_buf_puts(b, "BT ");
        pn->in_text = 1;
        pn->tx = pn->ty = 0;
    }
    pen_fill(pn, it->gray);
    int tr = it->bold && !real_bold ? 2 : 0; /* synthetic: fill + stroke */
    if (tr)
        pen_stroke(pn, it->gray, it->size * BOLD_STROKE);
    if (pn->tr != tr) {
        sc_buf_puts(b, tr ? "2 Tr " : "0 Tr ");
        pn->tr = tr;
    }
    if (pn->font != f || pn->size != round3(it->size)) {
        sc_buf_printf(b, "/%s ", f->res);
        num(b, it->size);
        sc_buf_puts(b, "Tf ");
        pn->font = f;
        pn->size = round3(it->size);
    }
    double dx = round3(it->x - pn->tx), dy = round3(ph - it->y - pn->ty);
    num(b, dx);
    num(b, dy);
    sc_buf_puts(b, "Td\n");
    pn->tx += dx;
    pn->ty += dy;
    if (real_bold) {
        st = bold_tj(f, sc_fonts_face(p->fonts, it->face),
                     sc_fonts_face(p->fonts, fi), it->centre_punct, it->text,
                     it->len, b, err);
    } else {
        sc_buf_puts(b, "<");
        st = cids(f, sc_fonts_face(p->fonts, fi), it->centre_punct, it->text,
                  it->len, b, err);
        sc_buf_puts(b, "> Tj\n");
    }
    return b->oom ? nomem(err) : st;
}

/* ---- finishing the fonts at save time ---------------------------------- */

static int fu(const sc_face_info *in, double v)
{
    return (int)lround(v * 1000.0 / in->upem);
}

/* One glyph of a font as the PDF names it: its code (CID), width and
 * character, in ascending code order.  For TrueType (and name-keyed CFF)
 * the codes are the subset's ids 0, 1, 2, ...; a CID-keyed CFF face keeps
 * its own CIDs (sc_subset_code). */
typedef struct cglyph {
    unsigned code;
    int w;
    uint32_t uni;
} cglyph;

static int by_code(const void *a, const void *b)
{
    unsigned x = ((const cglyph *)a)->code, y = ((const cglyph *)b)->code;
    return x < y ? -1 : x > y;
}

/* The glyphs of f's subset by code; *out sc_malloc'd, NULL if out of
 * memory. */
static cglyph *glyph_codes(const pfont *f, unsigned *n)
{
    *n = sc_subset_count(f->sub);
    cglyph *g = sc_malloc((*n ? *n : 1) * sizeof *g);
    if (!g)
        return NULL;
    int sorted = 1;
    for (unsigned i = 0; i < *n; i++) {
        g[i].code = sc_subset_code(f->sub, i);
        g[i].w = sc_subset_width(f->sub, i);
        g[i].uni = sc_subset_unicode(f->sub, i);
        sorted = sorted && (i == 0 || g[i].code > g[i - 1].code);
    }
    if (!sorted)
        qsort(g, *n, sizeof *g, by_code);
    return g;
}

/* /W: runs of consecutive CIDs whose width is not /DW, as c [w1 w2 ...];
 * /DW the most common width (the ideographs' 1000). */
static sc_status put_widths(sc_pdf *p, pfont *f, const cglyph *g, unsigned n,
                            sc_error *err)
{
    HPDF_MMgr mm = p->doc->mmgr;
    /* the most common width among the first CIDs is good enough */
    int dw = 1000, best = 0;
    for (unsigned i = 1; i < n && i < 16; i++) {
        int c = 0;
        for (unsigned j = 1; j < n; j++)
            c += g[j].w == g[i].w;
        if (c > best) {
            best = c;
            dw = g[i].w;
        }
    }
    HPDF_Array W = HPDF_Array_New(mm);
    int ok = W && HPDF_Dict_AddNumber(f->cidfont, "DW", dw) == HPDF_OK &&
             HPDF_Dict_Add(f->cidfont, "W", W) == HPDF_OK;
    for (unsigned i = 0; ok && i < n;) {
        if (g[i].w == dw) {
            i++;
            continue;
        }
        HPDF_Array run = HPDF_Array_New(mm);
        ok = run && HPDF_Array_AddNumber(W, (HPDF_INT32)g[i].code) ==
                        HPDF_OK &&
             HPDF_Array_Add(W, run) == HPDF_OK;
        unsigned start = i;
        for (; ok && i < n && g[i].w != dw &&
               g[i].code == g[start].code + (i - start);
             i++)
            ok = HPDF_Array_AddNumber(run, g[i].w) == HPDF_OK;
    }
    return ok ? SC_OK : fail(p, err, "writing font widths", NULL);
}

/* Four upper-case hex digits of v (the CMap's are all 16-bit) at h; by
 * hand, as printf was most of the cost of a ToUnicode CMap. */
static char *hex4(char *h, unsigned v)
{
    static const char hex[] = "0123456789ABCDEF";
    h[0] = hex[(v >> 12) & 15];
    h[1] = hex[(v >> 8) & 15];
    h[2] = hex[(v >> 4) & 15];
    h[3] = hex[v & 15];
    return h + 4;
}

/* <cp> in UTF-16 hex at h (a surrogate pair beyond the BMP). */
static char *utf16hex(char *h, uint32_t cp)
{
    *h++ = '<';
    if (cp >= 0x10000) {
        uint32_t v = cp - 0x10000;
        h = hex4(h, (unsigned)(0xD800 + (v >> 10)));
        h = hex4(h, (unsigned)(0xDC00 + (v & 0x3FF)));
    } else {
        h = hex4(h, (unsigned)cp);
    }
    *h++ = '>';
    return h;
}

/* A section of n (<= 100) entries: "n begin<kind>\n<body>end<kind>\n". */
static void cmap_section(sc_buf *b, int n, const char *kind, const sc_buf *body)
{
    sc_buf_printf(b, "%d begin%s\n", n, kind);
    sc_buf_append(b, body->data, body->len);
    sc_buf_printf(b, "end%s\n", kind);
}

/* A ToUnicode CMap: codespace <0000>-<FFFF>; CIDs in runs of consecutive
 * codes that share their high byte (what the CMap format allows in one
 * range), each run a bfrange -- <lo> <hi> <u> when the code points are
 * consecutive too, else <lo> <hi> [<u1><u2>...], which takes half the
 * bytes of a bfchar line per CID -- and a CID alone a bfchar; at most 100
 * entries per section, as the CMap format requires.  Each line is made
 * in a local array and appended at once. */
static void tounicode(const cglyph *g, unsigned n, sc_buf *b)
{
    sc_buf_puts(b, "/CIDInit /ProcSet findresource begin\n12 dict begin\n"
                   "begincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering "
                   "(UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS "
                   "def\n/CMapType 2 def\n1 begincodespacerange\n<0000> "
                   "<FFFF>\nendcodespacerange\n");
    sc_buf ranges = {0}, chars = {0};
    int nr = 0, nc = 0;
    char line[64]; /* a line but a bfrange's array: < 30 bytes */
    for (unsigned i = 1; i < n;) {
        uint32_t u = g[i].uni;
        if (!u) {
            i++;
            continue;
        }
        unsigned j = i + 1;
        while (j < n && g[j].uni && g[j].code == g[i].code + (j - i) &&
               g[j].code >> 8 == g[i].code >> 8)
            j++;
        char *h = line;
        *h++ = '<';
        h = hex4(h, g[i].code);
        *h++ = '>';
        *h++ = ' ';
        if (j - i == 1) {
            h = utf16hex(h, u);
            *h++ = '\n';
            sc_buf_append(&chars, line, (size_t)(h - line));
            if (++nc == 100) {
                cmap_section(b, nc, "bfchar", &chars);
                sc_buf_free(&chars);
                chars = (sc_buf){0};
                nc = 0;
            }
        } else {
            int seq = u < 0x10000;
            for (unsigned k = i + 1; seq && k < j; k++)
                seq = g[k].uni == u + (k - i) && g[k].uni >> 8 == u >> 8;
            *h++ = '<';
            h = hex4(h, g[j - 1].code);
            *h++ = '>';
            *h++ = ' ';
            if (seq) {
                h = utf16hex(h, u);
                *h++ = '\n';
                sc_buf_append(&ranges, line, (size_t)(h - line));
            } else {
                *h++ = '[';
                sc_buf_append(&ranges, line, (size_t)(h - line));
                for (unsigned k = i; k < j; k++) {
                    h = utf16hex(line, g[k].uni);
                    sc_buf_append(&ranges, line, (size_t)(h - line));
                }
                sc_buf_puts(&ranges, "]\n");
            }
            if (++nr == 100) {
                cmap_section(b, nr, "bfrange", &ranges);
                sc_buf_free(&ranges);
                ranges = (sc_buf){0};
                nr = 0;
            }
        }
        i = j;
    }
    if (nr)
        cmap_section(b, nr, "bfrange", &ranges);
    if (nc)
        cmap_section(b, nc, "bfchar", &chars);
    if (ranges.oom || chars.oom)
        b->oom = 1;
    sc_buf_free(&ranges);
    sc_buf_free(&chars);
    sc_buf_puts(b, "endcmap\nCMapName currentdict /CMap defineresource pop\n"
                   "end\nend\n");
}

/* A stream whose bytes are already a zlib stream: libharu copies them
 * (filter NONE) and, with filter NONE, removes any /Filter key before
 * writing the dictionary, so the key is written by the write_fn, which
 * libharu calls after the keys, before ">>".  /Length is libharu's. */
static HPDF_STATUS write_flate_key(HPDF_Dict d, HPDF_Stream out)
{
    (void)d;
    return HPDF_Stream_WriteStr(out, "/Filter /FlateDecode\012");
}

/* Bytes we hold, as a read-only libharu stream.  libharu copies what
 * HPDF_Stream_Write gives it into 4 KB pieces, byte by byte, and reads
 * them back byte by byte when it saves: for a document's ~70 KB of font
 * programs that was a twentieth of its time.  So a stream whose bytes are
 * made here is handed over as a stream over them (HPDF_Stream_Rec, from
 * libharu's installed header), which libharu reads at save time and frees
 * with the document. */
typedef struct own_bytes {
    unsigned char *data; /* sc_malloc'd, the stream's */
    size_t len, pos;
} own_bytes;

static HPDF_STATUS own_read(HPDF_Stream s, HPDF_BYTE *ptr, HPDF_UINT *siz)
{
    own_bytes *o = s->attr;
    size_t n = o->len - o->pos;
    HPDF_STATUS r = HPDF_OK;
    if (n < *siz)
        r = HPDF_STREAM_EOF; /* as libharu's memory stream says it */
    else
        n = *siz;
    if (n)
        memcpy(ptr, o->data + o->pos, n);
    o->pos += n;
    *siz = (HPDF_UINT)n;
    return r;
}

static HPDF_STATUS own_seek(HPDF_Stream s, HPDF_INT pos, HPDF_WhenceMode mode)
{
    own_bytes *o = s->attr;
    long at = mode == HPDF_SEEK_SET   ? pos
              : mode == HPDF_SEEK_CUR ? (long)o->pos + pos
                                      : (long)o->len + pos;
    if (at < 0 || (size_t)at > o->len)
        return HPDF_SetError(s->error, HPDF_STREAM_EOF, 0);
    o->pos = (size_t)at;
    return HPDF_OK;
}

static HPDF_INT32 own_tell(HPDF_Stream s)
{
    return (HPDF_INT32)((own_bytes *)s->attr)->pos;
}

static HPDF_UINT32 own_size(HPDF_Stream s)
{
    return (HPDF_UINT32)((own_bytes *)s->attr)->len;
}

static void own_free(HPDF_Stream s)
{
    own_bytes *o = s->attr;
    if (o)
        sc_free(o->data);
    sc_free(o);
    s->attr = NULL;
}

/* data[0..len) (sc_malloc'd; the stream takes it, also on failure) as a
 * stream of the document; NULL if out of memory. */
static HPDF_Stream own_stream(sc_pdf *p, unsigned char *data, size_t len)
{
    HPDF_MMgr mm = p->doc->mmgr;
    own_bytes *o = sc_malloc(sizeof *o);
    HPDF_Stream s = o ? HPDF_GetMem(mm, sizeof *s) : NULL;
    if (!s) {
        sc_free(o);
        sc_free(data);
        return NULL;
    }
    memset(s, 0, sizeof *s);
    s->sig_bytes = HPDF_STREAM_SIG_BYTES;
    s->type = HPDF_STREAM_CALLBACK; /* not MEMORY: libharu keeps out */
    s->mmgr = mm;
    s->error = mm->error;
    s->read_fn = own_read;
    s->seek_fn = own_seek;
    s->tell_fn = own_tell;
    s->size_fn = own_size;
    s->free_fn = own_free;
    o->data = data;
    o->len = len;
    o->pos = 0;
    s->attr = o;
    return s;
}

/* Stream dictionary d's bytes become z[0..len) (taken, also on
 * failure): a zlib stream (flate: /Filter by write_flate_key) or the
 * bytes as they are.  0 if out of memory. */
static int set_bytes(sc_pdf *p, HPDF_Dict d, unsigned char *z, size_t len,
                     int flate)
{
    HPDF_Stream s = own_stream(p, z, len);
    if (!s)
        return 0;
    HPDF_Stream_Free(d->stream);
    d->stream = s;
    d->filter = HPDF_STREAM_FILTER_NONE;
    d->write_fn = flate ? write_flate_key : NULL;
    p->own_bytes += len;
    return 1;
}

#define FLATE_KEY 21 /* strlen("/Filter /FlateDecode\n") */

/* data[0..n) for a stream: compressed (flate.c; at the fast level for a
 * page's content and the small maps) into *out with *flate set, or --
 * when that does not make the file smaller, as for a CIDSet of a few
 * bytes -- copied as it is.  *out is sc_malloc'd. */
static sc_status stream_bytes(sc_pdf *p, const void *data, size_t n, int fast,
                              unsigned char **out, size_t *len, int *flate)
{
    *flate = 1;
    sc_status st = sc_flate_zlib(p->flate, fast, data, n, out, len);
    if (st != SC_OK || *len + FLATE_KEY < n)
        return st;
    sc_free(*out);
    *flate = 0;
    *len = n;
    if (!(*out = sc_malloc(n ? n : 1)))
        return SC_ERR_NOMEM;
    memcpy(*out, data, n);
    return SC_OK;
}

/* A stream of the zlib bytes z[0..len) (taken, also on failure); NULL if
 * out of memory or libharu failed. */
static HPDF_Dict new_flate_stream(sc_pdf *p, unsigned char *z, size_t len)
{
    HPDF_Dict d = HPDF_DictStream_New(p->doc->mmgr, p->doc->xref);
    if (!d) {
        sc_free(z);
        return NULL;
    }
    return set_bytes(p, d, z, len, 1) ? d : NULL;
}

/* A stream of data[0..len), compressed here (stream_bytes); NULL if out
 * of memory or libharu failed. */
static HPDF_Dict new_stream(sc_pdf *p, const void *data, size_t len, int fast)
{
    unsigned char *z = NULL;
    size_t zlen = 0;
    int flate;
    if (stream_bytes(p, data, len, fast, &z, &zlen, &flate) != SC_OK)
        return NULL;
    HPDF_Dict d = HPDF_DictStream_New(p->doc->mmgr, p->doc->xref);
    if (!d) {
        sc_free(z);
        return NULL;
    }
    return set_bytes(p, d, z, zlen, flate) ? d : NULL;
}

/* The font program of f: a TrueType subset for /FontFile2 (through the
 * font cache's base when the document has one), or for a CFF face a
 * subset made by HarfBuzz for /FontFile3 /CIDFontType0C, and the
 * CIDFont made a CIDFontType0, which has no CIDToGIDMap (cff.c). */
static sc_status font_program(sc_pdf *p, int face, pfont *f, HPDF_Dict *ff,
                              const char **key, sc_error *err)
{
    const sc_face *fc = sc_fonts_face(p->fonts, face);
    const sc_face_info *in = sc_face_info_get(fc);
    unsigned char *z = NULL;
    size_t ttf_len = 0, zlen = 0;
    sc_status st;
    int ok;
    if (in->cff) {
        *key = "FontFile3";
        if ((st = sc_cff_build(in->cff, f->sub, p->flate, &z, &zlen, &ttf_len,
                                err)))
            return st;
        *ff = new_flate_stream(p, z, zlen);
        ok = *ff &&
             HPDF_Dict_AddName(*ff, "Subtype", "CIDFontType0C") == HPDF_OK &&
             HPDF_Dict_AddName(f->cidfont, "Subtype", "CIDFontType0") ==
                 HPDF_OK &&
             HPDF_Dict_RemoveElement(f->cidfont, "CIDToGIDMap") == HPDF_OK;
        return ok ? SC_OK : fail(p, err, "embedding a font", sc_face_path(fc));
    }
    *key = "FontFile2";
    int from_base = 0;
    st = sc_subset_build_flate(f->sub, p->flate, &ttf_len, &z, &zlen,
                               &from_base, err);
    if (st != SC_OK)
        return st;
    p->from_base += from_base;
    *ff = new_flate_stream(p, z, zlen);
    ok = *ff && HPDF_Dict_AddNumber(*ff, "Length1", (HPDF_INT32)ttf_len) ==
                    HPDF_OK;
    return ok ? SC_OK : fail(p, err, "embedding a font", sc_face_path(fc));
}

static sc_status finish_font(sc_pdf *p, int face, pfont *f, sc_error *err)
{
    const sc_face *fc = sc_fonts_face(p->fonts, face);
    const sc_face_info *in = sc_face_info_get(fc);
    HPDF_Dict ff = NULL;
    const char *ff_key = NULL;
    sc_status st = font_program(p, face, f, &ff, &ff_key, err);
    if (st != SC_OK)
        return st;

    unsigned n;
    cglyph *g = glyph_codes(f, &n);
    if (!g)
        return nomem(err);
    /* A CIDSet only in the archive profiles: PDF/A-1 requires one (and
     * the PDF/A-3 copy is checked against PDF/A-1's rules, the only
     * validator at hand); PDF 1.7 makes it optional and PDF 2.0
     * deprecates it, readers do not use it, and a printed or mailed
     * sheet is 305-312 bytes smaller without. */
    HPDF_Dict cidset = NULL;
    if (p->profile != SC_PROFILE_PRINT) {
        unsigned nset = n ? g[n - 1].code / 8 + 1 : 1;
        unsigned char *set = sc_calloc(nset, 1);
        if (!set) {
            sc_free(g);
            return nomem(err);
        }
        for (unsigned i = 0; i < n; i++)
            set[g[i].code / 8] |= (unsigned char)(0x80 >> (g[i].code % 8));
        cidset = new_stream(p, set, nset, SC_FLATE_FAST);
        sc_free(set);
        if (!cidset) {
            sc_free(g);
            return fail(p, err, "embedding a font", sc_face_path(fc));
        }
    }

    sc_buf tu = {0};
    tounicode(g, n, &tu);
    if (tu.oom) {
        sc_buf_free(&tu);
        sc_free(g);
        return nomem(err);
    }
    HPDF_Dict tou = new_stream(p, tu.data, tu.len, SC_FLATE_FAST);
    sc_buf_free(&tu);
    if (!tou) {
        sc_free(g);
        return fail(p, err, "embedding a font", sc_face_path(fc));
    }

    char tag[7], name[96];
    sc_subset_tag(f->sub, tag);
    snprintf(name, sizeof name, "%s+%s", tag, in->psname);
    HPDF_MMgr mm = p->doc->mmgr;
    HPDF_Array bbox = HPDF_Array_New(mm);
    int flags = 4 | (in->fixed_pitch ? 1 : 0) | (in->italic_angle ? 64 : 0);
    /* StemV is not in TrueType; estimate it from the weight class. */
    int stemv = 50 + (in->weight > 400 ? (in->weight - 400) / 3 : 0) + 30;
    int ok = bbox &&
             HPDF_Dict_AddName(f->type0, "BaseFont", name) == HPDF_OK &&
             HPDF_Dict_Add(f->type0, "ToUnicode", tou) == HPDF_OK &&
             HPDF_Dict_AddName(f->cidfont, "BaseFont", name) == HPDF_OK &&
             HPDF_Dict_AddName(f->desc, "FontName", name) == HPDF_OK &&
             HPDF_Dict_AddNumber(f->desc, "Flags", flags) == HPDF_OK &&
             HPDF_Dict_Add(f->desc, "FontBBox", bbox) == HPDF_OK &&
             HPDF_Array_AddNumber(bbox, fu(in, in->xmin)) == HPDF_OK &&
             HPDF_Array_AddNumber(bbox, fu(in, in->ymin)) == HPDF_OK &&
             HPDF_Array_AddNumber(bbox, fu(in, in->xmax)) == HPDF_OK &&
             HPDF_Array_AddNumber(bbox, fu(in, in->ymax)) == HPDF_OK &&
             HPDF_Dict_AddNumber(f->desc, "ItalicAngle",
                                 (HPDF_INT32)lround(in->italic_angle)) ==
                 HPDF_OK &&
             HPDF_Dict_AddNumber(f->desc, "Ascent", fu(in, in->ascent)) ==
                 HPDF_OK &&
             HPDF_Dict_AddNumber(f->desc, "Descent", fu(in, in->descent)) ==
                 HPDF_OK &&
             HPDF_Dict_AddNumber(f->desc, "CapHeight",
                                 fu(in, in->cap_height)) == HPDF_OK &&
             HPDF_Dict_AddNumber(f->desc, "StemV", stemv) == HPDF_OK &&
             HPDF_Dict_Add(f->desc, ff_key, ff) == HPDF_OK &&
             (!cidset || HPDF_Dict_Add(f->desc, "CIDSet", cidset) == HPDF_OK);
    st = ok ? put_widths(p, f, g, n, err)
            : fail(p, err, "describing a font", sc_face_path(fc));
    sc_free(g);
    return st;
}

static sc_status finish_fonts(sc_pdf *p, sc_error *err)
{
    if (p->fonts_done)
        return SC_OK;
    unsigned long long t0 = now_ns();
    for (int i = 0; i < p->nfaces; i++) {
        if (!p->font[i].sub)
            continue;
        sc_status st = finish_font(p, i, &p->font[i], err);
        if (st != SC_OK)
            return st;
    }
    sc_fontwork_note(p->font_ns + (now_ns() - t0), 1);
    p->fonts_done = 1;
    return SC_OK;
}

static sc_status draw_item(sc_pdf *p, pen *pn, double ph, const sc_item *it,
                           sc_error *err)
{
    int ok = 1;
    HPDF_Page page = pn->page;
    sc_status st;
    switch (it->kind) {
    case SC_IT_TEXT:
        return draw_text(p, pn, ph, it, err);
    case SC_IT_LINE:
        /* grid lines: black, one path while the width stays */
        pen_end_text(pn);
        if (pn->in_path && (pn->lw != round3(it->lw) || pn->stroke != 0))
            pen_end_path(pn);
        pen_stroke(pn, 0, it->lw);
        num(&pn->b, it->x);
        num(&pn->b, ph - it->y);
        sc_buf_puts(&pn->b, "m ");
        num(&pn->b, it->x + it->w);
        num(&pn->b, ph - it->y - it->h);
        sc_buf_puts(&pn->b, "l\n");
        pn->in_path = 1;
        return pn->b.oom ? nomem(err) : SC_OK;
    case SC_IT_RECT:
        pen_end_text(pn);
        pen_end_path(pn);
        pen_fill(pn, it->gray);
        num(&pn->b, it->x);
        num(&pn->b, ph - it->y - it->h);
        num(&pn->b, it->w);
        num(&pn->b, it->h);
        sc_buf_puts(&pn->b, "re f\n");
        return pn->b.oom ? nomem(err) : SC_OK;
    case SC_IT_PATH: {
        /* chart polylines and polygons (issue 5); the dash and widths are
         * scoped by GSave/GRestore */
        static const HPDF_UINT16 dash[2] = {3, 2};
        int fill = it->closed && it->gray >= 0, stroke = it->lw > 0;
        if (!it->pts || it->npts < 2 || (!fill && !stroke))
            return SC_OK;
        if ((st = pen_sync(p, pn, err)) != SC_OK)
            return st;
        ok = HPDF_Page_GSave(page) == HPDF_OK &&
             HPDF_Page_SetLineJoin(page, HPDF_ROUND_JOIN) == HPDF_OK;
        if (ok && fill)
            ok = HPDF_Page_SetGrayFill(page, (HPDF_REAL)it->gray) == HPDF_OK;
        if (ok && stroke)
            ok = HPDF_Page_SetLineWidth(page, (HPDF_REAL)it->lw) == HPDF_OK &&
                 HPDF_Page_SetGrayStroke(page, (HPDF_REAL)it->stroke) ==
                     HPDF_OK &&
                 (!it->dash ||
                  HPDF_Page_SetDash(page, dash, 2, 0) == HPDF_OK);
        ok = ok && HPDF_Page_MoveTo(page, (HPDF_REAL)it->pts[0],
                                    (HPDF_REAL)(ph - it->pts[1])) == HPDF_OK;
        for (int i = 1; ok && i < it->npts; i++)
            ok = HPDF_Page_LineTo(page, (HPDF_REAL)it->pts[2 * i],
                                  (HPDF_REAL)(ph - it->pts[2 * i + 1])) ==
                 HPDF_OK;
        if (ok && it->closed)
            ok = HPDF_Page_ClosePath(page) == HPDF_OK;
        if (ok)
            ok = (fill && stroke ? HPDF_Page_FillStroke(page)
                  : fill         ? HPDF_Page_Fill(page)
                                 : HPDF_Page_Stroke(page)) == HPDF_OK;
        ok = HPDF_Page_GRestore(page) == HPDF_OK && ok;
        return ok ? SC_OK : fail(p, err, "drawing a path", NULL);
    }
    case SC_IT_IMAGE: {
        if (!it->image)
            return SC_OK;
        HPDF_Image img;
        st = get_image(p, it->image, &img, err);
        if (st == SC_OK)
            st = pen_sync(p, pn, err);
        if (st != SC_OK)
            return st;
        if (HPDF_Page_DrawImage(page, img, (HPDF_REAL)it->x,
                                (HPDF_REAL)(ph - it->y - it->h),
                                (HPDF_REAL)it->w, (HPDF_REAL)it->h) != HPDF_OK)
            return fail(p, err, "drawing an image", it->image->ref);
        return SC_OK;
    }
    default:
        return SC_OK;
    }
}

/* The watermark: body-role text, rotated 45 degrees about the page centre,
 * drawn over the content with a low alpha so fills do not hide it and the
 * content stays readable.  PDF/A-1 allows no transparency: there it is
 * drawn first, under the content, in the gray the alpha gives on white. */
static sc_status draw_watermark(sc_pdf *p, pen *pn, double pw, double ph,
                                const char *wm, sc_error *err)
{
    int opaque = p->profile == SC_PROFILE_PDFA1;
    HPDF_Page page = pn->page;
    size_t n = strlen(wm);
    double w1 = sc_text_width(p->fonts, SC_ROLE_BODY, 1.0, wm, n);
    if (w1 <= 0)
        return SC_OK;
    double diag = sqrt(pw * pw + ph * ph);
    double size = WATERMARK_MAX_PT;
    if (w1 * size > diag * 0.7)
        size = diag * 0.7 / w1;
    sc_run *runs = NULL;
    size_t nruns = 0;
    sc_status st = sc_text_runs(p->fonts, SC_ROLE_BODY, size, wm, n, &runs,
                                &nruns);
    if (st != SC_OK)
        return sc_error_set(err, st, NULL, 0, 0,
                            "cannot measure the watermark text");
    if (!opaque && !p->wm_gs) {
        p->wm_gs = HPDF_CreateExtGState(p->doc);
        if (!p->wm_gs ||
            HPDF_ExtGState_SetAlphaFill(p->wm_gs, WATERMARK_ALPHA) != HPDF_OK ||
            HPDF_ExtGState_SetAlphaStroke(p->wm_gs, WATERMARK_ALPHA) !=
                HPDF_OK) {
            p->wm_gs = NULL;
            sc_free(runs);
            return fail(p, err, "creating the watermark transparency", NULL);
        }
    }
    double total = 0;
    for (size_t i = 0; i < nruns; i++)
        total += runs[i].width;
    const double c = 0.70710678118654752440, s = c; /* 45 degrees */
    if ((st = pen_sync(p, pn, err)) != SC_OK) {
        sc_free(runs);
        return st;
    }
    int ok = HPDF_Page_GSave(page) == HPDF_OK &&
             (opaque || HPDF_Page_SetExtGState(page, p->wm_gs) == HPDF_OK) &&
             HPDF_Page_Concat(page, (HPDF_REAL)c, (HPDF_REAL)s, (HPDF_REAL)-s,
                              (HPDF_REAL)c, (HPDF_REAL)(pw / 2),
                              (HPDF_REAL)(ph / 2)) == HPDF_OK;
    if (!ok) {
        sc_free(runs);
        return fail(p, err, "placing the watermark", NULL);
    }
    double x = -total / 2, y = -size * 0.35; /* centre the CJK body */
    for (size_t i = 0; i < nruns && st == SC_OK; i++) {
        if (runs[i].face >= 0) {
            sc_item it = {0};
            it.kind = SC_IT_TEXT;
            it.face = runs[i].face;
            it.size = size;
            it.gray = opaque ? 1 - WATERMARK_ALPHA * (1 - WATERMARK_GRAY)
                             : WATERMARK_GRAY;
            it.text = wm + runs[i].start;
            it.len = runs[i].len;
            it.x = x;
            it.y = -y; /* draw_text flips with ph = 0 */
            st = draw_text(p, pn, 0, &it, err);
        }
        x += runs[i].width;
    }
    sc_free(runs);
    if (st == SC_OK)
        st = pen_sync(p, pn, err);
    if (st != SC_OK)
        return st;
    if (HPDF_Page_GRestore(page) != HPDF_OK)
        return fail(p, err, "placing the watermark", NULL);
    return SC_OK;
}

/* Before the first record is drawn: for each face that has a base in the
 * form's bases, whether this document starts its subset from it.  It does
 * unless the base holds many glyphs the document does not draw (a form
 * whose labels this record mostly leaves out): those would cost the
 * document their bytes, so above BASE_SLACK bytes of such outlines (~half
 * that after Flate) the face is subset as without a base.  The choice
 * depends on nothing but this record and its form.  The watermark is not
 * scanned: its few glyphs are extras. */
static sc_status choose_bases(sc_pdf *p, const sc_laid *laid, sc_error *err)
{
    if (!p->bases)
        return SC_OK;
    sc_glyphs *used = sc_calloc((size_t)p->nfaces + 1, sizeof *used);
    unsigned char *skip = sc_calloc((size_t)p->nfaces + 1, 1);
    sc_status st = used && skip ? SC_OK : nomem(err);
    for (int f = 0; st == SC_OK && f < p->nfaces; f++)
        skip[f] = p->font[f].sub != NULL || !sc_fontbases_get(p->bases, f);
    if (st == SC_OK)
        st = sc_laid_glyphs(laid, p->fonts, used, skip, err);
    for (int f = 0; st == SC_OK && f < p->nfaces; f++) {
        if (skip[f] || !used[f].n)
            continue;
        const sc_fontbase *b = sc_fontbases_get(p->bases, f);
        if (sc_fontbase_unused(b, sc_fonts_face(p->fonts, f), used[f].gid,
                               used[f].n) <= BASE_SLACK)
            p->font[f].base = b;
    }
    sc_glyphs_free(used, p->nfaces);
    sc_free(skip);
    return st;
}

/* Draw the pages of laid and its outline entry. */
static sc_status add_pages(sc_pdf *p, const sc_laid *laid, sc_error *err)
{
    HPDF_Page first = NULL;
    sc_free(p->rec_pages);
    p->nrec_pages = 0;
    if (laid->npages > 0 &&
        !(p->rec_pages = sc_calloc((size_t)laid->npages, sizeof *p->rec_pages)))
        return nomem(err);
    int under = p->profile == SC_PROFILE_PDFA1; /* the watermark, see there */
    for (int i = 0; i < laid->npages; i++) {
        HPDF_Page page = HPDF_AddPage(p->doc);
        if (!page ||
            HPDF_Page_SetWidth(page, (HPDF_REAL)laid->page_w) != HPDF_OK ||
            HPDF_Page_SetHeight(page, (HPDF_REAL)laid->page_h) != HPDF_OK)
            return fail(p, err, "adding a page", NULL);
        /* Square caps: table frame lines meet cleanly at corners. */
        if (HPDF_Page_SetLineCap(page, HPDF_PROJECTING_SCUARE_END) != HPDF_OK)
            return fail(p, err, "adding a page", NULL);
        if (!first)
            first = page;
        p->rec_pages[p->nrec_pages++] = page;
        if (p->npages == p->cappages) {
            int cap = p->cappages ? p->cappages * 2 : 4;
            ppage *v = sc_realloc(p->pages, (size_t)cap * sizeof *v);
            if (!v)
                return nomem(err);
            p->pages = v;
            p->cappages = cap;
        }
        ppage *pp = &p->pages[p->npages++];
        memset(pp, 0, sizeof *pp);
        pp->page = page;
        const sc_page *pg = &laid->pages[i];
        pen pn;
        pen_start(&pn, page);
        sc_status st = SC_OK;
        int wm = laid->watermark && *laid->watermark;
        if (wm && under)
            st = draw_watermark(p, &pn, laid->page_w, laid->page_h, laid->watermark, err);
        for (size_t k = 0; st == SC_OK && k < pg->nitems; k++)
            st = draw_item(p, &pn, laid->page_h, &pg->items[k], err);
        if (st == SC_OK && wm && !under)
            st = draw_watermark(p, &pn, laid->page_w, laid->page_h,
                                laid->watermark, err);
        if (st == SC_OK) { /* the rest stays with the page */
            pen_close(&pn);
            if (pn.b.oom)
                st = nomem(err);
            pp->tail = pn.b;
            pn.b = (sc_buf){0};
        }
        sc_buf_free(&pn.b);
        if (st != SC_OK)
            return st;
    }
    if (p->nunits == p->capunits) {
        int cap = p->capunits ? p->capunits * 2 : 8;
        unit *u = sc_realloc(p->units, (size_t)cap * sizeof *u);
        if (!u)
            return nomem(err);
        p->units = u;
        p->capunits = cap;
    }
    unit *u = &p->units[p->nunits];
    u->first = first;
    u->npages = laid->npages;
    u->title = NULL;
    if (first && laid->title && *laid->title && !(u->title = sc_strdup(laid->title)))
        return nomem(err);
    p->nunits++;
    return SC_OK;
}

sc_status sc_pdf_add(sc_pdf *p, const sc_laid *laid, sc_error *err)
{
    if (!p || !laid)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_pdf_add needs a document and a layout");
    if (p->broken)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "a record failed half-way into this PDF; it "
                            "cannot take more pages");
    if (p->fonts_done)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "pages added after the PDF was finished");
    if (!p->bases_chosen) {
        unsigned long long t0 = now_ns();
        sc_status st = choose_bases(p, laid, err);
        p->font_ns += now_ns() - t0;
        if (st != SC_OK)
            return st;
        p->bases_chosen = 1;
    }
    /* Everything that can fail for a reason of the record's own (images,
     * glyphs, text) was checked before layout; what fails here (memory,
     * libharu) may leave pages of the record behind, so the document is
     * marked and never finished. */
    sc_status st = add_pages(p, laid, err);
    if (st != SC_OK)
        p->broken = 1;
    return st;
}

/* ---- profiles: signature fields, associated files, PDF/A objects ------ */

/* A PDF string of s: a literal when it is ASCII, else UTF-16BE with a
 * BOM (set_text_string); *key gets the bytes as written, for sorting a
 * name tree.  NULL when out of memory. */
static void *pdf_string(sc_pdf *p, const char *s, char **key, size_t *nkey)
{
    int ascii = 1;
    for (const char *c = s; *c; c++)
        ascii &= (unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f;
    unsigned char *u = NULL;
    size_t n = strlen(s);
    if (!ascii && utf16be(s, &u, &n) != SC_OK)
        return NULL;
    void *obj = ascii ? (void *)HPDF_String_New(p->doc->mmgr, s, NULL)
                      : (void *)HPDF_Binary_New(p->doc->mmgr, u, (HPDF_UINT)n);
    if (obj && key) {
        *key = sc_malloc(n + 1);
        if (*key) {
            memcpy(*key, ascii ? (const void *)s : (const void *)u, n);
            (*key)[n] = '\0';
            *nkey = n;
        }
        if (!*key)
            obj = NULL;
    }
    sc_free(u);
    return obj;
}

/* want, or want_2, want_3 ... : a field name no earlier field of the
 * document has; '.' (the separator of field names) becomes '_'. */
static sc_status unique_name(sc_pdf *p, const char *want, char *out, size_t n,
                             sc_error *err)
{
    char base[256];
    snprintf(base, sizeof base, "%.255s", want);
    for (char *c = base; *c; c++)
        if (*c == '.')
            *c = '_';
    snprintf(out, n, "%s", base);
    for (int k = 2;; k++) {
        int used = 0;
        for (int i = 0; i < p->nnames && !used; i++)
            used = !strcmp(p->names[i], out);
        if (!used)
            break;
        snprintf(out, n, "%s_%d", base, k);
    }
    if (p->nnames == p->capnames) {
        int cap = p->capnames ? p->capnames * 2 : 8;
        char **v = sc_realloc(p->names, (size_t)cap * sizeof *v);
        if (!v)
            return nomem(err);
        p->names = v;
        p->capnames = cap;
    }
    if (!(p->names[p->nnames] = sc_strdup(out)))
        return nomem(err);
    p->nnames++;
    return SC_OK;
}

/* An unsigned signature field (merged with its widget) on signature box
 * sb of the record just drawn: /FT /Sig, printable, with an empty
 * appearance (PDF/A wants one for every widget), in the page's /Annots
 * and the AcroForm's /Fields.  A reader signing it fills /V. */
static sc_status add_field(sc_pdf *p, const sc_laid *laid, const sc_sigbox *sb,
                           const char *id, sc_error *err)
{
    if (sb->page < 0 || sb->page >= p->nrec_pages || sb->w <= 0 || sb->h <= 0)
        return SC_OK;
    HPDF_Page page = p->rec_pages[sb->page];
    HPDF_MMgr mm = p->doc->mmgr;
    HPDF_Xref xref = p->doc->xref;
    char want[256], name[320];
    if (p->book && id && *id)
        snprintf(want, sizeof want, "%s_%s", id, sb->role);
    else
        snprintf(want, sizeof want, "%s", sb->role);
    sc_status st = unique_name(p, want, name, sizeof name, err);
    if (st != SC_OK)
        return st;
    double y0 = laid->page_h - sb->y - sb->h;
    HPDF_Dict w = HPDF_Dict_New(mm);
    HPDF_Array rect = HPDF_Array_New(mm), bbox = HPDF_Array_New(mm);
    HPDF_Dict ap = HPDF_Dict_New(mm);
    HPDF_Dict form = HPDF_DictStream_New(mm, xref);
    HPDF_Dict res = HPDF_Dict_New(mm);
    int ok = w && rect && bbox && ap && form && res && HPDF_Xref_Add(xref, w) == HPDF_OK;
    ok = ok && HPDF_Array_AddReal(rect, (HPDF_REAL)sb->x) == HPDF_OK &&
         HPDF_Array_AddReal(rect, (HPDF_REAL)y0) == HPDF_OK &&
         HPDF_Array_AddReal(rect, (HPDF_REAL)(sb->x + sb->w)) == HPDF_OK &&
         HPDF_Array_AddReal(rect, (HPDF_REAL)(y0 + sb->h)) == HPDF_OK &&
         HPDF_Array_AddNumber(bbox, 0) == HPDF_OK && HPDF_Array_AddNumber(bbox, 0) == HPDF_OK &&
         HPDF_Array_AddReal(bbox, (HPDF_REAL)sb->w) == HPDF_OK &&
         HPDF_Array_AddReal(bbox, (HPDF_REAL)sb->h) == HPDF_OK &&
         HPDF_Dict_AddName(form, "Type", "XObject") == HPDF_OK &&
         HPDF_Dict_AddName(form, "Subtype", "Form") == HPDF_OK &&
         HPDF_Dict_Add(form, "BBox", bbox) == HPDF_OK &&
         HPDF_Dict_Add(form, "Resources", res) == HPDF_OK &&
         HPDF_Dict_Add(ap, "N", form) == HPDF_OK &&
         HPDF_Dict_AddName(w, "Type", "Annot") == HPDF_OK &&
         HPDF_Dict_AddName(w, "Subtype", "Widget") == HPDF_OK &&
         HPDF_Dict_AddName(w, "FT", "Sig") == HPDF_OK &&
         HPDF_Dict_AddNumber(w, "F", F_PRINT) == HPDF_OK &&
         (!sb->required || HPDF_Dict_AddNumber(w, "Ff", FF_REQUIRED) == HPDF_OK) &&
         HPDF_Dict_Add(w, "Rect", rect) == HPDF_OK &&
         HPDF_Dict_Add(w, "P", page) == HPDF_OK &&
         HPDF_Dict_Add(w, "AP", ap) == HPDF_OK;
    if (!ok)
        return fail(p, err, "adding a signature field", NULL);
    char tu[300];
    snprintf(tu, sizeof tu, "%s签字", sb->role);
    if ((st = set_text_string(p, w, "T", name, err)) != SC_OK ||
        (st = set_text_string(p, w, "TU", tu, err)) != SC_OK)
        return st;
    HPDF_Array annots = HPDF_Dict_GetItem(page, "Annots", HPDF_OCLASS_ARRAY);
    if (!annots) {
        annots = HPDF_Array_New(mm);
        if (!annots || HPDF_Dict_Add(page, "Annots", annots) != HPDF_OK)
            return fail(p, err, "adding a signature field", NULL);
    }
    if (!p->fields) {
        HPDF_Dict acro = HPDF_Dict_New(mm);
        p->fields = HPDF_Array_New(mm);
        if (!acro || !p->fields || HPDF_Xref_Add(xref, acro) != HPDF_OK ||
            HPDF_Dict_Add(acro, "Fields", p->fields) != HPDF_OK ||
            HPDF_Dict_Add(p->doc->catalog, "AcroForm", acro) != HPDF_OK) {
            p->fields = NULL;
            return fail(p, err, "adding the form", NULL);
        }
    }
    if (HPDF_Array_Add(annots, w) != HPDF_OK || HPDF_Array_Add(p->fields, w) != HPDF_OK)
        return fail(p, err, "adding a signature field", NULL);
    return SC_OK;
}

/* An associated file: data[0..len) (XML) embedded under the name fname,
 * its relationship to the document rel (Source, Data), listed in the
 * catalog's /AF and, at the end, the /EmbeddedFiles name tree. */
static sc_status add_file(sc_pdf *p, const char *fname, const char *desc,
                          const char *rel, const char *data, size_t len, sc_error *err)
{
    HPDF_MMgr mm = p->doc->mmgr;
    HPDF_Xref xref = p->doc->xref;
    if (p->nfiles == p->capfiles) {
        int cap = p->capfiles ? p->capfiles * 2 : 4;
        efile *v = sc_realloc(p->files, (size_t)cap * sizeof *v);
        if (!v)
            return nomem(err);
        p->files = v;
        p->capfiles = cap;
    }
    char date[32] = "";
    if (p->created >= 0)
        sc_pdf_date(date, p->created);
    unsigned char md5[16];
    HPDF_Dict ef = HPDF_DictStream_New(mm, xref);
    HPDF_Dict params = HPDF_Dict_New(mm), efd = HPDF_Dict_New(mm);
    HPDF_Dict spec = HPDF_Dict_New(mm);
    int ok = ef && params && efd && spec && HPDF_Xref_Add(xref, spec) == HPDF_OK &&
             sc_md5(data, len, md5);
    unsigned char *z = NULL;
    size_t zlen = 0;
    int flate;
    if (ok && stream_bytes(p, data, len, SC_FLATE_SMALL, &z, &zlen, &flate) != SC_OK)
        return nomem(err);
    if (ok && !set_bytes(p, ef, z, zlen, flate)) /* z is taken */
        return nomem(err);
    if (ok) {
        HPDF_Binary sum = HPDF_Binary_New(mm, md5, 16);
        ok = HPDF_Dict_AddName(ef, "Type", "EmbeddedFile") == HPDF_OK &&
             HPDF_Dict_AddName(ef, "Subtype", "text/xml") == HPDF_OK &&
             HPDF_Dict_Add(ef, "Params", params) == HPDF_OK &&
             HPDF_Dict_AddNumber(params, "Size", (HPDF_INT32)len) == HPDF_OK &&
             sum && HPDF_Dict_Add(params, "CheckSum", sum) == HPDF_OK &&
             (!date[0] || HPDF_Dict_Add(params, "ModDate",
                                        HPDF_String_New(mm, date, NULL)) == HPDF_OK) &&
             HPDF_Dict_AddName(spec, "Type", "Filespec") == HPDF_OK &&
             HPDF_Dict_AddName(spec, "AFRelationship", rel) == HPDF_OK &&
             HPDF_Dict_Add(spec, "EF", efd) == HPDF_OK &&
             HPDF_Dict_Add(efd, "F", ef) == HPDF_OK && HPDF_Dict_Add(efd, "UF", ef) == HPDF_OK;
    }
    if (!ok)
        return fail(p, err, "embedding a file", fname);
    efile *e = &p->files[p->nfiles];
    memset(e, 0, sizeof *e);
    e->spec = spec;
    void *f = pdf_string(p, fname, &e->key, &e->nkey);
    e->name = sc_strdup(fname);
    p->nfiles++; /* freed with the document, whatever happens next */
    if (!f || !e->name || HPDF_Dict_Add(spec, "F", f) != HPDF_OK)
        return e->key && e->name ? fail(p, err, "embedding a file", fname) : nomem(err);
    sc_status st = set_text_string(p, spec, "UF", fname, err);
    if (st == SC_OK)
        st = set_text_string(p, spec, "Desc", desc, err);
    if (st != SC_OK)
        return st;
    HPDF_Array af = HPDF_Dict_GetItem(p->doc->catalog, "AF", HPDF_OCLASS_ARRAY);
    if (!af) {
        af = HPDF_Array_New(mm);
        if (!af || HPDF_Dict_Add(p->doc->catalog, "AF", af) != HPDF_OK)
            return fail(p, err, "embedding a file", fname);
    }
    if (HPDF_Array_Add(af, spec) != HPDF_OK)
        return fail(p, err, "embedding a file", fname);
    return SC_OK;
}

/* The record's two associated files: its source and its results. */
static sc_status add_record_files(sc_pdf *p, const sc_record *rec, sc_error *err)
{
    if (!rec->source)
        return sc_error_set(err, SC_ERR_USAGE, rec->file, rec->line, 0,
                            "the record was read without its source (internal error: "
                            "sc_reader_keep_source)");
    char *results = NULL;
    size_t nresults = 0;
    sc_status st = sc_record_results(rec, &results, &nresults, err);
    if (st != SC_OK)
        return st;
    sc_digest_add(p->id, rec->source, rec->source_len);
    sc_digest_add(p->id, results, nresults);
    char src_name[300], res_name[300], desc[400];
    st = sc_record_filename(rec, "{id}-record.xml", src_name, sizeof src_name, err);
    if (st == SC_OK)
        st = sc_record_filename(rec, "{id}-results.xml", res_name, sizeof res_name, err);
    if (st == SC_OK) {
        snprintf(desc, sizeof desc, "考核数据（源记录）%s", rec->label);
        st = add_file(p, src_name, desc, "Source", rec->source, rec->source_len, err);
    }
    if (st == SC_OK) {
        snprintf(desc, sizeof desc, "计算结果（总分、等级、奖金、各项得分）%s", rec->label);
        st = add_file(p, res_name, desc, "Data", results, nresults, err);
    }
    sc_free(results);
    return st;
}

sc_status sc_pdf_archive(sc_pdf *p, const sc_laid *laid, const sc_record *rec,
                         sc_error *err)
{
    if (!p || !laid)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_pdf_archive needs a document and a layout");
    if (p->profile == SC_PROFILE_PRINT)
        return SC_OK;
    if (p->broken || !p->rec_pages)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_pdf_archive comes right after sc_pdf_add");
    sc_status st = SC_OK;
    if (laid->title)
        sc_digest_add(p->id, laid->title, strlen(laid->title) + 1);
    for (int i = 0; st == SC_OK && i < laid->nsigboxes; i++)
        st = add_field(p, laid, &laid->sigboxes[i], rec ? rec->id : NULL, err);
    if (st == SC_OK && rec && p->profile == SC_PROFILE_ARCHIVE)
        st = add_record_files(p, rec, err);
    sc_free(p->rec_pages);
    p->rec_pages = NULL;
    p->nrec_pages = 0;
    if (st != SC_OK)
        p->broken = 1;
    return st;
}

/* Name-tree order: the keys' bytes, a prefix first. */
static int by_key(const void *a, const void *b)
{
    const efile *x = a, *y = b;
    size_t n = x->nkey < y->nkey ? x->nkey : y->nkey;
    int c = memcmp(x->key, y->key, n);
    return c ? c : (x->nkey > y->nkey) - (x->nkey < y->nkey);
}

/* Before saving: the XMP packet, the output intent, the embedded-file
 * name tree (keys in order) and the /ID. */
static sc_status finish_profile(sc_pdf *p, sc_error *err)
{
    if (p->profile == SC_PROFILE_PRINT)
        return SC_OK;
    HPDF_MMgr mm = p->doc->mmgr;
    HPDF_Xref xref = p->doc->xref;
    HPDF_Dict cat = p->doc->catalog;
    sc_pdfa_meta m = {p->profile == SC_PROFILE_PDFA1 ? 1 : 3, p->title, CREATOR, PRODUCER,
                      p->created};
    sc_buf x = {0};
    if (sc_pdfa_xmp(&m, &x) != SC_OK) {
        sc_buf_free(&x);
        return nomem(err);
    }
    /* uncompressed: PDF/A wants the metadata readable as it is */
    HPDF_Dict md = HPDF_DictStream_New(mm, xref);
    int ok = md && HPDF_Dict_AddName(md, "Type", "Metadata") == HPDF_OK &&
             HPDF_Dict_AddName(md, "Subtype", "XML") == HPDF_OK &&
             HPDF_Stream_Write(md->stream, (const HPDF_BYTE *)x.data, (HPDF_UINT)x.len) ==
                 HPDF_OK &&
             HPDF_Dict_Add(cat, "Metadata", md) == HPDF_OK;
    sc_buf_free(&x);
    if (md)
        md->filter = HPDF_STREAM_FILTER_NONE;
    if (!ok)
        return fail(p, err, "writing the XMP metadata", NULL);

    HPDF_Dict icc = new_stream(p, sc_icc_srgb, sc_icc_srgb_len, SC_FLATE_SMALL);
    HPDF_Dict oi = HPDF_Dict_New(mm);
    HPDF_Array ois = HPDF_Array_New(mm);
    ok = icc && oi && ois && HPDF_Dict_AddNumber(icc, "N", 3) == HPDF_OK &&
         HPDF_Dict_AddName(oi, "Type", "OutputIntent") == HPDF_OK &&
         HPDF_Dict_AddName(oi, "S", "GTS_PDFA1") == HPDF_OK &&
         HPDF_Dict_Add(oi, "OutputConditionIdentifier",
                       HPDF_String_New(mm, "sRGB IEC61966-2.1", NULL)) == HPDF_OK &&
         HPDF_Dict_Add(oi, "Info", HPDF_String_New(mm, "sRGB IEC61966-2.1", NULL)) == HPDF_OK &&
         HPDF_Dict_Add(oi, "RegistryName", HPDF_String_New(mm, "http://www.color.org", NULL)) ==
             HPDF_OK &&
         HPDF_Dict_Add(oi, "DestOutputProfile", icc) == HPDF_OK &&
         HPDF_Array_Add(ois, oi) == HPDF_OK && HPDF_Dict_Add(cat, "OutputIntents", ois) == HPDF_OK;
    if (!ok)
        return fail(p, err, "writing the output intent", NULL);

    if (p->nfiles) {
        qsort(p->files, (size_t)p->nfiles, sizeof *p->files, by_key);
        HPDF_Dict names = HPDF_Dict_New(mm), tree = HPDF_Dict_New(mm);
        HPDF_Array kv = HPDF_Array_New(mm);
        ok = names && tree && kv && HPDF_Dict_Add(cat, "Names", names) == HPDF_OK &&
             HPDF_Dict_Add(names, "EmbeddedFiles", tree) == HPDF_OK &&
             HPDF_Dict_Add(tree, "Names", kv) == HPDF_OK;
        for (int i = 0; ok && i < p->nfiles; i++) {
            void *key = pdf_string(p, p->files[i].name, NULL, NULL);
            ok = key && HPDF_Array_Add(kv, key) == HPDF_OK &&
                 HPDF_Array_Add(kv, p->files[i].spec) == HPDF_OK;
        }
        if (!ok)
            return fail(p, err, "listing the embedded files", NULL);
    }

    unsigned char id[32];
    HPDF_Array ida = HPDF_Array_New(mm);
    char date[32] = "";
    if (p->created >= 0)
        sc_pdf_date(date, p->created);
    sc_digest_add(p->id, date, strlen(date));
    ok = ida && sc_digest_final(p->id, id) &&
         HPDF_Array_Add(ida, HPDF_Binary_New(mm, id, 16)) == HPDF_OK &&
         HPDF_Array_Add(ida, HPDF_Binary_New(mm, id, 16)) == HPDF_OK &&
         HPDF_Dict_Add(p->doc->trailer, "ID", ida) == HPDF_OK;
    return ok ? SC_OK : fail(p, err, "writing the document ID", NULL);
}

/* The bytes libharu holds in stream dictionary d, followed by tail[0..n)
 * (may be empty), compressed (flate.c, fast or not) and made d's bytes. */
static sc_status deflate_dict(sc_pdf *p, HPDF_Dict d, const char *tail,
                              size_t n, int fast, sc_error *err)
{
    HPDF_UINT32 had = HPDF_Stream_Size(d->stream);
    unsigned char *raw = sc_malloc(had + n + 1), *z = NULL;
    size_t zlen = 0;
    if (!raw)
        return nomem(err);
    if (had) {
        HPDF_UINT got = had;
        HPDF_STATUS r = HPDF_Stream_Seek(d->stream, 0, HPDF_SEEK_SET);
        if (r == HPDF_OK)
            r = HPDF_Stream_Read(d->stream, raw, &got);
        if ((r != HPDF_OK && r != HPDF_STREAM_EOF) || got != had) {
            sc_free(raw);
            return fail(p, err, "reading a stream back", NULL);
        }
    }
    if (n)
        memcpy(raw + had, tail, n);
    int flate;
    sc_status st = stream_bytes(p, raw, had + n, fast, &z, &zlen, &flate);
    sc_free(raw);
    if (st != SC_OK || !set_bytes(p, d, z, zlen, flate))
        return nomem(err);
    return SC_OK;
}

/* ---- order, outline and viewer preferences (at the end) ------------------ */

void sc_pdf_set_duplex(sc_pdf *p, int duplex)
{
    if (p)
        p->duplex = duplex;
}

int sc_pdf_units(const sc_pdf *p) { return p ? p->nunits : 0; }

int sc_pdf_unit_pages(const sc_pdf *p, int unit_index)
{
    return p && unit_index >= 0 && unit_index < p->nunits ? p->units[unit_index].npages : 0;
}

sc_status sc_pdf_arrange(sc_pdf *p, const int *order, int n, sc_error *err)
{
    if (!p || !order || n != p->nunits)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_pdf_arrange needs every unit of the document once");
    int *o = sc_calloc((size_t)(n ? n : 1), sizeof *o);
    unsigned char *seen = sc_calloc((size_t)(n ? n : 1), 1);
    if (!o || !seen) {
        sc_free(o);
        sc_free(seen);
        return nomem(err);
    }
    for (int i = 0; i < n; i++) {
        if (order[i] < 0 || order[i] >= n || seen[order[i]]) {
            sc_free(o);
            sc_free(seen);
            return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                                "sc_pdf_arrange: not a permutation of the units");
        }
        seen[order[i]] = 1;
        o[i] = order[i];
    }
    sc_free(seen);
    sc_free(p->order);
    p->order = o;
    return SC_OK;
}

/* The unit shown at position i. */
static const unit *unit_at(const sc_pdf *p, int i)
{
    return &p->units[p->order ? p->order[i] : i];
}

/* Put the pages in the units' order.  Every page is a kid of the root
 * page tree (we never split it), in the order drawn: the kids array and
 * libharu's page list are permuted in place. */
static sc_status arrange_pages(sc_pdf *p, sc_error *err)
{
    if (!p->order)
        return SC_OK;
    HPDF_Array kids = HPDF_Dict_GetItem(p->doc->root_pages, "Kids", HPDF_OCLASS_ARRAY);
    HPDF_List list = kids ? kids->list : NULL;
    HPDF_List pages = p->doc->page_list;
    int total = 0;
    for (int i = 0; i < p->nunits; i++)
        total += p->units[i].npages;
    if (!list || !pages || (int)list->count != total || (int)pages->count != total)
        return sc_error_set(err, SC_ERR_PDF, NULL, 0, 0,
                            "the page tree is not as drawn (internal error)");
    void **k2 = sc_malloc((size_t)(total ? total : 1) * sizeof *k2);
    void **p2 = sc_malloc((size_t)(total ? total : 1) * sizeof *p2);
    int *start = sc_malloc((size_t)(p->nunits ? p->nunits : 1) * sizeof *start);
    if (!k2 || !p2 || !start) {
        sc_free(k2);
        sc_free(p2);
        sc_free(start);
        return nomem(err);
    }
    for (int i = 0, at = 0; i < p->nunits; i++) {
        start[i] = at;
        at += p->units[i].npages;
    }
    int at = 0;
    for (int i = 0; i < p->nunits; i++) {
        int u = p->order[i];
        for (int k = 0; k < p->units[u].npages; k++, at++) {
            k2[at] = list->obj[start[u] + k];
            p2[at] = pages->obj[start[u] + k];
        }
    }
    memcpy(list->obj, k2, (size_t)total * sizeof *k2);
    memcpy(pages->obj, p2, (size_t)total * sizeof *p2);
    sc_free(k2);
    sc_free(p2);
    sc_free(start);
    return SC_OK;
}

/* An outline entry per titled unit, in the final order; the document's
 * title is the first one's. */
static sc_status make_outline(sc_pdf *p, sc_error *err)
{
    int n = 0;
    for (int i = 0; i < p->nunits; i++) {
        const unit *u = unit_at(p, i);
        if (!u->title)
            continue;
        HPDF_Outline o = HPDF_CreateOutline(p->doc, NULL, "-", NULL);
        if (!o)
            return fail(p, err, "creating an outline entry", NULL);
        sc_status st = set_text_string(p, o, "Title", u->title, err);
        if (st != SC_OK)
            return st;
        /* A direct [page /Fit] array: libharu's destinations are
         * indirect objects, which PDF/A validators refuse. */
        HPDF_Array dst = HPDF_Array_New(p->doc->mmgr);
        if (!dst || HPDF_Array_Add(dst, u->first) != HPDF_OK ||
            HPDF_Array_AddName(dst, "Fit") != HPDF_OK ||
            HPDF_Dict_Add(o, "Dest", dst) != HPDF_OK)
            return fail(p, err, "pointing the outline entry at its page", NULL);
        /* The info dictionary exists: sc_pdf_new set the Creator.  The
         * XMP says the same title (finish_profile). */
        if (n++ == 0) {
            if ((st = set_text_string(p, p->doc->info, "Title", u->title, err)) != SC_OK)
                return st;
            if (!(p->title = sc_strdup(u->title)))
                return nomem(err);
        }
    }
    if (n > 1 && HPDF_SetPageMode(p->doc, HPDF_PAGE_MODE_USE_OUTLINE) != HPDF_OK)
        return fail(p, err, "setting the page mode", NULL);
    return SC_OK;
}

/* /PrintScaling /None (PDF 1.6), and for duplex books /Duplex (1.7). */
static sc_status viewer_prefs(sc_pdf *p, sc_error *err)
{
    HPDF_Dict vp = HPDF_Dict_New(p->doc->mmgr);
    if (!vp || HPDF_Dict_Add(p->doc->catalog, "ViewerPreferences", vp) != HPDF_OK ||
        HPDF_Dict_AddName(vp, "PrintScaling", "None") != HPDF_OK ||
        (p->duplex && HPDF_Dict_AddName(vp, "Duplex", "DuplexFlipLongEdge") != HPDF_OK))
        return fail(p, err, "setting the viewer preferences", NULL);
    if (p->doc->pdf_version < (p->duplex ? HPDF_VER_17 : HPDF_VER_16))
        p->doc->pdf_version = p->duplex ? HPDF_VER_17 : HPDF_VER_16;
    return SC_OK;
}

/* Page i's content, compressed: libharu's part and the pen's tail. */
static sc_status finish_page(sc_pdf *p, ppage *pp, sc_error *err)
{
    HPDF_PageAttr attr = (HPDF_PageAttr)pp->page->attr;
    sc_status st = deflate_dict(p, attr->contents, pp->tail.data,
                                pp->tail.len, SC_FLATE_FAST, err);
    /* nothing writes to the page after this; libharu's pointer to the
     * stream it wrote to follows, so that a stray write fails cleanly */
    attr->stream = attr->contents->stream;
    sc_buf_free(&pp->tail);
    return st;
}

/* Every page's content and every image (pixels and alpha mask) that
 * libharu holds uncompressed, compressed; a stream with a filter of its
 * own (a JPEG's DCT) stays as it is. */
static sc_status deflate_streams(sc_pdf *p, sc_error *err)
{
    sc_status st = SC_OK;
    for (int i = 0; st == SC_OK && i < p->npages; i++)
        st = finish_page(p, &p->pages[i], err);
    for (int i = 0; st == SC_OK && i < p->nimages; i++) {
        HPDF_Dict im = p->images[i].img;
        HPDF_Dict mask = HPDF_Dict_GetItem(im, "SMask", HPDF_OCLASS_DICT);
        if (im->filter == HPDF_STREAM_FILTER_NONE && !im->write_fn)
            st = deflate_dict(p, im, NULL, 0, SC_FLATE_SMALL, err);
        if (st == SC_OK && mask && mask->filter == HPDF_STREAM_FILTER_NONE &&
            !mask->write_fn)
            st = deflate_dict(p, mask, NULL, 0, SC_FLATE_SMALL, err);
    }
    return st;
}

/* libharu writes the file straight into our buffer (a callback stream
 * instead of its memory stream of 4 KB pieces read back after). */
static HPDF_STATUS write_out(HPDF_Stream stream, const HPDF_BYTE *ptr,
                             HPDF_UINT siz)
{
    sc_buf *b = stream->attr;
    sc_buf_append(b, (const char *)ptr, siz);
    return b->oom ? HPDF_FAILD_TO_ALLOC_MEM : HPDF_OK;
}

sc_status sc_pdf_finish(sc_pdf *p, unsigned char **out, size_t *len,
                        sc_error *err)
{
    *out = NULL;
    *len = 0;
    if (!p)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_pdf_finish needs a document");
    if (p->broken)
        return sc_error_set(err, SC_ERR_PDF, NULL, 0, 0,
                            "a record failed half-way into this PDF, which "
                            "is therefore not written");
    sc_status st = arrange_pages(p, err);
    if (st == SC_OK)
        st = make_outline(p, err);
    if (st == SC_OK)
        st = viewer_prefs(p, err);
    if (st == SC_OK)
        st = finish_fonts(p, err);
    if (st == SC_OK)
        st = finish_profile(p, err);
    if (st == SC_OK)
        st = deflate_streams(p, err);
    if (st != SC_OK)
        return st;
    /* The file is its streams and a few KB of objects: room for it all
     * at once rather than a buffer doubled ten times on the way. */
    sc_buf b = {0};
    size_t cap = p->own_bytes + p->own_bytes / 16 + 16384;
    if ((b.data = sc_malloc(cap))) {
        b.data[0] = '\0';
        b.cap = cap;
    }
    HPDF_Stream s = HPDF_CallbackWriter_New(p->doc->mmgr, write_out, &b);
    if (!s) {
        sc_buf_free(&b);
        return fail(p, err, "writing the PDF", NULL);
    }
    if (p->doc->stream) /* libharu's own, if any: ours replaces it */
        HPDF_Stream_Free(p->doc->stream);
    p->doc->stream = s; /* freed by HPDF_Free */
    if (HPDF_SaveToStream(p->doc) != HPDF_OK) {
        int oom = b.oom;
        sc_buf_free(&b);
        return oom ? nomem(err) : fail(p, err, "writing the PDF", NULL);
    }
    *out = (unsigned char *)b.data;
    *len = b.len;
    return SC_OK;
}

int sc_pdf_faces_from_base(const sc_pdf *p) { return p ? p->from_base : 0; }

void sc_pdf_free(sc_pdf *p)
{
    if (!p)
        return;
    if (p->doc)
        HPDF_Free(p->doc);
    sc_free(p->images);
    for (int i = 0; i < p->nunits; i++)
        sc_free(p->units[i].title);
    sc_free(p->units);
    sc_free(p->order);
    sc_free(p->rec_pages);
    sc_digest_free(p->id);
    for (int i = 0; i < p->nnames; i++)
        sc_free(p->names[i]);
    sc_free(p->names);
    for (int i = 0; i < p->nfiles; i++) {
        sc_free(p->files[i].name);
        sc_free(p->files[i].key);
    }
    sc_free(p->files);
    sc_free(p->title);
    for (int i = 0; i < p->npages; i++)
        sc_buf_free(&p->pages[i].tail);
    sc_free(p->pages);
    sc_flate_free(p->own_flate);
    for (int i = 0; p->font && i < p->nfaces; i++)
        sc_subset_free(p->font[i].sub);
    sc_free(p->font);
    sc_free(p);
}
