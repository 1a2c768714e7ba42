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
 * Fonts are loaded lazily, once per face per document: a print file with
 * hundreds of records embeds each face once.  libharu embeds TrueType
 * fonts keeping only the glyphs used.  Images are cached by path.
 *
 * Text strings (outline titles, document title): libharu 2.3.0 writes a
 * string made with the UTF-8 encoder as UTF-16BE with a BOM, but maps each
 * character through a 16-bit code, so characters outside the BMP (rare
 * name characters such as U+20BB7) are lost, and with a NULL encoder it
 * writes raw UTF-8, which a PDF reader takes as PDFDocEncoding (mojibake).
 * So we build the UTF-16BE bytes ourselves (surrogate pairs included) and
 * store them as a binary (hex) string object in the outline / info
 * dictionary, through libharu's public object API.
 */
#include "internal.h"

#include <hpdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define WATERMARK_MAX_PT 100.0
#define WATERMARK_GRAY 0.3
#define WATERMARK_ALPHA 0.15
#define BOLD_STROKE 0.03 /* synthetic bold: stroke width / font size */

typedef struct image_ent {
    char *path;
    HPDF_Image img;
} image_ent;

struct sc_pdf {
    HPDF_Doc doc;
    const sc_fonts *fonts;
    HPDF_Font *font;   /* per face index, NULL until first use */
    int nfaces;
    image_ent *images;
    int nimages, capimages;
    HPDF_ExtGState wm_gs;
    int noutlines;
    int title_set;
    HPDF_STATUS error_no;     /* last error seen by the handler */
    HPDF_STATUS error_detail;
};

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

sc_status sc_pdf_new(sc_pdf **out, const sc_fonts *fonts, sc_error *err)
{
    *out = NULL;
    if (!fonts)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_pdf_new needs the fonts");
    sc_pdf *p = sc_calloc(1, sizeof *p);
    if (!p)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    p->fonts = fonts;
    p->nfaces = sc_fonts_nfaces(fonts);
    if (p->nfaces > 0 && !(p->font = sc_calloc((size_t)p->nfaces,
                                               sizeof *p->font))) {
        sc_free(p);
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    }
    p->doc = HPDF_New(on_error, p);
    if (!p->doc) {
        sc_pdf_free(p);
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0,
                            "cannot create a PDF document (out of memory)");
    }
    sc_status st = SC_OK;
    if (HPDF_SetCompressionMode(p->doc, HPDF_COMP_ALL) != HPDF_OK)
        st = fail(p, err, "setting compression", NULL);
    else if (HPDF_UseUTFEncodings(p->doc) != HPDF_OK)
        st = fail(p, err, "enabling UTF-8", NULL);
    else if (HPDF_SetInfoAttr(p->doc, HPDF_INFO_CREATOR,
                              "scorecard " SC_VERSION) != HPDF_OK)
        st = fail(p, err, "setting the creator", NULL);
    if (st == SC_OK) {
        /* CreationDate: SOURCE_DATE_EPOCH (reproducible builds) or now. */
        time_t t = time(NULL);
        const char *sde = getenv("SOURCE_DATE_EPOCH");
        if (sde && *sde) {
            char *end = NULL;
            long long v = strtoll(sde, &end, 10);
            if (end && !*end && v >= 0)
                t = (time_t)v;
        }
        struct tm tm;
        if (gmtime_r(&t, &tm)) {
            HPDF_Date d = {0};
            d.year = tm.tm_year + 1900;
            d.month = tm.tm_mon + 1;
            d.day = tm.tm_mday;
            d.hour = tm.tm_hour;
            d.minutes = tm.tm_min;
            d.seconds = tm.tm_sec > 59 ? 59 : tm.tm_sec;
            d.ind = 'Z';
            if (HPDF_SetInfoDateAttr(p->doc, HPDF_INFO_CREATION_DATE, d) !=
                HPDF_OK)
                st = fail(p, err, "setting the creation date", NULL);
        }
    }
    if (st != SC_OK) {
        sc_pdf_free(p);
        return st;
    }
    *out = p;
    return SC_OK;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static sc_status get_font(sc_pdf *p, int face, HPDF_Font *out, sc_error *err)
{
    *out = NULL;
    if (face < 0 || face >= p->nfaces)
        return sc_error_set(err, SC_ERR_PDF, NULL, 0, 0,
                            "text item refers to face %d, but the font set "
                            "has %d faces (internal error)", face, p->nfaces);
    if (p->font[face]) {
        *out = p->font[face];
        return SC_OK;
    }
    const sc_face *fc = sc_fonts_face(p->fonts, face);
    const char *path = fc ? sc_face_path(fc) : NULL;
    if (!path || !*path)
        return sc_error_set(err, SC_ERR_FONT, NULL, 0, 0,
                            "face %d has no font file", face);
    const char *name;
    if (ends_with(path, ".ttc") || ends_with(path, ".otc") ||
        sc_face_index(fc) > 0)
        name = HPDF_LoadTTFontFromFile2(p->doc, path,
                                        (HPDF_UINT)sc_face_index(fc), HPDF_TRUE);
    else
        name = HPDF_LoadTTFontFromFile(p->doc, path, HPDF_TRUE);
    if (!name)
        return fail(p, err, "loading the font", path);
    HPDF_Font f = HPDF_GetFont(p->doc, name, "UTF-8");
    if (!f)
        return fail(p, err, "opening the font with UTF-8 encoding", path);
    p->font[face] = f;
    *out = f;
    return SC_OK;
}

