/* internal.h -- what the pipeline stages hand each other.
 *
 *   data.c      XML batch  -> sc_record (one employee, own small xmlDoc)
 *   template.c  XML layout -> sc_template (parsed once, XPath compiled)
 *   bind.c      template + record -> sc_bound (blocks: paragraphs, tables)
 *   text.c      UTF-8, measuring, Chinese line breaking (kinsoku)
 *   fonts.c     font roles, discovery, metrics (TrueType cmap/hmtx)
 *   layout.c    sc_bound -> sc_laid (pages of positioned items)
 *   pdf.c       sc_laid -> libharu (the only file that calls libharu);
 *               pdfa.c: what a PDF/A archive copy says about itself
 *   sign.c, verify.c   finished files, read through pdfdoc.c (libqpdf)
 *   dump.c      sc_laid -> text, for golden tests
 *   render.c    the public sc_book_* / sc_render_dump glue
 *
 * Ownership: everything a stage produces for one record lives in one
 * sc_arena and dies with it; templates and fonts are immutable once loaded
 * and are only borrowed.  Units are PDF points; the layout coordinate
 * system has its origin at the top-left of the page, y growing downward
 * (pdf.c flips it).
 */
#ifndef SC_INTERNAL_H
#define SC_INTERNAL_H

#include "scorecard.h"

#include <libxml/tree.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- util.c: allocation, arenas, string buffers, errors -------------- */

/* Allocation wrappers: abort() on out-of-memory is NOT done; they return
 * NULL and callers report SC_ERR_NOMEM. */
void *sc_malloc(size_t n);
void *sc_calloc(size_t n, size_t size);
void *sc_realloc(void *p, size_t n);
char *sc_strdup(const char *s);
char *sc_strndup(const char *s, size_t n);

/* An arena: many small allocations freed at once. */
typedef struct sc_arena sc_arena;
sc_arena *sc_arena_new(void);
void *sc_arena_alloc(sc_arena *a, size_t n); /* zeroed, 16-aligned */
void *sc_arena_alloc_raw(sc_arena *a, size_t n); /* not zeroed: for arrays
                                                 filled before read */
char *sc_arena_strdup(sc_arena *a, const char *s);
char *sc_arena_strndup(sc_arena *a, const char *s, size_t n);
char *sc_arena_printf(sc_arena *a, const char *fmt, ...);
void sc_arena_free(sc_arena *a);

/* A growable byte buffer, always NUL-terminated. */
typedef struct sc_buf {
    char *data;
    size_t len, cap;
    int oom; /* set once an allocation failed; later appends are no-ops */
} sc_buf;
void sc_buf_grow_append(sc_buf *b, const char *s, size_t n);
/* Inline: most appends are a few bytes into room already there (over
 * 5,000 a kefu document: PDF tokens, form keys). */
static inline void sc_buf_append(sc_buf *b, const char *s, size_t n)
{
    if (b->len + n < b->cap && !b->oom) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
    } else {
        sc_buf_grow_append(b, s, n);
    }
}
void sc_buf_puts(sc_buf *b, const char *s);
void sc_buf_printf(sc_buf *b, const char *fmt, ...);
void sc_buf_free(sc_buf *b);

/* Secrets (passwords) are wiped with this, which the compiler keeps. */
void sc_wipe(void *p, size_t n);
/* n bytes from the kernel's random source; 0 on success. */
int sc_random(void *p, size_t n);
/* SHA-256 of data[0..len) as 64 lowercase hex digits (Nettle). */
void sc_sha256_hex(const void *data, size_t len, char out[65]);
/* A set of strings that only grows -- every employee id of a batch, every
 * file name of a run -- each key with a value (its owner, for messages).
 * Keys and values are packed into large blocks, with no allocation per
 * string, so that 100,000 names cost a few MB and not ten.  fold: keys
 * compare with ASCII letters case-folded.  Start from {0} (or {.fold=1}). */
typedef struct sc_strset {
    int fold;
    uint32_t *slot;       /* open addressing: 0 empty, else where the key
                           * (its value after it) is: block << 16 | offset,
                           * plus 1 */
    size_t cap, count;
    char **blocks;        /* 64 KB each, or one key alone if longer */
    size_t nblocks, used; /* bytes used of the last block */
} sc_strset;
/* 1: key added with value (may be NULL: ""); 0: key was there, *found
 * (may be NULL) is its value; -1: out of memory. */
int sc_strset_add(sc_strset *s, const char *key, const char *value,
                  const char **found);
/* The value of key, or NULL if the set does not have it. */
const char *sc_strset_get(const sc_strset *s, const char *key);
void sc_strset_free(sc_strset *s);

/* Fill `err` (may be NULL) and return `code`.  file may be NULL. */
sc_status sc_error_set(sc_error *err, sc_status code, const char *file,
                       int line, int column, const char *fmt, ...);
/* Send a copy of err to diag if set (sc_error_tidy'd). */
void sc_diag_emit(sc_diag_fn diag, void *ud, const sc_error *err);
/* 1 if a and b are equal with ASCII letters' case folded. */
int sc_ascii_ieq(const char *a, const char *b);
/* Cut each text field of err back to its last whole UTF-8 character: a
 * field filled by snprintf may end half-way through one. */
void sc_error_tidy(sc_error *err);

/* libxml2 prints some failures (encoding conversion, I/O) through its
 * per-thread generic error channel, whatever the parser's own handlers
 * say; the library must never print.  Between begin and end that channel
 * is captured: the first message (one line) lands in msg[0..n). */
typedef struct sc_xml_quiet {
    void *old_ctx;
    void (*old_fn)(void *, const char *, ...);
    char *msg;
    size_t n;
} sc_xml_quiet;
void sc_xml_quiet_begin(sc_xml_quiet *q, char *msg, size_t n);
void sc_xml_quiet_end(sc_xml_quiet *q);

/* The process's external entity loader, which refuses every external
 * entity and DTD (data.c): installed once, before the first parse. */
void sc_xml_guard(void);

/* The schemas of the data and template formats, compiled once per process
 * (data.c, template.c; sc_warm_up compiles both ahead). */
void sc_reader_init(void);
void sc_template_init(void);
/* The quick proof that a record is valid (facets.c), built once per
 * process; records validated before it is there take the full schema.
 * The first validation builds it unless the warm-up thread has promised
 * to (sc_reader_quick_promise). */
void sc_reader_quick(void);
void sc_reader_quick_promise(void);

/* ---- flate.c: Flate (zlib) streams, made by libdeflate ------------------ */

/* One thread's compressors, made on first use and kept (flate.c says
 * why).  Never shared between threads. */
typedef struct sc_flate sc_flate;
sc_flate *sc_flate_new(void); /* NULL when out of memory */
void sc_flate_free(sc_flate *f);
/* in[0..n) as a zlib stream in *out (sc_malloc'd), at the fast level if
 * `fast` is SC_FLATE_FAST (flate.c says where).  f may be NULL: a
 * compressor is made for the call.  SC_ERR_NOMEM. */
enum { SC_FLATE_SMALL = 0, SC_FLATE_FAST = 1 };
sc_status sc_flate_zlib(sc_flate *f, int fast, const void *in, size_t n,
                        unsigned char **out, size_t *len);
/* in[0..n) as raw deflate (ending with a final block) into out[0..cap),
 * at the fast level for data that hardly compresses (flate.c); the bytes
 * written, 0 if they did not fit or out of memory.  f may be NULL. */
size_t sc_flate_raw(sc_flate *f, const void *in, size_t n, void *out,
                    size_t cap);
/* A capacity sc_flate_raw always fits n bytes into. */
size_t sc_flate_raw_bound(size_t n);

/* ---- xmlnode.c: helpers over libxml2 trees ----------------------------- */

/* The first child element of parent called name, or NULL. */
xmlNodePtr sc_xml_child(xmlNodePtr parent, const char *name);
/* The next sibling element of n called name, or NULL. */
xmlNodePtr sc_xml_next(xmlNodePtr n, const char *name);
/* Attribute value, borrowed from the node's text child; "" if empty, NULL
 * if absent. */
const char *sc_xml_attr(xmlNodePtr n, const char *name);
/* The text content of n with surrounding white space trimmed ("" for
 * NULL); sc_malloc'd, NULL only when out of memory. */
char *sc_xml_text(xmlNodePtr n);
/* A readable path of node below top for messages, keyed where the data has
 * keys: kpis/category[定量指标]/kpi[q1]/weight, "@attr" appended. */
void sc_xml_path(char *out, size_t n, xmlNodePtr node, xmlNodePtr top,
                 const char *attr_name);

/* A libxml2 well-formedness error (its code and message) in the user's
 * words, with what to write instead where the mistake is a common one
 * (a bare & or <, a mismatched end tag); one line into out[0..n). */
void sc_xml_explain(char *out, size_t n, int code, const char *msg);

/* v with at most 3 decimals and no trailing zeros ("12.5", "-0.25", "0"),
 * exactly as snprintf's "%.3f" trimmed of its trailing zeros and dot would
 * write it, at a fraction of the cost (the PDF writer's coordinates).  out
 * holds at least 48 bytes; returns the length. */
size_t sc_format_pt(char *out, double v);

/* Formats a decimal number with `decimals` digits, rounding half away
 * from zero on the decimal string (not binary): "92.345" -> "92.35". */