static sc_status get_image(sc_pdf *p, const char *path, HPDF_Image *out,
                           sc_error *err)
{
    *out = NULL;
    for (int i = 0; i < p->nimages; i++)
        if (strcmp(p->images[i].path, path) == 0) {
            *out = p->images[i].img;
            return SC_OK;
        }
    int png = ends_with(path, ".png");
    int jpg = ends_with(path, ".jpg") || ends_with(path, ".jpeg");
    if (!png && !jpg)
        return sc_error_set(err, SC_ERR_PDF, path, 0, 0,
                            "image %s: only PNG (.png) and JPEG (.jpg, "
                            ".jpeg) images can be placed", path);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return sc_error_set(err, SC_ERR_IO, path, 0, 0,
                            "cannot open image %s; check the path (relative "
                            "paths are relative to the data file)", path);
    fclose(fp);
    HPDF_Image img = png ? HPDF_LoadPngImageFromFile(p->doc, path)
                         : HPDF_LoadJpegImageFromFile(p->doc, path);
    if (!img)
        return fail(p, err, "loading the image", path);
    if (p->nimages == p->capimages) {
        int cap = p->capimages ? p->capimages * 2 : 8;
        image_ent *n = sc_realloc(p->images, (size_t)cap * sizeof *n);
        if (!n)
            return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0,
                                "out of memory");
        p->images = n;
        p->capimages = cap;
    }
    char *dup = sc_strdup(path);
    if (!dup)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    p->images[p->nimages].path = dup;
    p->images[p->nimages].img = img;
    p->nimages++;
    *out = img;
    return SC_OK;
}

/* Show text[0..len) at (x, y) in PDF coordinates (NUL-terminated copy). */
static sc_status show(sc_pdf *p, HPDF_Page page, double x, double y,
                      const char *text, size_t len, sc_error *err)
{
    char small[512];
    char *s = small;
    if (len >= sizeof small && !(s = sc_malloc(len + 1)))
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    memcpy(s, text, len);
    s[len] = '\0';
    HPDF_STATUS r = HPDF_Page_TextOut(page, (HPDF_REAL)x, (HPDF_REAL)y, s);
    if (s != small)
        sc_free(s);
    return r == HPDF_OK ? SC_OK : fail(p, err, "drawing text", NULL);
}

static sc_status draw_text(sc_pdf *p, HPDF_Page page, double ph,
                           const sc_item *it, sc_error *err)
{
    HPDF_Font font;
    sc_status st = get_font(p, it->face, &font, err);
    if (st != SC_OK)
        return st;
    if (it->len == 0)
        return SC_OK;
    HPDF_REAL g = (HPDF_REAL)it->gray;
    int ok = HPDF_Page_BeginText(page) == HPDF_OK &&
             HPDF_Page_SetFontAndSize(page, font, (HPDF_REAL)it->size) ==
                 HPDF_OK &&
             HPDF_Page_SetGrayFill(page, g) == HPDF_OK;
    if (ok && it->bold)
        ok = HPDF_Page_SetTextRenderingMode(page, HPDF_FILL_THEN_STROKE) ==
                 HPDF_OK &&
             HPDF_Page_SetGrayStroke(page, g) == HPDF_OK &&
             HPDF_Page_SetLineWidth(page, (HPDF_REAL)(it->size *
                                                      BOLD_STROKE)) == HPDF_OK;
    if (!ok)
        return fail(p, err, "setting up text", NULL);
    st = show(p, page, it->x, ph - it->y, it->text, it->len, err);
    if (st != SC_OK)
        return st;
    if (it->bold && HPDF_Page_SetTextRenderingMode(page, HPDF_FILL) != HPDF_OK)
        return fail(p, err, "setting up text", NULL);
    if (HPDF_Page_EndText(page) != HPDF_OK)
        return fail(p, err, "ending text", NULL);
    return SC_OK;
}

static sc_status draw_item(sc_pdf *p, HPDF_Page page, double ph,
                           const sc_item *it, sc_error *err)
{
    int ok = 1;
    switch (it->kind) {
    case SC_IT_TEXT:
        return draw_text(p, page, ph, it, err);
    case SC_IT_LINE:
        ok = HPDF_Page_SetLineWidth(page, (HPDF_REAL)it->lw) == HPDF_OK &&
             HPDF_Page_SetGrayStroke(page, 0) == HPDF_OK &&
             HPDF_Page_MoveTo(page, (HPDF_REAL)it->x,
                              (HPDF_REAL)(ph - it->y)) == HPDF_OK &&
             HPDF_Page_LineTo(page, (HPDF_REAL)(it->x + it->w),
                              (HPDF_REAL)(ph - it->y - it->h)) == HPDF_OK &&
             HPDF_Page_Stroke(page) == HPDF_OK;
        return ok ? SC_OK : fail(p, err, "drawing a line", NULL);
    case SC_IT_RECT:
        ok = HPDF_Page_SetGrayFill(page, (HPDF_REAL)it->gray) == HPDF_OK &&
             HPDF_Page_Rectangle(page, (HPDF_REAL)it->x,
                                 (HPDF_REAL)(ph - it->y - it->h),
                                 (HPDF_REAL)it->w, (HPDF_REAL)it->h) ==
                 HPDF_OK &&
             HPDF_Page_Fill(page) == HPDF_OK;
        return ok ? SC_OK : fail(p, err, "filling a rectangle", NULL);
    case SC_IT_IMAGE: {
        if (!it->path)
            return SC_OK;
        HPDF_Image img;
        sc_status st = get_image(p, it->path, &img, err);
        if (st != SC_OK)
            return st;
        if (HPDF_Page_DrawImage(page, img, (HPDF_REAL)it->x,
                                (HPDF_REAL)(ph - it->y - it->h),
                                (HPDF_REAL)it->w, (HPDF_REAL)it->h) != HPDF_OK)
            return fail(p, err, "drawing an image", it->path);
        return SC_OK;
    }
    default:
        return SC_OK;
    }
}

/* The watermark: body-role text, rotated 45 degrees about the page centre,
 * drawn over the content with a low alpha so fills do not hide it and the
 * content stays readable. */
static sc_status draw_watermark(sc_pdf *p, HPDF_Page page, double pw,
                                double ph, const char *wm, sc_error *err)
{
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
    if (!p->wm_gs) {
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
    int ok = HPDF_Page_GSave(page) == HPDF_OK &&
             HPDF_Page_SetExtGState(page, p->wm_gs) == HPDF_OK &&
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
            it.gray = WATERMARK_GRAY;
            it.text = wm + runs[i].start;
            it.len = runs[i].len;
            it.x = x;
            it.y = -y; /* draw_text flips with ph = 0 */
            st = draw_text(p, page, 0, &it, err);
        }
        x += runs[i].width;
    }
    sc_free(runs);
    if (st != SC_OK)
        return st;
    if (HPDF_Page_GRestore(page) != HPDF_OK)
        return fail(p, err, "placing the watermark", NULL);
    return SC_OK;
}

sc_status sc_pdf_add(sc_pdf *p, const sc_laid *laid, sc_error *err)
{
    if (!p || !laid)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_pdf_add needs a document and a layout");
    HPDF_Page first = NULL;
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
        const sc_page *pg = &laid->pages[i];
        for (size_t k = 0; k < pg->nitems; k++) {
            sc_status st = draw_item(p, page, laid->page_h, &pg->items[k], err);
            if (st != SC_OK)
                return st;
        }
        if (laid->watermark && *laid->watermark) {
            sc_status st = draw_watermark(p, page, laid->page_w, laid->page_h,
                                          laid->watermark, err);
            if (st != SC_OK)
                return st;
        }
    }
    if (first && laid->title && *laid->title) {
        HPDF_Outline o = HPDF_CreateOutline(p->doc, NULL, "-", NULL);
        if (!o)
            return fail(p, err, "creating an outline entry", NULL);
        sc_status st = set_text_string(p, o, "Title", laid->title, err);
        if (st != SC_OK)
            return st;
        HPDF_Destination dst = HPDF_Page_CreateDestination(first);
        if (!dst || HPDF_Outline_SetDestination(o, dst) != HPDF_OK)
            return fail(p, err, "pointing the outline entry at its page", NULL);
        p->noutlines++;
        if (!p->title_set) {
            /* The info dictionary exists: sc_pdf_new set the Creator. */
            st = set_text_string(p, p->doc->info, "Title", laid->title, err);
            if (st != SC_OK)
                return st;
            p->title_set = 1;
        }
    }
    return SC_OK;
}

sc_status sc_pdf_save(sc_pdf *p, const char *path, sc_error *err)
{
    if (!p || !path)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_pdf_save needs a document and a path");
    if (p->noutlines > 1 &&
        HPDF_SetPageMode(p->doc, HPDF_PAGE_MODE_USE_OUTLINE) != HPDF_OK)
        return fail(p, err, "setting the page mode", path);
    if (HPDF_SaveToFile(p->doc, path) != HPDF_OK)
        return fail(p, err, "writing the PDF", path);
    return SC_OK;
}

void sc_pdf_free(sc_pdf *p)
{
    if (!p)
        return;
    if (p->doc)
        HPDF_Free(p->doc);
    for (int i = 0; i < p->nimages; i++)
        sc_free(p->images[i].path);
    sc_free(p->images);
    sc_free(p->font);
    sc_free(p);
}