void sc_format_decimal(char *out, size_t n, double v, int decimals);

/* ---- schemahint.c: what a schema expects, for messages ------------------- */

/* The candidate closest to word if it is close enough to be a typo of it:
 * 1 and out filled, else 0. */
int sc_suggest(const char *word, const char *const *cands, int ncands, char *out,
               size_t n);
/* The same against the names the schema rng[0..len) declares as kind
 * ("element" or "attribute"). */
int sc_schema_suggest(const unsigned char *rng, size_t len, const char *kind,
                      const char *word, char *out, size_t n);
/* 1 if that schema declares a kind called name anywhere. */
int sc_schema_has(const unsigned char *rng, size_t len, const char *kind, const char *name);
/* 1 if the schema lists the values attribute attr of an element elem
 * takes and value is not one of them: out says "one of: a, b, c" and the
 * closest one. */
int sc_schema_enum(const unsigned char *rng, size_t len, const char *elem, const char *attr,
                   const char *value, char *out, size_t n);
/* 1 if the schema's declaration of node (the one that fits its other
 * attributes) has no attribute attr: out says so, with the closest name. */
int sc_schema_attr_unknown(const unsigned char *rng, size_t len, xmlNodePtr node,
                           const char *attr, char *out, size_t n);
/* 1 if a template's XPath names an element or attribute that no record
 * has (neither the data format nor what the engine writes into it): out
 * says which, and the name probably meant. */
int sc_path_hint(const char *xpath, char *out, size_t n);

/* ---- utf8.c ------------------------------------------------------------ */

/* Decode one code point from s[0..n).  Returns the bytes used (1-4) or 0
 * for invalid UTF-8 (overlong, surrogate, > U+10FFFF, truncated).  Inline:
 * every stage calls it once per character. */
static inline size_t sc_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    *cp = 0xFFFD;
    if (!s || n == 0)
        return 0;
    const unsigned char *u = (const unsigned char *)s;
    uint32_t c = u[0], min;
    size_t len;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, c &= 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, c &= 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0; /* continuation byte, C0/C1 overlong lead, F5..FF */
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (u[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* 1 if s[0..n) is valid UTF-8; else 0 and *bad = offset of the bad byte. */
int sc_utf8_valid(const char *s, size_t n, size_t *bad);
/* Cut s back so that it ends with a whole character (after snprintf). */
void sc_utf8_trim(char *s);
/* Characters in s (UTF-8 lead bytes). */
size_t sc_utf8_count(const char *s);
/* A value quoted for a message, always whole characters and short enough
 * to leave room for the reason: "v" when it has at most 60 characters,
 * else its first 40, "…" and its length: "长长长…" (300 characters). */
void sc_quote(char *out, size_t n, const char *v);
#define SC_QUOTE_MAX 200 /* bytes sc_quote may write */

/* ---- image.c: images the data names, checked before anything is drawn */

typedef enum sc_image_kind { SC_IMAGE_PNG = 1, SC_IMAGE_JPEG = 2 } sc_image_kind;

/* An image file as read and checked: the PDF writer embeds these bytes. */
typedef struct sc_image {
    const char *ref;             /* the path as the data wrote it */
    int kind;                    /* sc_image_kind */
    uint32_t width, height;      /* pixels */
    const unsigned char *data;   /* the whole file */
    size_t len;
} sc_image;

/* Read the image `ref` (a path relative to the folder of data_file) and
 * check it completely (image.c says what); *out lives in `a`.  On failure
 * msg[0..nmsg) says what is wrong and what to do: SC_ERR_DATA (refused:
 * absolute, outside the folder, a link, missing, damaged, not PNG/JPEG),
 * SC_ERR_IO or SC_ERR_NOMEM. */
sc_status sc_image_load(sc_image **out, const char *data_file, const char *ref,
                        sc_arena *a, char *msg, size_t nmsg);

/* ---- record.c: one employee record ----------------------------------- */

/* Element lines past 65535, by node (libxml2 stops counting there; the
 * reader recovers them from the text around each element). */
typedef struct sc_bigline {
    xmlNodePtr node;
    long line;
} sc_bigline;
typedef struct sc_linemap {
    sc_bigline *v;
    size_t n, cap;
} sc_linemap;
/* The true line of n (an element, or the element holding a text node). */
long sc_linemap_line(const sc_linemap *map, xmlNodePtr n);

/* One employee, as its own small document:
 *   <batch ...attributes...> header children (company, department, period,
 *   ...) and exactly one <employee> </batch>
 * so that templates can use absolute paths (/batch/company) and paths
 * relative to the employee.  Node line numbers are those of the source. */
struct sc_record {
    xmlDocPtr doc;
    xmlNodePtr employee;  /* the <employee> element in doc */
    sc_linemap lines;     /* its lines past 65535 */
    char *file;           /* source data file path */
    int line;             /* line of <employee> in the source */
    char *id, *name, *department, *position, *period, *email; /* "" if absent */
    char *superior, *evaluator; /* 直接上级, 考核人: "" if absent */
    char *label;          /* "id name", for errors and outlines */
    long long date;       /* the period's last day, 00:00 UTC, s since 1970 */
    /* Computed by score.c: "" when not computable. */
    char *total;          /* "102.00" (0.01 point) */
    char *grade;          /* "优秀", or the data's grade without bands */
    char *bonus;          /* "2080.00" yuan */
    /* The record as the data gave it (sc_reader_keep_source): UTF-8 XML,
     * a batch of this one employee with its scheme inline; else NULL. */
    char *source;
    size_t source_len;
    /* Secrets (<id-number>, <password>): the reader takes them out of doc
     * once the record is valid, so that nothing that walks the record --
     * a template, the glyph check, a copy of the record -- can reach
     * them.  NULL if absent; wiped when the record is freed. */
    char *id_number, *password;
    int id_number_line, password_line;
};

/* The computed results of a scored record as a small XML document
 * (UTF-8): total, grade, bonus, the engine's <result>, each category's
 * subtotal and each KPI's score; not the ranking award, which follows
 * from the colleagues' totals.  A function of the record alone: the
 * archive copy embeds it, and verify compares it with the results of
 * the embedded record scored again.  *out is sc_malloc'd. */
sc_status sc_record_results(const sc_record *rec, char **out, size_t *len,
                            sc_error *err);

/* The true line of node n of rec. */
long sc_record_line(const sc_record *rec, xmlNodePtr n);

/* Where the problems of one record go: each to diag (may be NULL), the
 * first also into *first (may be NULL) and its code into code. */
typedef struct sc_problems {
    sc_diag_fn diag;
    void *ud;
    sc_error *first;
    int count;
    sc_status code;
} sc_problems;

/* Report a problem at node of rec (attribute attr_name, or NULL): the data
 * file, the node's true line, the employee and the field path. */
void sc_record_problem(const sc_record *rec, sc_problems *pb, sc_status code,
                       xmlNodePtr node, const char *attr_name, const char *fmt,
                       ...);

/* The record stripped to what it shares with the other records of its
 * form: the batch header and its sheet's definitions (categories, KPI
 * indicators, weights and rules, raters, position), no result, name or
 * comment.  For the font bases (record.c says more). */
sc_status sc_record_form(const sc_record *rec, sc_record **out, sc_error *err);
/* The form of rec as a string, written from rec without making the form:
 * records with equal keys have equal forms.  sc_malloc'd; NULL when out
 * of memory. */
char *sc_record_form_key(const sc_record *rec);

/* ---- facets.c: a quick proof of validity ---------------------------------- */

/* The data schema's datatype parameters compiled once, and the schema
 * without them (facets.c says why).  NULL when the schema has something
 * the proof does not follow: then every record takes the full
 * validation. */
typedef struct sc_facets sc_facets;
sc_facets *sc_facets_new(xmlDocPtr schema);
void sc_facets_free(sc_facets *f);
/* 1 if doc is surely valid against the schema; 0 says nothing (validate
 * it against the schema itself).  Read-only: any thread. */
int sc_facets_valid(const sc_facets *f, xmlDocPtr doc);

/* ---- data.c: beyond the public reader ---------------------------------- */

/* Every record read from now on carries its source (sc_record.source). */
void sc_reader_keep_source(sc_reader *r);
/* A reader of a batch in memory, data[0..len) (the record embedded in an
 * archive copy), named `name` in messages; like sc_reader_open, except
 * that a scheme= naming a file is refused: such a record carries its
 * scheme inline.  data must outlive the reader. */
sc_status sc_reader_open_mem(sc_reader **out, const char *name, const char *data,
                             size_t len, sc_diag_fn diag, void *ud, sc_error *err);

/* What was read of the record sc_reader_next just refused (id, name,
 * department, position, period; no document, no figures), or NULL.  The
 * caller owns it. */
sc_record *sc_reader_refused(sc_reader *r);
/* Where warnings go (by default nowhere): problems that refuse nothing. */
void sc_reader_set_warn(sc_reader *r, sc_diag_fn warn, void *ud);
/* After the last record (SC_END): warn about what only the whole batch
 * shows -- a scheme rule that scored no KPI of any employee. */
void sc_reader_end(sc_reader *r);

/* ---- coverage.c: can the fonts draw the record? ---------------------------- */

/* Every character of the record's text (header included) that no font
 * role has is reported to pb with the employee, the field, its line and
 * U+XXXX; SC_ERR_FONT if there was one. */
sc_status sc_check_glyphs(const sc_record *rec, const sc_fonts *fonts,
                          sc_problems *pb);

/* ---- fonts.c ---------------------------------------------------------- */

typedef enum sc_role {
    SC_ROLE_BODY = 0,    /* 宋体/Ming */
    SC_ROLE_HEADING = 1, /* 黑体 */
    SC_ROLE_KAI = 2,     /* 楷体 */
    SC_ROLE_LATIN = 3,   /* Latin and symbols */
    SC_ROLE_COUNT = 4
} sc_role;

#define SC_CHAIN_MAX 4

typedef struct sc_face sc_face; /* one face of one font file; opaque */

/* Parse a role name ("body", "heading", "kai", "latin"); -1 if unknown. */
int sc_role_parse(const char *name);
const char *sc_role_name(int role);

/* The font set to draw text of language `lang` (BCP 47: "zh-Hant-TW") with:
 * the same faces (same face indices), the chains of the font map's
 * <role lang="..."> that best match lang, the default chains for the
 * roles it does not name.  `f` itself for NULL, "" or a language the map
 * has no chains for.  Borrowed: it lives as long as f. */
const sc_fonts *sc_fonts_for_lang(const sc_fonts *f, const char *lang);

/* Index of the first face in `role`'s fallback chain that maps `cp`;
 * -1 if none does. */
int sc_fonts_pick(const sc_fonts *f, int role, uint32_t cp);
/* sc_fonts_pick and that face's advance of cp (in em) in one walk of the
 * chain, each glyph looked up once: *face gets the index, -1 (and 0
 * returned) if no face maps cp. */
double sc_fonts_advance(const sc_fonts *f, int role, uint32_t cp, int *face);
int sc_fonts_nfaces(const sc_fonts *f);
const sc_face *sc_fonts_face(const sc_fonts *f, int face);

/* Metrics, as fractions of the em (multiply by the font size in pt). */
double sc_face_advance(const sc_face *face, uint32_t cp); /* 0 if unmapped */
double sc_face_ascent(const sc_face *face);  /* > 0 */
double sc_face_descent(const sc_face *face); /* > 0, below the baseline */
int sc_face_has(const sc_face *face, uint32_t cp);
const char *sc_face_path(const sc_face *face);
int sc_face_index(const sc_face *face);      /* face index in a .ttc */
const char *sc_face_family(const sc_face *face);

/* ---- text.c ----------------------------------------------------------- */

/* Width in pt of s[0..n) set in `role` at `size`, with per-character
 * fallback along the role's chain.  Characters no font has count as 1em. */
double sc_text_width(const sc_fonts *f, int role, double size,
                     const char *s, size_t n);

/* A line of a broken paragraph: bytes s[start, start+len), trailing
 * spaces excluded, its width in pt, and where it starts: `indent` pt
 * from the left edge of the text box (hanging numbered items). */
typedef struct sc_line {
    size_t start, len;
    double width;
    double indent;
    int forced; /* 1: ends inside a word or number wider than the line */
    int lone;   /* 1: a last line holding a single character that could
                   not be rebalanced (the line before cannot give one) */
} sc_line;

/* sc_text_break flags. */
#define SC_BREAK_HANG 1 /* numbered items (1、 ① （一）...) hang */

/* Break s (NUL-terminated UTF-8) into lines no wider than max_width:
 * between any two CJK characters, at spaces, never before closing or after
 * opening punctuation (kinsoku), keeping Latin words and numbers such as
 * 98% or 2026-10 whole unless one alone is wider than the line, a number
 * with the character after it (30秒, 10分）) and an operator with what
 * follows it (× 100%).  A last line of one character takes one from the
 * line before when it can.  '\n' forces a break.  An empty string gives
 * one empty line.  *out is sc_malloc'd, caller frees. */
sc_status sc_text_break(const sc_fonts *f, int role, double size,
                        const char *s, double max_width, unsigned flags,
                        sc_line **out, size_t *nout);

/* A run of characters drawn with one face. */
typedef struct sc_run {
    size_t start, len;
    int face;     /* index into the font set; -1: no font has them */
    double width; /* pt */
} sc_run;

/* Split s[0..n) into runs by the face that draws each character.  *out is
 * sc_malloc'd, caller frees. */
sc_status sc_text_runs(const sc_fonts *f, int role, double size,
                       const char *s, size_t n, sc_run **out, size_t *nout);

/* 1 if lang (BCP 47) is Traditional Chinese as Taiwan and Hong Kong set
 * it: zh-Hant…, zh-TW, zh-HK, zh-MO. */
int sc_text_traditional(const char *lang);

/* ---- template.c / bind.c: blocks ------------------------------------- */

typedef enum sc_align {
    SC_ALIGN_LEFT = 0,
    SC_ALIGN_CENTER = 1,
    SC_ALIGN_RIGHT = 2,
    SC_ALIGN_JUSTIFY = 3
} sc_align;

typedef enum sc_valign {
    SC_VALIGN_TOP = 0,
    SC_VALIGN_MIDDLE = 1,
    SC_VALIGN_BOTTOM = 2
} sc_valign;

/* A named style of a template (immutable, borrowed by blocks). */
typedef struct sc_style {
    const char *name;
    int role;           /* sc_role */
    double size;        /* pt */
    int bold;           /* synthetic or real bold */
    int align;          /* sc_align */
    int valign;         /* sc_valign, in table cells */
    double pad[4];      /* top, right, bottom, left, pt */
    double leading;     /* line height as a factor of size, e.g. 1.35 */
    double fill;        /* background gray 0..1 (1 = white); < 0: none */
    double color;       /* text gray 0 = black .. 1 = white */
    double space_before, space_after; /* pt, paragraphs only */
} sc_style;

/* Page-number placeholders inside bound text (private-use characters):
 * layout replaces them once the page count is known. */
#define SC_PH_PAGE "\xEE\x80\x80"  /* U+E000: this page's number */
#define SC_PH_PAGES "\xEE\x80\x81" /* U+E001: the document's page count */

typedef struct sc_cell {
    const char *text;      /* UTF-8, may contain '\n'; "" if empty */
    const sc_style *style;
    int colspan, rowspan;  /* >= 1; rowspan as in HTML: the cell covers
                              its column in the next rowspan-1 rows, which
                              omit a cell there */
    int align;             /* sc_align, or -1 for the style's */
    const sc_image *image; /* checked image or NULL */
    double image_h;        /* image height, pt, if image */
    int sign_line;         /* draw a line to sign on, near the bottom */
    int no_border;         /* 1: draw no frame around this cell */
    const char *sign_field; /* a signature field is placed where one signs
                               in this cell, for this role; NULL: none */
    int sign_required;     /* that field must be signed (verify) */
    /* Set only by layout, when it cuts a row taller than a page: this
     * piece's lines of the cell, already broken (offsets into text), so
     * that every piece keeps the breaks and indents of the whole. */
    const sc_line *lines;
    size_t nlines;
} sc_cell;

typedef enum sc_row_kind {
    SC_ROW_HEADER = 0,  /* repeated at the top of every page */
    SC_ROW_BODY = 1,
    SC_ROW_TOTAL = 2    /* kept with at least the last body row */
} sc_row_kind;

typedef struct sc_row {
    int kind;           /* sc_row_kind */
    sc_cell *cells;
    int ncells;
    double min_height;  /* pt, 0 = content */
} sc_row;

typedef struct sc_colspec {
    double fixed;  /* > 0: width in pt */
    double weight; /* else: share of the remaining width */
} sc_colspec;

typedef enum sc_block_kind {
    SC_BLK_PARA = 0,
    SC_BLK_TABLE = 1,
    SC_BLK_SPACE = 2,
    SC_BLK_GROUP = 3,
    SC_BLK_PAGEBREAK = 4,
    SC_BLK_CHART = 5        /* added for issue 5: a chart (chart.c) */
} sc_block_kind;

/* A bound chart (added for issue 5): category labels and up to
 * SC_CHART_SERIES_MAX series of values, drawn by chart.c as vector
 * graphics in a box of width x height, kept on one page. */
typedef enum sc_chart_type {
    SC_CHART_BAR = 0,
    SC_CHART_LINE = 1,
    SC_CHART_RADAR = 2
} sc_chart_type;

#define SC_CHART_SERIES_MAX 4
#define SC_CHART_POINTS_MAX 64

typedef struct sc_chart_series {
    const char *name;         /* legend text; "" = none */
    const double *values;     /* n values; NAN = no value */
    const char *const *texts; /* n value labels ("" = none) */
    double gray;              /* bar fill, line / polygon stroke */
    double fill;              /* RADAR: polygon fill gray; < 0 none */
    int dash;                 /* LINE, RADAR: dashed stroke */
    int show_values;          /* print texts next to the points */
} sc_chart_series;

typedef struct sc_chart {
    int type;                  /* sc_chart_type */
    const char *title;         /* "" = none */
    const char *const *labels; /* n category labels */
    int n;                     /* 0..SC_CHART_POINTS_MAX */
    const sc_chart_series *series;
    int nseries;               /* 1..SC_CHART_SERIES_MAX */
    double min, max;           /* value axis; NAN = automatic */
    double width, height;      /* pt */
    const sc_style *style;     /* labels: role, size, color */
} sc_chart;

typedef struct sc_block sc_block;
struct sc_block {
    int kind;               /* sc_block_kind */
    const sc_style *style;  /* PARA (and default for TABLE cells) */
    const char *text;       /* PARA */
    double height;          /* SPACE */
    sc_colspec *cols;       /* TABLE */
    int ncols;
    sc_row *rows;           /* TABLE: header rows first */
    int nrows;
    int borders;            /* TABLE: 1 = grid lines */
    sc_block *children;     /* GROUP */
    int nchildren;
    int keep_together;      /* GROUP, TABLE: move whole to next page if it
                               does not fit (split only if taller than a
                               page) */
    const char *field;      /* where it came from, for errors (may be NULL) */
    const sc_chart *chart;  /* CHART (added for issue 5) */
};

/* What the selects of a template gave for one record: per compiled
 * expression (tpl->exprs[i]), evaluated[i] = 1 if it ran as a select (not
 * a test), matched[i] = 1 if it gave something (nodes, a non-empty
 * string, a number).  Both arrays have tpl->nexprs entries. */
typedef struct sc_selects {
    unsigned char *evaluated, *matched;
} sc_selects;

/* One record bound to a template: everything layout needs. */
typedef struct sc_bound {
    double page_w, page_h;  /* pt */
    double margin[4];       /* top, right, bottom, left, pt */
    double header_y;        /* top of the header area from the page top */
    double footer_y;        /* top of the footer area from the page top */
    double min_spacing;     /* vertical spacing may shrink to this factor
                               (0.5..1) to save a page; 1 = never */
    sc_block *header;       /* in the top margin, on every page */
    int nheader;
    sc_block *footer;       /* in the bottom margin, on every page */
    int nfooter;
    sc_block *body;
    int nbody;
    const char *watermark;  /* NULL or text drawn across every page */
    const char *title;      /* outline title: "id name" */
    const char *label;      /* record label for errors */
    const char *lang;       /* the text's language (BCP 47; render.c), or
                               NULL: layout marks Traditional text's runs
                               (sc_item.centre_punct) */
    /* Set by render.c from sc_render_opts (bind leaves them 0): draw a
     * character no font has as a marker and warn through diag, instead
     * of failing the record. */
    int allow_missing;
    sc_diag_fn diag;
    void *diag_ud;
    sc_selects selects;     /* what the template's selects gave (bind) */
} sc_bound;

/* The loaded template tree, shared by template.c (builds it) and bind.c
 * (walks it).  Immutable after sc_template_load; all of it lives in the
 * template's arena, compiled XPath expressions are freed with it. */
typedef enum sc_tkind {
    /* inline content of <text> and <cell> */
    SC_T_LITERAL = 0, SC_T_VALUE, SC_T_BR, SC_T_PAGE_NUMBER, SC_T_PAGE_COUNT,
    SC_T_ROW_NUMBER,
    /* blocks */
    SC_T_TEXT, SC_T_SPACE, SC_T_PAGEBREAK, SC_T_IF, SC_T_GROUP, SC_T_FOREACH,
    SC_T_TABLE, SC_T_SIGNATURES, SC_T_BONUS,
    /* inside tables */
    SC_T_ROW, SC_T_ROWS, SC_T_CELL,
    /* added for issue 5 */
    SC_T_CHART
} sc_tkind;

/* The template side of a <chart> (added for issue 5): the node's expr
 * selects the points, label and each series' value are evaluated per
 * point. */
typedef struct sc_tseries {
    const char *name;
    void *value;               /* xmlXPathCompExprPtr */
    const char *src;
    double gray, fill;
    int dash, show_values;
    int decimals;              /* value labels: -1 as the data has it */
    int line;
} sc_tseries;

typedef struct sc_tchart {
    int type;                  /* sc_chart_type */
    void *label;               /* xmlXPathCompExprPtr */
    const char *label_src;
    sc_tseries *series;
    int nseries;
    double min, max;           /* NAN: automatic */
    double width, height;      /* pt */
    const char *title;         /* "" = none */
} sc_tchart;

/* A figure the sheet prints as its result (<figures><figure>): one name,
 * one label, one format, evaluated with the employee as context.  Cells
 * print it with <value figure="…"/>; `scorecard check` lists the figures
 * with their labels (sc_record_figures). */
typedef struct sc_tfigure {
    const char *name;          /* total, grade, bonus, or the template's own */
    const char *label;         /* 最终得分, 全年奖金 … */
    void *expr;                /* xmlXPathCompExprPtr */
    const char *src;
    int decimals;              /* as <value format>: -1 as is */
    int line;
} sc_tfigure;

typedef struct sc_tnode sc_tnode;
struct sc_tnode {
    int kind;                  /* sc_tkind */
    int line;                  /* line in the template file */
    sc_tnode *first, *next;    /* children, in document order */
    const char *text;          /* LITERAL; SIGNATURES: the note */
    const char *src;           /* source of expr, for messages */
    void *expr;                /* xmlXPathCompExprPtr: VALUE/CELL select,
                                  IF test, FOREACH/ROWS/SIGNATURES/BONUS
                                  select; NULL if none */
    void *expr2;               /* BONUS: score expression */
    int decimals;              /* VALUE/CELL format: -1 as is, -2 date */
    const sc_style *style;     /* TEXT, CELL, ROW, TABLE (cells) */
    const sc_style *style2;    /* TABLE/SIGNATURES/BONUS: header cells */
    double height;             /* SPACE; ROW min height; SIGNATURES image */
    int row_kind;              /* ROW, ROWS: sc_row_kind */
    int colspan, rowspan;      /* CELL */
    int align;                 /* CELL: sc_align or -1 */
    int merge, sign_line;      /* CELL */
    int keep_together;         /* GROUP, TABLE, SIGNATURES, BONUS */
    int borders;               /* TABLE */
    int mode;                  /* BONUS: 0 month, 1 year */
    sc_colspec *cols;          /* TABLE */
    int ncols;
    const char **roles;        /* SIGNATURES */
    int nroles;
    int sign_fields;           /* SIGNATURES: a signature field per role */
    const char **required;     /* SIGNATURES: roles that must be signed */
    int nrequired;
    const sc_tchart *chart;    /* CHART (added for issue 5) */
    const sc_tfigure *figure;  /* VALUE/CELL: <value figure="…"/>; BONUS: the score */
    const char *datefmt;       /* decimals -2: the date pattern ("yyyy年M月d日");
                                  SIGNATURES: of the dates; NULL: yyyy年MM月dd日 */
};

struct sc_template {
    char *name, *path;
    const char *lang;       /* xml:lang of <template> (BCP 47), or NULL */
    sc_arena *arena;
    double page_w, page_h, margin[4], header_y, footer_y;
    double min_spacing;               /* <page min-spacing>, 1 = never */
    const sc_style *default_style;
    sc_tnode *header, *footer, *body; /* lists of blocks (first child) */
    const char *watermark_text;       /* <watermark text=> */
    void *watermark_if;               /* xmlXPathCompExprPtr or NULL */
    void *watermark_select;           /* xmlXPathCompExprPtr or NULL */
    int watermark_line;
    void **exprs;                     /* every compiled expression */
    size_t nexprs, capexprs;
    sc_tfigure *figures;              /* <figures>, in order */
    int nfigures;
    struct sc_texpr {                 /* where each one is written */
        int line;
        const char *attr;             /* "select", "test", ... */
        const char *src;
        int union_op;                 /* has a '|': evaluated one at a time (bind.c) */
    } *exprinfo;                      /* parallel to exprs */
};

/* The figures a record's sheet prints as its result (see sc_record_figures
 * in scorecard.h): the template's <figures>, or the engine's total, grade
 * and bonus.  Strings in *out live in `arena`. */
sc_status sc_figures_eval(const sc_template *tpl, const sc_record *rec, sc_arena *arena,
                          sc_figure **out, int *n, sc_error *err);

/* The node set of XPath expression src with node as its context node, if
 * src is a plain path (name/name/@name, optionally from '/'): what
 * libxml2 would give, without its evaluator; NULL if src is anything
 * else.  Freed with xmlXPathFreeObject. */
struct _xmlXPathObject *sc_bind_plain_path(const char *src, xmlNodePtr node);

/* Evaluate the template for one record.  All memory comes from `arena`;
 * (*out)->selects says what the selects gave. */
sc_status sc_bind(const sc_template *tpl, const sc_record *rec,
                  sc_arena *arena, sc_bound **out, sc_error *err);

/* ---- layout.c: pages of positioned items ----------------------------- */

typedef enum sc_item_kind {
    SC_IT_TEXT = 0,  /* a run of one face: x, y = baseline start */
    SC_IT_LINE = 1,  /* x,y -> x+w,y+h */
    SC_IT_RECT = 2,  /* filled rectangle x,y,w,h */
    SC_IT_IMAGE = 3, /* image x,y,w,h (top-left) */
    SC_IT_PATH = 4,  /* added for issue 5: polyline / polygon, see pts */
    SC_IT_SIGN = 5   /* layout.c only: a signature box (text = role),
                        moved to sc_laid.sigboxes before layout returns */
} sc_item_kind;

typedef struct sc_item {
    int kind;
    double x, y, w, h;
    int face;          /* TEXT: face index in the font set */
    int role;          /* TEXT: role the style asked for (for the dump) */
    double size;       /* TEXT */
    int bold;          /* TEXT: synthetic bold */
    double gray;       /* TEXT color, RECT fill */
    double lw;         /* LINE width */
    const char *text;  /* TEXT: UTF-8, len bytes */
    size_t len;
    const sc_image *image; /* IMAGE */
    /* PATH (added for issue 5): npts points (x, y pairs in pts), page
     * coordinates; closed: close the polygon; gray: fill gray (< 0: no
     * fill); lw: stroke width (0: no stroke) in gray `stroke`; dash: a
     * dashed stroke. */
    const double *pts;
    int npts;
    int closed;
    double stroke;
    int dash;
    int required;      /* SIGN: the field must be signed */
    int centre_punct;  /* TEXT: set ，。、；：！？ in the middle of the em
                          box (Traditional text, sc_bound.lang): the PDF
                          writer moves a face's off-centre glyphs there */
} sc_item;

typedef struct sc_page {
    sc_item *items;
    size_t nitems, cap;
} sc_page;

/* Where someone signs: a signature box of the template's signature block
 * (one per role), on page `page` (0-based) of the record, x, y, w, h in
 * page coordinates (top-left).  The archive profile puts an unsigned
 * signature field there. */
typedef struct sc_sigbox {
    const char *role;
    int page;
    double x, y, w, h;
    int required;      /* verify fails while it is unsigned */
} sc_sigbox;

typedef struct sc_laid {
    double page_w, page_h;
    sc_page *pages;
    int npages;
    const char *watermark;
    const char *title;
    const char *lang;   /* the text's language (render.c), or NULL */
    sc_sigbox *sigboxes; /* in page and drawing order */
    int nsigboxes;
} sc_laid;

/* items.c: append *it to the arena-backed array items[0..*n) of capacity
 * *cap, growing it (old storage stays in the arena).  SC_ERR_NOMEM on
 * failure. */
sc_status sc_items_push(sc_arena *a, sc_item **items, size_t *n, size_t *cap,
                        const sc_item *it);

/* Lay out a bound record.  A character no font has fails with
 * SC_ERR_FONT naming the record, the field and U+XXXX.  Memory from arena. */
sc_status sc_layout(const sc_bound *b, const sc_fonts *fonts,
                    sc_arena *arena, sc_laid **out, sc_error *err);

/* blank.c: the blank back of a duplex book, a page of page_w x page_h
 * with the small note 此页无正文 (此頁無正文 for Traditional lang) and
 * no title (no outline entry).  Memory from arena. */
sc_status sc_layout_blank(const sc_fonts *fonts, double page_w, double page_h,
                          const char *lang, sc_arena *arena, sc_laid **out,
                          sc_error *err);

/* ---- chart.c (added for issue 5) ------------------------------------ */

/* Lower a bound chart into items in a box with top-left (x, y), width
 * c->width and height c->height (page coordinates): axes, gridlines,
 * bars, paths, labels as text runs.  *out (arena) holds *nout items.
 * SC_ERR_FONT if a label has a character no font has; `label` names the
 * record for that error. */
sc_status sc_chart_lower(const sc_chart *c, const sc_fonts *fonts, double x,
                         double y, sc_arena *arena, const char *label,
                         sc_item **out, size_t *nout, sc_error *err);

/* ---- dump.c ------------------------------------------------------------ */

/* Append the text form of the laid-out pages to buf. */
void sc_dump(const sc_laid *laid, const sc_fonts *fonts, sc_buf *buf);

/* ---- fontbases.c: what every document of a form draws, per face ------- */

/* The font bases of one form (fontbases.c, subset.c): made once, before
 * the form's first document, from the form laid out for a record without
 * employee data; immutable after, shared by every document and thread. */
typedef struct sc_fontbases sc_fontbases;
sc_status sc_fontbases_new(sc_fontbases **out, const sc_fonts *fonts,
                           const sc_laid *form, sc_error *err);
void sc_fontbases_free(sc_fontbases *b);

/* Font work of the process so far, for bench/fontwork: the time spent
 * making bases and finishing documents' fonts (subsets, font programs and
 * their compression, widths, CIDSet, ToUnicode), and how many documents. */
void sc_fontwork_note(unsigned long long ns, unsigned long docs);
void sc_fontwork_stats(unsigned long long *ns, unsigned long *docs);

/* ---- pdf.c ------------------------------------------------------------- */

typedef struct sc_pdf sc_pdf;
typedef struct sc_pdf_opts {
    const sc_fontbases *bases; /* the form's font bases, or NULL */
    long long created;         /* CreationDate, s since 1970 UTC; < 0: none */
    int profile;               /* sc_profile */
    int book;                  /* several records: their field and file
                                * names carry the employee id */
    const sc_record *rec;      /* sc_render_pdf: the one record, for
                                * sc_pdf_archive */
    sc_flate *flate;           /* the calling thread's compressors, or NULL:
                                * the document makes its own */
} sc_pdf_opts;
sc_status sc_pdf_new(sc_pdf **out, const sc_fonts *fonts,
                     const sc_pdf_opts *opts, sc_error *err);
/* Append the pages of laid, with an outline entry laid->title.  On error
 * the document may hold part of the record: it refuses to be finished. */
sc_status sc_pdf_add(sc_pdf *pdf, const sc_laid *laid, sc_error *err);
/* A book for double-sided printing: /Duplex in its viewer preferences. */
void sc_pdf_set_duplex(sc_pdf *pdf, int duplex);
/* Units: each sc_pdf_add is one (its pages, its outline entry if laid
 * has a title).  How many so far, and the pages of one. */
int sc_pdf_units(const sc_pdf *pdf);
int sc_pdf_unit_pages(const sc_pdf *pdf, int unit);
/* Show the units in this order (a permutation of 0..units-1) when the
 * document is finished: pages and outline entries alike. */
sc_status sc_pdf_arrange(sc_pdf *pdf, const int *order, int n, sc_error *err);
/* What the profile adds for the record whose pages sc_pdf_add has just
 * drawn: an unsigned signature field on each of laid's signature boxes
 * (archive, pdfa1) and, in the archive profile, the record as the data
 * gave it (rec->source, /AFRelationship /Source) and its computed results
 * (/Data) as associated files.  Nothing for the print profile.  On error
 * the document refuses to be finished, as with sc_pdf_add. */
sc_status sc_pdf_archive(sc_pdf *pdf, const sc_laid *laid, const sc_record *rec,
                         sc_error *err);
/* The finished file as bytes in *out (sc_malloc'd, the caller frees).
 * Call once; then only sc_pdf_free. */
sc_status sc_pdf_finish(sc_pdf *pdf, unsigned char **out, size_t *len,
                        sc_error *err);
void sc_pdf_free(sc_pdf *pdf);
/* How many of the document's font programs were made from a base (tests). */
int sc_pdf_faces_from_base(const sc_pdf *pdf);

/* ---- pdfa.c: what an archive copy says about itself --------------------- */

/* The document's own description, said twice: in the XMP packet and in
 * the information dictionary (PDF/A wants both to agree). */
typedef struct sc_pdfa_meta {
    int part;              /* pdfaid:part: 3 (archive) or 1 (pdfa1) */
    const char *title;     /* dc:title = /Title; NULL: none */
    const char *creator;   /* xmp:CreatorTool = /Creator */
    const char *producer;  /* pdf:Producer = /Producer */
    long long created;     /* xmp:CreateDate, ModifyDate, MetadataDate =
                            * /CreationDate, /ModDate */
} sc_pdfa_meta;
/* The XMP packet of m, every value XML-escaped, appended to out. */
sc_status sc_pdfa_xmp(const sc_pdfa_meta *m, sc_buf *out);
/* t (s since 1970) as a PDF date, D:20261031000000+00'00', and as an XMP
 * date, 2026-10-31T00:00:00+00:00; "" when out of range. */
void sc_pdf_date(char out[32], long long t);
void sc_xmp_date(char out[32], long long t);
/* SHA-256 over pieces (the /ID of an archive copy), and MD5 (/CheckSum),
 * by Nettle. */
typedef struct sc_digest sc_digest;
sc_digest *sc_digest_new(void);
void sc_digest_add(sc_digest *d, const void *data, size_t len);
int sc_digest_final(sc_digest *d, unsigned char out[32]);
void sc_digest_free(sc_digest *d);
int sc_md5(const void *data, size_t len, unsigned char out[16]);
/* Debian icc-profiles-free's sRGB.icc (cmake/embed_file.cmake). */
extern const unsigned char sc_icc_srgb[];
extern const size_t sc_icc_srgb_len;

/* ---- render.c: one record's pages ------------------------------------- */

/* Bind rec to tpl and lay it out; *laid lives in arena.  A record error
 * names the record.  selects (may be NULL): what the template's selects
 * gave (arena memory).  bases: the form's font bases, noted in the layout
 * for the PDF writer (may be NULL). */
sc_status sc_render_layout(const sc_template *tpl, const sc_fonts *fonts,
                           const sc_record *rec, const sc_render_opts *opts,
                           sc_arena *arena, sc_laid **laid, sc_selects *selects,
                           sc_error *err);
/* One laid-out record as a whole PDF file, in *out (sc_malloc'd). */
sc_status sc_render_pdf(const sc_laid *laid, const sc_fonts *fonts,
                        const sc_pdf_opts *popts, unsigned char **out,
                        size_t *len, sc_error *err);

/* ---- password.c: each record's open password, from its own data ------- */

#define SC_PASSWORD_MIN 6
#define SC_PASSWORD_MAX 127

typedef struct sc_passwords sc_passwords;
/* Parse the password source -- placeholders only: {password},
 * {id-number}, {file}, each optionally cut ({id-number:-6}) -- and read
 * the password file if it uses {file} (file must then be given, and be
 * readable by its owner only).  SC_ERR_USAGE for a bad pattern. */
sc_status sc_passwords_new(sc_passwords **out, const char *pattern, const char *file,
                           sc_error *err);
/* rec's open password into out[0..n) (wipe it after use).  SC_ERR_DATA
 * naming the employee and field when the data gives none or a bad one;
 * no message ever holds the value. */
sc_status sc_passwords_get(const sc_passwords *p, const sc_record *rec, char *out,
                           size_t n, sc_error *err);
void sc_passwords_free(sc_passwords *p);

/* ---- the output stage: steps, each in its own out_*.c ------------------- */

/* One document on its way out.  The driver fills rec, laid, bases and
 * (per-record files) pdf; the steps fill the rest in chain order. */
typedef struct sc_doc {
    const sc_record *rec;
    const sc_laid *laid;
    const sc_fontbases *bases;  /* its form's font bases */
    long long created;          /* its date */
    unsigned char *pdf;         /* its PDF, when made per record (owned by
                                 * the driver; a step may replace it) */
    size_t len;
    const char *label;          /* "id name" (a failed record's) */
    char name[256];             /* out_name: its file name */
    char tmp[320];              /* out_file: its temporary file, written by
                                 * the step's work, renamed by its doc */
    unsigned long long ticket;  /* out_file: its place among the files the
                                 * work closed unflushed (0: flushed) */
    char path[4352];            /* out_file: the file written */
    int mail;                   /* out_mail: sc_mail_outcome */
    char mail_to[256];          /* out_mail: the address */
    char mail_note[512];        /* out_mail: the reply, or why not sent */
} sc_doc;

/* A step of the chain: doc is called for each record that got this far,
 * in record order; end once after the last record (a book writes itself
 * then).  An error from doc fails that record only.  admit (may be NULL)
 * is asked in record order before the record is worked on, with d->rec
 * set: SC_OK goes on; SC_END means there is nothing to do for it (done in
 * an earlier run), so it is not drawn and no step sees it; an error fails
 * it at once -- what a step can tell from the record alone is refused
 * before anything is drawn.
 *
 * work (optional) is the part of a record's step that needs no other
 * record -- making its name, writing its bytes to a temporary file and
 * flushing them to disk -- run before doc on a worker thread, out of
 * record order, so that the disk works while other records are made; it
 * may read only d and what of the step never changes.  doc then finishes
 * in record order (the name's check against earlier records, the
 * rename).  The driver runs work for the leading steps of the chain that
 * have it, in chain order, and stops at the first that has none: a step
 * after it may need what that step does to the document.  A failure of
 * work is reported in the record's order, at that step's place; undo
 * (optional) takes back what work did for a record that fails before the
 * step's doc is reached.  A step without work has its doc do everything. */
typedef struct sc_step sc_step;
struct sc_step {
    const char *what;
    sc_status (*doc)(sc_step *self, sc_doc *d, sc_error *err);
    /* May be NULL.  A record that failed -- refused by the reader or a
     * stage, or by this step or another -- in record order, after the
     * steps it reached: for steps that list failures (the summary, the
     * manifest) or have something to say about them.  d->rec is what was
     * read of it (for a refused record only its id, name, department,
     * position, superior, evaluator and period, no document) or NULL,
     * d->label its "id name", d->pdf NULL; why is its first problem.
     * Returns 1 with *note filled to warn about it (a sheet an earlier
     * run left under its name). */
    int (*failed)(sc_step *self, sc_doc *d, const sc_error *why, sc_error *note);
    sc_status (*end)(sc_step *self, int *files, int *pages, sc_error *err);
    void (*free)(sc_step *self);
    sc_status (*admit)(sc_step *self, sc_doc *d, sc_error *err);
    sc_status (*work)(sc_step *self, sc_doc *d, sc_error *err);
    void (*undo)(sc_step *self, sc_doc *d);
    /* May be NULL.  Whether the record's doc can run now without waiting
     * for the disk (out_file: its file is already flushed).  The driver
     * holds records that are not back, in order, until it must deliver:
     * then one flush serves them all. */
    int (*ready)(sc_step *self, const sc_doc *d);
};

/* out_name.c: names each document from the pattern; refuses a name that an
 * earlier record of the run has.  For a failed record it works out the
 * name it would have had (d->name; "" if this run wrote that name). */
sc_step *sc_step_name(const char *pattern);
/* out_name.c: raw made a plain file name as a record's file name is
 * (separators, control and invisible characters, "..", leading dots...):
 * used for the books of groups.  And whether two names are the same file
 * on a file system that folds (ASCII) case. */
sc_status sc_filename_clean(const char *raw, char *out, size_t n, sc_error *err);
int sc_filename_same(const char *a, const char *b);
/* Take `name` for `whose` (a file of the run that is not a sheet, such as
 * the manifest), so that no document gets it. */
int sc_step_name_reserve(sc_step *self, const char *name, const char *whose);
/* out_file.c: writes each document's PDF as dir/name.  A failed record
 * whose name holds a file from an earlier run is warned about; with
 * remove_stale that file is removed, so the folder holds only this run's
 * sheets of the batch. */
sc_step *sc_step_file(const char *dir, int remove_stale);
/* out_manifest.c: lists every record of the run -- the file written, id,
 * name, pages, bytes, SHA-256, total, grade, bonus, status -- and writes
 * the list at the end as dir/stem.csv and dir/stem.json. */
sc_step *sc_step_manifest(const char *dir, const char *stem);
/* out_book.c: adds each document's pages to a book -- one, or one per
 * group -- written at the end (the pages of a failed record never reach
 * it), in sort order, the summary in front, duplex-safe. */
typedef struct sc_book_opts {
    const char *path;          /* one book: this file */
    const char *dir;           /* group_by: the books' folder */
    int group_by;              /* sc_group_by */
    int sort;                  /* sc_sort */
    int duplex;                /* a blank back after odd records */
    const sc_template *summary_tpl; /* the summary in front, or NULL */
    long long created;         /* < 0: the first record's date */
    sc_diag_fn warn;           /* fallback groups, forced distribution */
    void *warn_ud;
    int profile;               /* sc_profile */
} sc_book_opts;
sc_step *sc_step_book(const sc_book_opts *o, const sc_fonts *fonts);
/* out_summary.c: the department summary of the whole run as one PDF
 * file (path), or its layout dump handed to dump_fn. */
sc_step *sc_step_summary(const char *path, const sc_template *tpl, const sc_fonts *fonts,
                         int sort, long long created, sc_diag_fn warn, void *warn_ud,
                         void (*dump_fn)(void *ud, const char *dump), void *dump_ud);

/* out_encrypt.c: encrypts each document's PDF (AES-256, R6) with the
 * open password its record gives (password.c); its admit checks that the
 * record has one before anything is drawn. */
sc_step *sc_step_encrypt(sc_passwords *pw);
/* out_mail.c: e-mails each document to its record's address (or writes
 * the message as a .eml file), journalled so that a rerun sends only the
 * rest.  out_dir: where the journal is by default. */
sc_status sc_step_mail(sc_step **out, const sc_mail_opts *o, const char *out_dir,
                       sc_error *err);

/* out_file.c: write data[0..len) as dir/name so that the name only ever
 * refers to a complete file: a temporary file of an unpredictable name,
 * created exclusively without following links, every write checked,
 * fsync'd, renamed over the name, the folder fsync'd.  On failure nothing
 * is left and the old file of that name, if any, is untouched. */
sc_status sc_file_write(const char *dir, const char *name, const void *data,
                        size_t len, sc_error *err);
/* The same for a file too large to hold: fill writes it to fd (its
 * writes checked) and returns 0, or an errno. */
typedef int (*sc_file_fill)(void *ud, int fd);
sc_status sc_file_write_with(const char *dir, const char *name, sc_file_fill fill,
                             void *ud, sc_error *err);
/* write(2) until all n bytes are written; 0, or -1 with errno. */
int sc_write_all(int fd, const void *data, size_t n);
/* A file with no name for what a run holds until its end (in $TMPDIR or
 * /tmp; in memory if neither can take one): gone when closed, whatever
 * happens to the process.  -1 with errno if none can be made. */
int sc_spill_fd(void);
/* mkdir -p, refusing a path that exists and is not a folder. */
sc_status sc_make_dirs(const char *path, sc_error *err);

/* ---- summary.c: the department summary (rows, not pages) --------------- */

typedef struct sc_summary sc_summary;
sc_summary *sc_summary_new(void);
void sc_summary_free(sc_summary *s);
/* A record done: its figures as the engine printed them, into group. */
sc_status sc_summary_add(sc_summary *s, int group, const sc_record *rec, sc_error *err);
/* A record that failed (rec NULL when it could not be read; label "id
 * name"): listed as an error, counted nowhere. */
sc_status sc_summary_add_failed(sc_summary *s, int group, const sc_record *rec,
                                const char *label, const sc_error *why, sc_error *err);
int sc_summary_rows(const sc_summary *s);
/* The rows of group (-1: all) in sort order (sc_sort; ties in data
 * order): *out (sc_malloc'd) holds *n row indices, in the order rows were
 * added. */
sc_status sc_summary_order(const sc_summary *s, int group, int sort, int **out, int *n,
                           sc_error *err);

/* Told of what the summary finds to warn about (a forced distribution
 * not kept). */
typedef void (*sc_summary_note)(void *ud, const char *msg);
typedef struct sc_summary_view {
    int group;               /* -1: every row */
    int sort;                /* sc_sort */
    const char *group_by;    /* "evaluator", or NULL */
    const char *group_label; /* 考核人 */
    const char *group_value; /* 李建国 */
    const char *department;  /* the title's, or NULL: the header's */
    sc_summary_note note;
    void *note_ud;
} sc_summary_view;
/* The summary of view's rows as a record for a template (summary.c says
 * what it holds); *out belongs to the caller (sc_record_free). */
sc_status sc_summary_record(sc_summary *s, const sc_summary_view *view, sc_record **out,
                            sc_error *err);

/* ---- mime.c: a message as bytes (RFC 5322, 2045, 2047, 2231) --------- */

typedef struct sc_message {
    const char *from_name, *from; /* display name ("" none), address */
    const char *to_name, *to;
    const char *cc, *reply_to;    /* addresses, or NULL / "" */
    const char *subject;          /* UTF-8 */
    const char *body;             /* UTF-8, lines ending in \n */
    const char *filename;         /* the attachment's name, UTF-8 */
    const unsigned char *att;     /* the attachment (a PDF) */
    size_t att_len;
    long long date;               /* s since 1970 UTC */
    const char *message_id;       /* "<...@...>" */
} sc_message;
/* Append the whole message, CRLF line ends, to out. */
sc_status sc_mime_build(const sc_message *m, sc_buf *out, sc_error *err);
/* RFC 2047 "B" encoded-words of UTF-8 text starting at column col, folded
 * with CRLF SP before 76 columns, cut on character boundaries. */
void sc_mime_words(sc_buf *b, const char *text, size_t col);
/* ";\r\n param*=UTF-8''..." (RFC 2231), continued (param*0*=...) when
 * long. */
void sc_mime_param_2231(sc_buf *b, const char *param, const char *value);
/* Base64 in lines of 76 characters, each ending in CRLF. */
void sc_mime_base64(sc_buf *b, const void *data, size_t len);
/* RFC 5322 date, UTC: "Sat, 31 Oct 2026 00:00:00 +0000". */
void sc_mime_date(char out[40], long long t);
/* 1 if addr is an address we send to (ASCII dot-atom @ a domain of LDH
 * labels with a dot): nothing in it can add a header or a recipient.
 * Else 0 and why[0..n) says what is wrong. */
int sc_mail_address_ok(const char *addr, char *why, size_t n);
/* "addr" or "Display Name <addr>" split; 0 if it is neither. */
int sc_mail_parse_mailbox(const char *s, char *name, size_t nn, char *addr,
                          size_t na);

/* ---- mailtext.c: subject and body from HR's template ------------------- */

typedef struct sc_mailtext sc_mailtext;
/* Load and check the template at path (NULL: the default text). */
sc_status sc_mailtext_load(sc_mailtext **out, const char *path, sc_error *err);
/* Subject and body for rec, sc_malloc'd. */
sc_status sc_mailtext_expand(const sc_mailtext *t, const sc_record *rec,
                             char **subject, char **body, sc_error *err);
void sc_mailtext_free(sc_mailtext *t);

/* ---- journal.c: what the server accepted ------------------------------- */

typedef struct sc_journal sc_journal;
/* Open the journal at path and read its keys; writable: create it if
 * missing and lock it for the run (else a missing one is empty). */
sc_status sc_journal_open(sc_journal **out, const char *path, int writable,
                          sc_error *err);
/* 1 if a message of period/id to `to` was accepted before. */
int sc_journal_has(const sc_journal *j, const char *period, const char *id,
                   const char *to);
/* Append an accepted message's line and fsync it. */
sc_status sc_journal_add(sc_journal *j, const char *date, const char *period,
                         const char *id, const char *to, const char *sha256,
                         const char *message_id, const char *reply, sc_error *err);
void sc_journal_close(sc_journal *j);

/* ---- dl_*.c: libraries loaded on first use -------------------------------- */

/* SC_OK once the library is loaded (the first call loads it, dl.h); else
 * SC_ERR_LIBRARY saying which Debian package to install.  Thread-safe;
 * call it where the feature is set up, not for each record. */
sc_status sc_curl_load(sc_error *err);   /* libcurl: mail */
sc_status sc_qpdf_load(sc_error *err);   /* libqpdf: encrypt, sign, verify */
sc_status sc_icu_load(sc_error *err);    /* ICU collation: --sort name */
sc_status sc_hb_load(sc_error *err);     /* HarfBuzz subset: CFF fonts */
sc_status sc_fc_load(sc_error *err);     /* fontconfig: a family without its file */
sc_status sc_crypto_load(sc_error *err); /* libcrypto: sign, verify */
/* Why fontconfig could not be loaded, if a font was looked for through it
 * and it could not; else NULL.  For the message of a font not found. */
const char *sc_fc_unavailable(void);

/* ---- smtp.c: messages to an SMTP server (libcurl) ------------------------ */

typedef struct sc_smtp sc_smtp;
/* 1 if url is smtp:// or smtps:// without a login in it; *tls_required
 * unless it is smtp:// to the machine itself.  Else 0 with why. */
int sc_smtp_url_check(const char *url, int *tls_required, char *why, size_t n);
sc_status sc_smtp_open(sc_smtp **out, const sc_mail_opts *o, sc_error *err);
/* Send msg to rcpt[0..n): SC_OK when accepted; reply: the server's last
 * line.  SC_ERR_MAIL when refused (5xx), deferred every time (4xx), or
 * not sent because the server is down (then sc_smtp_down says why). */
sc_status sc_smtp_send(sc_smtp *s, const char *from, const char *const *rcpt, int n,
                       const void *msg, size_t len, char *reply, size_t nreply,
                       sc_error *err);
/* Why no message can be sent any more, or NULL. */
const char *sc_smtp_down(const sc_smtp *s);
/* Send nothing more, for `why`. */
void sc_smtp_stop(sc_smtp *s, const char *why);
void sc_smtp_close(sc_smtp *s);

/* ---- score.c: the scoring engine (docs/scoring.md) -------------------- */

/* Rule parameters and raw results are integers in 1/10000 (SC_UNIT);
 * shown scores are integers in 1/100 point ("centi"); money is integer
 * fen.  Never binary floating point. */
#define SC_UNIT 10000LL

typedef enum sc_rule_type {
    SC_RULE_GIVEN = 0, SC_RULE_ACHIEVEMENT, SC_RULE_PRORATA, SC_RULE_STEP,
    SC_RULE_THRESHOLD, SC_RULE_DEDUCT, SC_RULE_PER_UNIT, SC_RULE_CHOICE,
    SC_RULE_FREE
} sc_rule_type;

/* How steps of a step rule (or an uplift bonus) are counted. */
typedef enum sc_count_mode {
    SC_COUNT_FLOOR = 0,  /* whole steps only: 8.7% short of "per 5%" = 1 */
    SC_COUNT_CEIL = 1,   /* every started step: 8.7% = 2 */
    SC_COUNT_LINEAR = 2  /* pro rata: 8.7% = 1.74 steps */
} sc_count_mode;

/* What one occurrence of a kind does to the score of its KPI. */
typedef enum sc_item_effect {
    SC_ITEM_DEDUCT = 0,  /* <item kind points>: points off (扣2分/次) */
    SC_ITEM_ADD = 1,     /* <addition kind points>: points on (加5分/次) */
    SC_ITEM_REVERSE = 2  /* <item kind reverse>: the KPI scores -points
                            (本项倒扣10分), whatever else happened */
} sc_item_effect;
typedef struct sc_rule_item {
    const char *kind;
    long long points; /* units, > 0 */
    int effect;       /* sc_item_effect */
    const char *unit; /* what an occurrence is counted in (份); NULL: 次 */
} sc_rule_item;
typedef struct sc_rule_level {
    const char *id;
    long long points;
    const char *text;
} sc_rule_level;

/* One KPI's rule, as declared in a scheme (all numbers in SC_UNIT). */
typedef struct sc_rule {
    const char *kpi;      /* kpi/@id it applies to */
    int type;             /* sc_rule_type */
    int lower_better;     /* better="lower" */
    int completion;       /* basis="completion": measure = actual/target % */
    int count;            /* sc_count_mode, steps short of the target */
    int count_above;      /* sc_count_mode, steps beyond it (default floor) */
    int has_weight, has_target, has_base, has_cap;
    long long weight, target, base, cap;
    long long step_below, points_below, step_above, points_above;
    int has_zero_below, has_zero_above;
    long long zero_below, zero_above; /* strictly beyond: the item is 0 */
    long long otherwise;  /* threshold not met */
    long long per;        /* per-unit points */
    long long points;     /* deduct: per occurrence (one kind) */
    int has_max_count;
    long long max_count;  /* deduct: more occurrences than this: 0 */
    int has_min, has_max;
    long long min, max;   /* free */
    int month_average;    /* actual="month-average": the raw result is the
                             average of the sheet's month scores (a year
                             sheet's 月度考核平均得分), computed */
    sc_rule_item *items;
    int nitems;
    sc_rule_level *levels;
    int nlevels;
    int line;             /* in the scheme's file */
} sc_rule;

/* Raw results of one KPI (SC_UNIT, except counts). */
typedef struct sc_rule_input {
    long long weight;               /* the sheet's weight */
    int has_value, has_target, has_reason;
    long long value, target;        /* target overrides the rule's */
    const char *level;              /* choice */
    const char *const *kinds;       /* deduct: counts per kind */
    const long long *counts;
    int ncounts;
} sc_rule_input;

/* How a score came about, for the sheet to print next to it. */
typedef struct sc_rule_work {
    int has_completion;
    long long completion; /* actual / target x 100, in 1/100 percent, rounded once */
    int has_steps;        /* whole steps (floor or ceil counting) */
    long long steps;      /* > 0 beyond the target, < 0 short of it */
    long long step_points;/* units, signed: what the steps added or took */
    int zeroed;           /* a zero threshold or max-count made it 0 */
    int capped;           /* the cap (or the weight) limited it */
    int reversed;         /* a reverse item (倒扣) set it below 0 */
} sc_rule_work;

/* The score of one KPI in centi (rounded once, half away from zero).
 * SC_ERR_DATA with msg filled if an input is missing or invalid.  work may
 * be NULL. */
sc_status sc_rule_score(const sc_rule *r, const sc_rule_input *in, long long *centi,
                        char *msg, size_t nmsg);
sc_status sc_rule_score_work(const sc_rule *r, const sc_rule_input *in, long long *centi,
                             sc_rule_work *work, char *msg, size_t nmsg);
/* The lowest score a rule can give, in units: 0, or -reverse (倒扣). */
long long sc_rule_floor(const sc_rule *r);
const char *sc_rule_type_name(int type);

/* Decimal string -> integer scaled by 10^scale (0..6); a significant
 * digit beyond the scale is refused.  1 on success. */
int sc_parse_fixed(const char *s, int scale, long long *out);
/* n / d rounded half away from zero (d != 0). */
long long sc_div_round(long long n, long long d);
/* v / 10^scale as decimal text; trim: drop trailing zeros ("10.5"). */
void sc_format_fixed(char *out, size_t n, long long v, int scale, int trim);

typedef enum sc_bonus_type {
    SC_BONUS_PROPORTIONAL = 0, /* base x total / 100 */
    SC_BONUS_UPLIFT = 1,       /* base 100%, + rise% per `per` points above */
    SC_BONUS_NONE = 2
} sc_bonus_type;
typedef enum sc_below_mode {
    SC_BELOW_PROPORTIONAL = 0, SC_BELOW_ZERO = 1, SC_BELOW_BASE = 2
} sc_below_mode;
typedef struct sc_bonus_rule {
    int type;                 /* sc_bonus_type */
    long long threshold;      /* SC_UNIT points, default 100 */
    long long per, rise;      /* SC_UNIT points; SC_UNIT percent */
    int count;                /* sc_count_mode */
    int below;                /* sc_below_mode: under the threshold */
    /* uplift by KPIs (seed 003: 解决率、满意度每超额1%奖金上浮2%): the
     * steps are the KPIs' excess over their targets, not the total's
     * excess over the threshold; the threshold still decides the base
     * part (100%, or `below` under it). */
    const char *const *over;  /* KPI ids; NULL/0: uplift by the total */
    int nover;
} sc_bonus_rule;

/* base x total / 100 in fen, half up.  total in centi. */
long long sc_bonus_proportional(long long base_fen, long long total_centi);
/* The month's bonus by rule; SC_END for SC_BONUS_NONE.  Never negative.
 * For an uplift by the total; sc_bonus_compute_steps takes the steps
 * (a fraction sn/sd >= 0, sd > 0) of an uplift by KPIs.  *rise_bp (may be
 * NULL) gets the uplift in 1/100 percent of the base. */
sc_status sc_bonus_compute(const sc_bonus_rule *b, long long base_fen,
                           long long total_centi, long long *out_fen);
sc_status sc_bonus_compute_steps(const sc_bonus_rule *b, long long base_fen,
                                 long long total_centi, long long sn, long long sd,
                                 long long *out_fen, long long *rise_bp);

/* Ranking awards: competition ranking (98, 98, 95 -> 1, 1, 3); ties each
 * receive their rank's award; awards[k] is the award of rank k+1. */
void sc_rank_awards(const long long *scores, int n, const long long *awards,
                    int nawards, int *rank, long long *award);

/* 大客户部 quarterly bonus (seed 001), see score.c for the rules. */
typedef struct sc_quarter_rule {
    long long rate_bp;      /* 400 = 4% */
    long long withhold_fen; /* 60000 = 600 元 withheld below the base */
    long long fixed_bp;     /* 8000 = 80% */
    long long kpi_bp;       /* 2000 = 20% x KPI coefficient */
    long long base_ratio_bp;/* 5000 = 基数 is 50% of the target; 0: not checked */
} sc_quarter_rule;
typedef struct sc_quarter_in {
    long long actual_fen, base_fen, target_fen;
    long long kpi_coef;     /* SC_UNIT: 1.0 = 10000 */
} sc_quarter_in;
typedef struct sc_quarter_out {
    long long counted_fen;    /* actual + carried in from the last quarter */
    long long bonus_base_fen; /* what this quarter's own bonus is on */
    long long covered_fen;    /* earlier shortfall made up this quarter */
    long long made_up_fen;    /* bases of quarters now fully made up (补发) */
    long long accrued_fen;    /* 计提奖金 */
    long long actual_fen;     /* 实际奖金 */
    long long withheld_fen;   /* fixed wage withheld */
    long long owed_fen;       /* shortfall still owed after this quarter */
    long long carry_fen;      /* excess over target carried forward */
    int floating;             /* 浮动工资 paid */
} sc_quarter_out;
sc_status sc_quarter_bonus(const sc_quarter_rule *rule, const sc_quarter_in *q,
                           int n, sc_quarter_out *out);

/* A parsed scheme (immutable; shared by every record of a reader). */
typedef struct sc_scheme sc_scheme;

/* Receives one problem at `node` (attribute `attr` or NULL). */
typedef void (*sc_score_report)(void *ud, sc_status code, xmlNodePtr node,
                                const char *attr, const char *msg);

/* Parse a validated <scheme> element.  Every problem goes to fn;
 * SC_ERR_DATA if there were any.  *out belongs to the caller. */
sc_status sc_scheme_parse(sc_scheme **out, xmlNodePtr scheme, sc_score_report fn,
                          void *ud);
void sc_scheme_free(sc_scheme *s);
/* Borrowed: the rule of a KPI id, or NULL. */
const sc_rule *sc_scheme_rule(const sc_scheme *s, const char *kpi);
/* Borrowed: the <scheme> element as declared (inline or its file). */
xmlNodePtr sc_scheme_node(const sc_scheme *s);
/* The scheme's KPI rules, in the order declared (i in 0..nrules-1). */
int sc_scheme_nrules(const sc_scheme *s);
const sc_rule *sc_scheme_rule_at(const sc_scheme *s, int i);
/* Borrowed: the grade of a total (centi), or NULL without bands. */
const char *sc_scheme_grade(const sc_scheme *s, long long total_centi);

/* 1 if the engine writes (or verifies) a figure under this element or
 * attribute name: score, total, @subtotal, @amount, result …  template.c
 * refuses a printed expression that does arithmetic on one of them. */
int sc_score_computed_name(const char *name, size_t n, int attribute);

typedef struct sc_score_summary {
    int have_total, have_bonus;
    long long total_centi, bonus_fen;
    char grade[64];
} sc_score_summary;

/* A batch's ranking table (<ranking> in the header): every ranked
 * employee's totals of the last `months` months, oldest first, the last
 * being the batch period's.  It spans employees, so data.c keeps it out
 * of the records (one employee's scores never reach another's document)
 * and hands it to sc_score_employee, which writes into each record only
 * that employee's own months, rank and award.  Immutable once parsed. */
typedef struct sc_ranking sc_ranking;
sc_status sc_ranking_parse(sc_ranking **out, xmlNodePtr ranking, sc_score_report fn,
                           void *ud);
void sc_ranking_free(sc_ranking *rk);

/* Compute one validated employee in place (s may be NULL: no rules,
 * proportional bonus, no grade bands): fills empty scores, subtotals,
 * total, grade, bonus and <result>; compares what the data states.
 * The period (month, quarter or year) is read from the record's
 * /batch/period.  rk: the batch's ranking table or NULL.  Returns the
 * number of problems reported through fn. */
int sc_score_employee(const sc_scheme *s, xmlNodePtr emp, const sc_ranking *rk,
                      sc_score_report fn, void *ud, sc_score_summary *sum);

#endif
