/* data.c -- streaming reader of evaluation batches (XML -> sc_record).
 *
 * How a batch is read
 * -------------------
 * A batch can hold a whole company's employees, so it is never loaded as
 * one tree, and what lies between records (comments, whitespace, padding
 * of any size) is never kept.  The file is pushed through libxml2's push
 * parser in small chunks, with SAX handlers of our own in front of the
 * tree builder (xmlSAX2*):
 *
 *   - directly inside <batch>, whitespace, comments and processing
 *     instructions are dropped as they stream by (text there is a
 *     problem); comments and PIs are dropped inside records too: nothing
 *     reads them;
 *   - each child of <batch> is built as a small tree.  A header child
 *     (company, department, period, document-prefix, scheme) is copied
 *     into a tiny "header document" when it ends; an <employee> is
 *     detached when it ends and queued as a complete record;
 *   - a record may hold at most MAX_RECORD_BYTES of text and attribute
 *     values and MAX_RECORD_ELEMENTS elements: past that nothing more of
 *     it is built, and it fails alone with a message naming the field
 *     (libxml2's own limit, 10 MB per text node, would end the batch).
 *
 * So memory holds one chunk, the records it completed, and the set of ids
 * seen so far (needed to refuse duplicates; O(employees) small strings, a
 * deliberate trade-off).  The one thing libxml2 itself buffers whole is a
 * single piece of markup (a comment, a tag, a PI), bounded by its 10 MB
 * lookup limit; beyond that the file is cut short with a message.
 *
 *   1. sc_reader_open pushes chunks until the first <employee> starts: the
 *      header is complete.  It is validated against the schema (which
 *      allows zero employees) and every header problem is fatal: without a
 *      valid header no sheet is right.
 *   2. sc_reader_next takes the next queued record (pushing more chunks
 *      when none is), puts a copy of the header and the employee (moved,
 *      not copied: the tree is built without the parser's dictionary, so
 *      it is the record's own) into a per-record document and checks it.  A fatal XML error is returned only after every
 *      record completed before it: a record whose end tag was read is
 *      whole, whatever follows it in the same chunk.
 *   3. The record document is validated against the embedded Relax NG
 *      schema (compiled once per process), then checked for what a schema
 *      cannot say: weights summing to exactly 100 (in hundredths, as
 *      integers), scores within their weight, money with at most 2 decimals.
 *      Every problem goes to the diag callback; a bad record is skipped and
 *      the next call continues with the following one.
 *
 * Line numbers: libxml2 keeps element lines in an unsigned short, so lines
 * past 65535 are stored as 65535.  Our start-element handler keeps the
 * true line of such an element in its psvi field (unused in these trees);
 * when an employee becomes a record, its big lines move into the record's
 * line map, so messages stay exact in very long files.
 *
 * Security: XML_PARSE_NONET; never NOENT/DTDLOAD/DTDATTR; any DOCTYPE is
 * refused; and a process-wide external entity loader refuses every load, so
 * even a libxml2 code path we did not foresee cannot read a local file or
 * the network on behalf of a data file.
 */
#include "internal.h"

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>
#include <libxml/SAX2.h>
#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const unsigned char sc_schema_data[];
extern const size_t sc_schema_data_len;

#define MAX_PROBLEMS 200    /* per record: enough to list, bounded */
#define BIG_LINE 65535      /* libxml2's cap for element line numbers */

/* ---- process-wide, initialised once --------------------------------- */

/* The compiled schema and the entity loader are process-wide: the schema
 * is immutable once parsed (shared read-only by all readers, never freed:
 * it lives as long as the process, like the fonts), and libxml2 has only
 * one external entity loader per process.
 *
 * The loader is also how xmlReadFile opens a *main* document (templates
 * are read that way), so it cannot refuse everything: a load with no input
 * open yet (ctxt->inputNr == 0) is the document itself and goes to the
 * default loader; any load while a document is being parsed is an
 * external DTD, entity or parameter entity, and is refused, for every
 * libxml2 user in the process.  scorecard never needs those (templates and
 * schemas are self-contained), so that is the safe default.  Data files
 * are pushed to a parser we create ourselves, which does not use the
 * loader. */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static xmlRelaxNGPtr data_schema;
/* The quick proof of validity (facets.c), built once per process by
 * whichever thread asks first (sc_reader_quick: the CLI's warm-up
 * thread, while the first record is read and laid out); until it is
 * there a record takes the full validation, which gives the same answer.
 * facets_state: 0 not begun, 1 being built, 2 built (data_facets may
 * still be NULL: the schema has something facets.c does not follow), 3
 * promised by the warm-up thread (sc_reader_quick_promise): a record
 * validated meanwhile does not build them itself. */
static _Atomic(sc_facets *) data_facets;
static atomic_int facets_state;
static char schema_problem[256];
static xmlExternalEntityLoader default_loader;

static xmlParserInputPtr refuse_entity(const char *url, const char *id,
                                       xmlParserCtxtPtr ctxt)
{
    if (ctxt && ctxt->inputNr == 0 && default_loader)
        return default_loader(url, id, ctxt); /* the document itself */
    return NULL; /* never an external entity or DTD */
}

static void quiet_error(void *ud, xmlErrorPtr e)
{
    (void)ud;
    if (e && e->message && !schema_problem[0])
        snprintf(schema_problem, sizeof schema_problem, "%s", e->message);
}

/* The maximum lengths the schema gives text (maxLength facets), by
 * element and attribute, so that a value refused for its length is
 * reported as "N characters long; at most M" rather than "not valid".
 * Read from the schema itself, so the two cannot disagree. */
typedef struct text_limit {
    char elem[32], attr[32]; /* attr "": the element's own text */
    int max;
} text_limit;
static text_limit text_limits[64];
static int ntext_limits;
static xmlDocPtr schema_doc; /* the schema as a tree (rng_* below) */

static xmlNodePtr rng_define(xmlDocPtr schema, const char *name)
{
    xmlNodePtr g = xmlDocGetRootElement(schema);
    for (xmlNodePtr d = g ? g->children : NULL; d; d = d->next)
        if (d->type == XML_ELEMENT_NODE && !strcmp((const char *)d->name, "define") &&
            !strcmp(sc_xml_attr(d, "name") ? sc_xml_attr(d, "name") : "", name))
            return d;
    return NULL;
}

/* The first maxLength facet in n's own content (refs followed, nested
 * elements and attributes not entered); 0 if none. */
static int rng_max_length(xmlDocPtr schema, xmlNodePtr n, int depth)
{
    for (xmlNodePtr c = n->children; c && depth < 16; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        const char *k = (const char *)c->name;
        const char *name = sc_xml_attr(c, "name");
        int m = 0;
        if (!strcmp(k, "element") || !strcmp(k, "attribute"))
            continue;
        if (!strcmp(k, "param") && name && !strcmp(name, "maxLength")) {
            char *v = sc_xml_text(c);
            m = v ? atoi(v) : 0;
            free(v);
        } else if (!strcmp(k, "ref") && name) {
            xmlNodePtr d = rng_define(schema, name);
            m = d ? rng_max_length(schema, d, depth + 1) : 0;
        } else {
            m = rng_max_length(schema, c, depth + 1);
        }
        if (m > 0)
            return m;
    }
    return 0;
}

/* The most characters elem's text (attr NULL) or attribute may hold; 0 if
 * the schema sets no maximum. */
static int text_limit_of(const char *elem, const char *attr)
{
    for (int i = 0; i < ntext_limits; i++)
        if (!strcmp(text_limits[i].elem, elem) &&
            !strcmp(text_limits[i].attr, attr ? attr : ""))
            return text_limits[i].max;
    return 0;
}

static void rng_collect_limits(xmlDocPtr schema, xmlNodePtr n, const char *elem, int depth)
{
    for (xmlNodePtr c = n->children; c && depth < 16; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        const char *k = (const char *)c->name;
        const char *name = sc_xml_attr(c, "name");
        if ((!strcmp(k, "element") || !strcmp(k, "attribute")) && name) {
            int el = !strcmp(k, "element");
            int m = rng_max_length(schema, c, 0);
            if (m > 0 && !text_limit_of(el ? name : elem, el ? "" : name) &&
                ntext_limits < (int)(sizeof text_limits / sizeof *text_limits)) {
                text_limit *t = &text_limits[ntext_limits++];
                snprintf(t->elem, sizeof t->elem, "%s", el ? name : elem);
                snprintf(t->attr, sizeof t->attr, "%s", el ? "" : name);
                t->max = m;
            }
            if (el)
                rng_collect_limits(schema, c, name, depth + 1);
        } else if (!strcmp(k, "ref") && name) {
            xmlNodePtr d = rng_define(schema, name);
            if (d)
                rng_collect_limits(schema, d, elem, depth + 1);
        } else if (strcmp(k, "define")) {
            rng_collect_limits(schema, c, elem, depth + 1);
        }
    }
}

static pthread_once_t guard_once = PTHREAD_ONCE_INIT;

static void install_guard(void)
{
    xmlInitParser();
    default_loader = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(refuse_entity);
}

/* Before any parse, on every thread that parses: pthread_once orders the
 * loader's installation before each use of it (the CLI loads the font map
 * on one thread while another compiles the schemas). */
void sc_xml_guard(void) { pthread_once(&guard_once, install_guard); }

static void init_process(void)
{
    sc_xml_guard();
    xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewMemParserCtxt(
        (const char *)sc_schema_data, (int)sc_schema_data_len);
    if (!pc) {
        snprintf(schema_problem, sizeof schema_problem, "out of memory");
        return;
    }
    xmlRelaxNGSetParserStructuredErrors(pc, quiet_error, NULL);
    data_schema = xmlRelaxNGParse(pc);
    xmlRelaxNGFreeParserCtxt(pc);
    xmlDocPtr schema = xmlReadMemory((const char *)sc_schema_data,
                                     (int)sc_schema_data_len, "data.rng", NULL,
                                     XML_PARSE_NONET | XML_PARSE_NOERROR |
                                         XML_PARSE_NOWARNING);
    if (schema) {
        xmlNodePtr start = xmlDocGetRootElement(schema);
        rng_collect_limits(schema, start, "", 0);
        schema_doc = schema; /* kept, like data_schema, for content models */
    }
}

void sc_reader_quick_promise(void)
{
    int idle = 0;
    atomic_compare_exchange_strong(&facets_state, &idle, 3);
}

void sc_reader_quick(void)
{
    sc_reader_init();
    int idle = atomic_load(&facets_state);
    if ((idle != 0 && idle != 3) ||
        !atomic_compare_exchange_strong(&facets_state, &idle, 1))
        return;
    /* schema_doc is only read from now on, here and by the readers */
    sc_facets *f = data_schema && schema_doc ? sc_facets_new(schema_doc) : NULL;
    atomic_store_explicit(&data_facets, f, memory_order_release);
    atomic_store_explicit(&facets_state, 2, memory_order_release);
}

/* ---- small helpers ---------------------------------------------------- */

static int is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Parse a decimal with at most `maxdec` decimals into hundredths.
 * Accepts surrounding blanks and a sign; rejects anything else and values
 * beyond +-10^15.  Returns 1 on success. */
static int parse_hundredths(const char *s, int maxdec, long long *out)
{
    if (!s)
        return 0;
    while (is_space((unsigned char)*s))
        s++;
    int neg = 0;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    long long v = 0;
    int digits = 0, dec = 0;
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        if (v > 100000000000000LL)
            return 0;
        v = v * 10 + (*s - '0');
    }
    v *= 100;
    if (*s == '.') {
        s++;
        long long scale = 10;
        for (; *s >= '0' && *s <= '9'; s++, dec++, digits++) {
            if (dec >= maxdec || dec >= 2) {
                if (*s != '0')
                    return 0; /* significant digit beyond the allowed */
                continue;
            }
            v += (*s - '0') * scale;
            scale /= 10;
        }
    }
    while (is_space((unsigned char)*s))
        s++;
    if (*s || digits == 0)
        return 0;
    *out = neg ? -v : v;
    return 1;
}

/* "12345" hundredths -> "123.45" (drops ".00"). */
static void fmt_hundredths(char *out, size_t n, long long v)
{
    const char *sign = v < 0 ? "-" : "";
    long long a = v < 0 ? -v : v;
    if (a % 100 == 0)
        snprintf(out, n, "%s%lld", sign, a / 100);
    else if (a % 10 == 0)
        snprintf(out, n, "%s%lld.%lld", sign, a / 100, (a % 100) / 10);
    else
        snprintf(out, n, "%s%lld.%02lld", sign, a / 100, a % 100);
}

/* ---- the reader -------------------------------------------------------- */

/* A record's limits while it is read (see the top of the file).  A field
 * may hold at most 4000 characters (the schema), 12 KB of UTF-8: a real
 * employee holds a few hundred elements and well under 1 MB. */
#define MAX_RECORD_BYTES (4L << 20)
#define MAX_RECORD_ELEMENTS 10000
#define CHUNK 16384 /* bytes pushed to the parser at a time */

/* What the parser hands over between records, in file order: a complete
 * <employee> (detached from the parser's tree) or a problem found between
 * records (err). */
typedef struct queued {
    xmlNodePtr emp;
    sc_error *err;
} queued;

/* Where the bytes of a data or scheme file are: a file, or memory (the
 * record embedded in an archive copy, read again by verify).  The reader
 * and the prolog sniffers below read either through src_open. */
typedef struct src {
    const char *path;   /* the file, or the name messages use */
    const char *mem;    /* NULL: read the file */
    size_t len;
} byte_src;

static FILE *src_open(const byte_src *in)
{
    if (!in->mem)
        return fopen(in->path, "rb");
    return in->len ? fmemopen((void *)in->mem, in->len, "rb") : NULL;
}

struct sc_reader {
    xmlParserCtxtPtr ctxt; /* the push parser; its myDoc holds <batch> */
    FILE *in;
    char *path;
    byte_src src;          /* path, or the bytes of sc_reader_open_mem */
    int keep_source;       /* sc_reader_keep_source: records carry theirs */
    sc_diag_fn diag;
    void *ud;
    xmlDocPtr hdr;         /* <batch attrs> + header children */
    char *template_name;
    char *department;      /* the batch's */
    char *period;          /* 2026-10, 2026-Q3, 2026 */
    char declared[64];     /* encoding in the XML declaration, or "" */
    sc_strset ids;         /* employee ids seen */
    sc_scheme *scheme;     /* the scoring rules (NULL: defaults) */
    struct {               /* employees' own schemes (<employee scheme=>) */
        char *rel;
        sc_scheme *s;
        unsigned char *used; /* per rule: it scored a KPI of this batch */
    } own[8];
    int nown;
    unsigned char *used;   /* the same for the batch's scheme */
    char *scheme_file;     /* the batch's scheme file, or NULL (inline) */
    char *kpi_ids[64];     /* KPI ids of the batch, for suggestions */
    int nkpi_ids;
    sc_diag_fn warn;
    void *warn_ud;
    const sc_scheme *cur;  /* the scheme of the record being read */
    long long period_end;  /* its last day (record.date) */
    sc_ranking *ranking;   /* <ranking> of the header, kept out of records */
    sc_error perr;         /* first parser error (structured handler) */
    int have_perr;
    sc_xml_quiet quiet;    /* libxml2's generic channel, during reads */
    char generic[256];     /* its first message */

    /* Feeding the parser. */
    int at_end;            /* the whole file was pushed */
    int failed;            /* the parser stopped: pending says why */
    sc_status pending;
    sc_error pending_err;
    int dead;              /* pending was returned: only SC_END now */

    /* What the SAX handlers have seen. */
    int depth;             /* open elements; <batch> is 1 */
    int built;             /* of them, how many are in the tree */
    int root_seen, root_closed;
    int in_employees;      /* the first <employee> started: header done */
    int doctype;           /* a DOCTYPE was met (refused) */
    int stray;             /* this depth-2 element is not built: not an
                            * <employee>, or one only counted */
    int counting;          /* sc_data_count: employees are counted only */
    int counted;
    int stray_text;        /* text in <batch> reported for this stretch */
    sc_buf ws;             /* whitespace held back (on_text), or empty */
    xmlNodePtr top;        /* the depth-2 element being built */
    long bytes;            /* its text and attribute bytes so far */
    int elements;          /* its elements so far */
    sc_error *over;        /* why it went past a limit, or NULL */
    sc_error *hdr_err;     /* a header problem found while streaming */
    queued *q;             /* records and problems, in order */
    size_t qhead, qlen, qcap;
    int oom;
    sc_record *refused;    /* what was read of the record just refused */
};

/* The encodings a data file may declare.  libxml2 handles UTF-8 itself and
 * the others through iconv (glibc has them all). */
static int encoding_allowed(const char *e)
{
    static const char *const ok[] = {"UTF-8", "UTF8", "US-ASCII", "ASCII",
                                     "GBK", "CP936", "GB2312", "GB18030",
                                     "BIG5", "BIG-5", "BIG5-HKSCS"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (sc_ascii_ieq(e, ok[i]))
            return 1;
    return 0;
}

/* Look at the start of the file (bytes, before any decoding): the declared
 * encoding and where a DOCTYPE is, for exact messages.  The XML reader
 * remains the authority; this only adds precision. */
static void sniff_prolog(const byte_src *in, char *enc, size_t nenc,
                         int *doctype_line, int *doctype_col)
{
    enc[0] = '\0';
    *doctype_line = *doctype_col = 0;
    FILE *f = src_open(in);
    if (!f)
        return;
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = buf;
    if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
        p += 3;
    if (!strncmp(p, "<?xml", 5)) {
        const char *end = strstr(p, "?>");
        const char *e = strstr(p, "encoding");
        if (e && end && e < end) {
            e += 8;
            while (is_space((unsigned char)*e))
                e++;
            if (*e == '=') {
                e++;
                while (is_space((unsigned char)*e))
                    e++;
                char q = *e;
                if (q == '"' || q == '\'') {
                    const char *v = ++e;
                    while (*e && *e != q && e < end)
                        e++;
                    size_t len = (size_t)(e - v);
                    if (len >= nenc)
                        len = nenc - 1;
                    memcpy(enc, v, len);
                    enc[len] = '\0';
                }
            }
        }
    }
    const char *d = strstr(buf, "<!DOCTYPE");
    if (d) {
        int line = 1, col = 1;
        for (const char *q = buf; q < d; q++) {
            if (*q == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)*q & 0xC0) != 0x80) {
                col++;
            }
        }
        *doctype_line = line;
        *doctype_col = col;
    }
}

/* Where the first "<!DOCTYPE" is, scanning the raw bytes of the whole
 * prolog region (the parser's own line is ahead of it: it reads in
 * chunks).  Returns 1 if found. */
static int find_doctype(const byte_src *in, int *line, int *col)
{
    FILE *f = src_open(in);
    if (!f)
        return 0;
    static const char pat[] = "<!DOCTYPE";
    size_t matched = 0;
    int l = 1, c = 0, found = 0;
    long limit = 16L * 1024 * 1024; /* a prolog longer than this is absurd */
    int ch;
    while (!found && limit-- > 0 && (ch = getc(f)) != EOF) {
        if (ch == '\n') {
            l++;
            c = 0;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
        if (ch == pat[matched]) {
            if (++matched == sizeof pat - 1)
                found = 1;
        } else {
            matched = ch == pat[0];
        }
    }
    fclose(f);
    if (found) {
        *line = l;
        *col = c - (int)(sizeof pat - 2);
    }
    return found;
}

/* Find the first byte sequence that is not valid in `enc` (decoding the
 * file with iconv, counting lines and characters), for an exact
 * file:line:col when libxml2 only says "conversion failed".  Returns 1 and
 * fills line, col and a "0xAB 0xCD" rendering of the bytes if found. */
static int locate_bad_bytes(const byte_src *bs, const char *enc, int *line,
                            int *col, char *bytes, size_t nbytes, unsigned char raw[4])
{
    iconv_t cd = iconv_open("UTF-8", enc && enc[0] ? enc : "UTF-8");
    if (cd == (iconv_t)-1)
        return 0;
    FILE *f = src_open(bs);
    if (!f) {
        iconv_close(cd);
        return 0;
    }
    char in[4096], outb[16384];
    size_t have = 0;
    int l = 1, c = 1, found = 0, eof = 0;
    while (!found) {
        size_t got = eof ? 0 : fread(in + have, 1, sizeof in - have, f);
        if (got == 0)
            eof = 1;
        have += got;
        if (have == 0)
            break;
        char *ip = in, *op = outb;
        size_t il = have, ol = sizeof outb;
        size_t rc = iconv(cd, &ip, &il, &op, &ol);
        int e = rc == (size_t)-1 ? errno : 0;
        for (char *q = outb; q < op; q++) {
            if (*q == '\n') {
                l++;
                c = 1;
            } else if (((unsigned char)*q & 0xC0) != 0x80) {
                c++;
            }
        }
        if (e == EILSEQ || (e == EINVAL && eof)) {
            found = 1;
            size_t used = 0;
            for (size_t i = 0; i < il && i < 4; i++)
                raw[i] = (unsigned char)ip[i];
            for (size_t i = 0; i < il && i < 4; i++) {
                int w = snprintf(bytes + used, nbytes - used, "%s0x%02X",
                                 i ? " " : "", (unsigned char)ip[i]);
                if (w < 0 || (size_t)w >= nbytes - used)
                    break;
                used += (size_t)w;
            }
            break;
        }
        memmove(in, ip, il); /* E2BIG or EINVAL: keep the rest */
        have = il;
        if (eof && have == 0)
            break;
        if (eof && e == 0)
            break;
    }
    fclose(f);
    iconv_close(cd);
    if (found) {
        *line = l;
        *col = c;
    }
    return found;
}

/* A GBK file with a GB18030 four-byte sequence (b1 81-FE, b2 30-39, b3
 * 81-FE, b4 30-39): characters GBK lacks, such as 𠮷 in a name, which
 * tools that write "GBK" often emit anyway.  1 and what it is ("𠮷
 * (U+20BB7)") if raw is one and enc is a GBK name. */
static int gb18030_char(const char *enc, const unsigned char raw[4], char *out, size_t n)
{
    if (!sc_ascii_ieq(enc, "GBK") && !sc_ascii_ieq(enc, "CP936") && !sc_ascii_ieq(enc, "GB2312"))
        return 0;
    if (raw[0] < 0x81 || raw[0] > 0xFE || raw[1] < 0x30 || raw[1] > 0x39 || raw[2] < 0x81 ||
        raw[2] > 0xFE || raw[3] < 0x30 || raw[3] > 0x39)
        return 0;
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return 0;
    char in[4], utf[8] = "";
    memcpy(in, raw, 4);
    char *ip = in, *op = utf;
    size_t il = 4, ol = sizeof utf - 1;
    size_t rc = iconv(cd, &ip, &il, &op, &ol);
    iconv_close(cd);
    if (rc == (size_t)-1 || il)
        return 0;
    *op = '\0';
    uint32_t cp = 0;
    if (!sc_utf8_decode(utf, strlen(utf), &cp))
        return 0;
    snprintf(out, n, "%s (U+%04X)", utf, (unsigned)cp);
    return 1;
}

/* Structured error handler of the text reader: keep the first error. */
static void on_parse_error(void *ud, xmlErrorPtr e)
{
    sc_reader *r = ud;
    if (!e || e->level < XML_ERR_ERROR || r->have_perr)
        return;
    r->have_perr = 1;
    char msg[400];
    snprintf(msg, sizeof msg, "%s", e->message ? e->message : "XML error");
    /* libxml2 messages end in '\n' and sometimes carry a second line with
     * the offending bytes: keep it, on one line. */
    for (char *p = msg; *p; p++)
        if (*p == '\n')
            *p = ' ';
    size_t len = strlen(msg);
    while (len && msg[len - 1] == ' ')
        msg[--len] = '\0';

    int is_utf8 = strstr(msg, "not proper UTF-8") || e->code == XML_ERR_INVALID_ENCODING;
    int is_conv = e->domain == XML_FROM_I18N || e->domain == XML_FROM_IO;
    if (e->code == XML_ERR_UNSUPPORTED_ENCODING || e->code == XML_ERR_UNKNOWN_ENCODING) {
        sc_error_set(&r->perr, SC_ERR_ENCODING, r->path, e->line, e->int2,
                     "encoding \"%s\" is not supported; declare UTF-8, GBK, "
                     "GB18030 or Big5", r->declared);
        return;
    }
    if (e->code == XML_ERR_INTERNAL_ERROR && strstr(msg, "Huge input lookup")) {
        /* libxml2 holds one piece of markup whole, up to 10 MB */
        sc_error_set(&r->perr, SC_ERR_XML, r->path, e->line, e->int2,
                     "a single comment, tag or processing instruction here is "
                     "longer than 10 MB, more than the XML parser reads");
        return;
    }
    if (!is_utf8 && !is_conv) {
        char said[400];
        sc_xml_explain(said, sizeof said, e->code, msg);
        sc_error_set(&r->perr, SC_ERR_XML, r->path, e->line, e->int2, "%s", said);
        return;
    }
    /* Encoding trouble: find the exact spot ourselves (libxml2 converts
     * ahead of parsing, so its position is only roughly right). */
    int line = e->line, col = e->int2;
    char bytes[64] = "", gb[160] = "";
    unsigned char raw[4] = {0, 0, 0, 0};
    const char *enc = r->declared[0] ? r->declared : "UTF-8";
    locate_bad_bytes(&r->src, enc, &line, &col, bytes, sizeof bytes, raw);
    if (gb18030_char(enc, raw, gb, sizeof gb)) {
        sc_error_set(&r->perr, SC_ERR_ENCODING, r->path, line, col,
                     "bytes are not valid %s as declared: %s is %s in GB18030, which %s "
                     "cannot hold; declare encoding=\"GB18030\" (GB18030 is a superset "
                     "of GBK: the rest of the file reads the same)", enc, bytes, gb, enc);
        return;
    }
    if (!r->declared[0] || sc_ascii_ieq(enc, "UTF-8") || sc_ascii_ieq(enc, "UTF8"))
        sc_error_set(&r->perr, SC_ERR_ENCODING, r->path, line, col,
                     "bytes are not valid UTF-8 %s%s%s; if the file comes from "
                     "an older system, declare its encoding, e.g. "
                     "<?xml version=\"1.0\" encoding=\"GBK\"?>",
                     r->declared[0] ? "as declared" : "(no encoding declared, so UTF-8 is assumed)",
                     bytes[0] ? ": " : "", bytes);
    else
        sc_error_set(&r->perr, SC_ERR_ENCODING, r->path, line, col,
                     "bytes are not valid %s as declared%s%s; if the file is "
                     "UTF-8, declare encoding=\"UTF-8\", else declare the "
                     "encoding it really has", enc, bytes[0] ? ": " : "", bytes);
}

/* libxml2 reports encoding and I/O failures through the thread's global
 * error handler, not the reader's: catch those too during each reader
 * call (the library must never print), then put the old handler back. */
typedef struct saved_handler {
    xmlStructuredErrorFunc fn;
    void *ctx;
    sc_xml_quiet *quiet;
} saved_handler;

static saved_handler catch_errors(sc_reader *r)
{
    saved_handler s = {xmlStructuredError, xmlStructuredErrorContext, &r->quiet};
    xmlSetStructuredErrorFunc(r, on_parse_error);
    sc_xml_quiet_begin(&r->quiet, r->generic, sizeof r->generic);
    return s;
}

static void release_errors(saved_handler s)
{
    sc_xml_quiet_end(s.quiet);
    xmlSetStructuredErrorFunc(s.ctx, s.fn);
}

/* The fatal error after the parser stopped. */
static sc_status parser_failure(sc_reader *r, sc_error *out)
{
    if (r->have_perr) {
        if (out)
            *out = r->perr;
        return r->perr.code;
    }
    int line = r->ctxt ? xmlSAX2GetLineNumber(r->ctxt) : 0;
    int col = r->ctxt ? xmlSAX2GetColumnNumber(r->ctxt) : 0;
    if (r->generic[0])
        return sc_error_set(out, SC_ERR_ENCODING, r->path, line, col,
                            "the file cannot be read as its declared (or "
                            "detected) encoding: %s; declare the encoding it "
                            "really has, e.g. <?xml version=\"1.0\" "
                            "encoding=\"GBK\"?>",
                            r->generic);
    return sc_error_set(out, SC_ERR_XML, r->path, line, col,
                        "the XML parser stopped (no details from libxml2)");
}

/* ---- line numbers ------------------------------------------------------- */

/* The true source line of an element of the parser's tree (on_start keeps
 * lines past 65535 in psvi). */
static long source_line(xmlNodePtr n)
{
    if (n->line > 0 && n->line < BIG_LINE)
        return n->line;
    return n->psvi ? (long)(ptrdiff_t)n->psvi : BIG_LINE;
}

/* Walk source `s` and its copy `c` together (same shape), setting the
 * copy's element lines (capped at BIG_LINE). */
static void copy_lines(xmlNodePtr s, xmlNodePtr c)
{
    for (; s && c; s = s->next, c = c->next) {
        if (s->type == XML_ELEMENT_NODE) {
            long l = source_line(s);
            c->line = (unsigned short)(l < BIG_LINE ? l : BIG_LINE);
            copy_lines(s->children, c->children);
        }
    }
}

/* Element n of the parser's tree and those below it, about to become a
 * record's: each big line (on_start keeps it in psvi) into map, and psvi
 * cleared, as in a copy. */
static void take_lines(xmlNodePtr n, sc_linemap *map)
{
    long l = source_line(n);
    if (l >= BIG_LINE && map->n == map->cap) {
        size_t cap = map->cap ? map->cap * 2 : 32;
        sc_bigline *v = sc_realloc(map->v, cap * sizeof *v);
        if (v) {
            map->v = v;
            map->cap = cap;
        }
    }
    if (l >= BIG_LINE && map->n < map->cap) /* else it stays capped: harmless */
        map->v[map->n++] = (sc_bigline){n, l};
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            take_lines(c, map);
        else
            c->psvi = NULL; /* libxml2 keeps text lines past 65535 there */
    }
    n->psvi = NULL;
}

/* Deep copy `src` (a header element) into doc, keeping its source lines
 * (capped: a header is at the top of its file). */
static xmlNodePtr copy_with_lines(xmlNodePtr src, xmlDocPtr doc)
{
    xmlNodePtr c = xmlDocCopyNode(src, doc, 1);
    if (!c)
        return NULL;
    /* copy_lines walks a sibling list: give it just this node by walking
     * its children, after doing the node itself here. */
    long l = source_line(src);
    c->line = (unsigned short)(l < BIG_LINE ? l : BIG_LINE);
    copy_lines(src->children, c->children);
    return c;
}

/* "id name" of an <employee> for messages, even an invalid one; a name
 * too long for a label is cut after 40 characters, with "…". */
static void employee_label(char *out, size_t n, xmlNodePtr emp)
{
    const char *id = sc_xml_attr(emp, "id");
    char *nm = sc_xml_text(sc_xml_child(emp, "name"));
    const char *name = nm ? nm : "";
    size_t end = 0, k = 0;
    for (; name[end]; end++)
        if (((unsigned char)name[end] & 0xC0) != 0x80 && ++k > 40)
            break;
    snprintf(out, n, "%s%s%.*s%s", id ? id : "?", name[0] ? " " : "", (int)end,
             name, name[end] ? "\u2026" : "");
    sc_utf8_trim(out);
    free(nm);
}

/* ---- streaming: the SAX handlers -------------------------------------------
 *
 * libxml2 calls these with its parser context; the reader is its _private.
 * `depth` counts open elements (<batch> = 1), `built` those of them that
 * are in the tree: once a record is refused (a limit) or a child of
 * <batch> is not wanted, nothing below is built (built < depth) and the
 * matching end tags are not passed on. */

static sc_reader *reader_of(void *ctx) { return ((xmlParserCtxtPtr)ctx)->_private; }

/* Stop the parser for a reason of ours (memory, a header problem). */
static void halt(sc_reader *r) { xmlStopParser(r->ctxt); }

static void enqueue(sc_reader *r, xmlNodePtr emp, sc_error *err)
{
    if (r->qlen == r->qcap) {
        size_t cap = r->qcap ? 2 * r->qcap : 16;
        queued *q = sc_malloc(cap * sizeof *q);
        if (!q) {
            xmlFreeNode(emp);
            sc_free(err);
            r->oom = 1;
            halt(r);
            return;
        }
        for (size_t i = 0; i < r->qlen; i++)
            q[i] = r->q[(r->qhead + i) % r->qcap];
        sc_free(r->q);
        r->q = q;
        r->qcap = cap;
        r->qhead = 0;
    }
    r->q[(r->qhead + r->qlen++) % r->qcap] = (queued){emp, err};
}

/* A problem between records (or of a refused record), at the parser's
 * line: queued after the records before it, or fatal in the header. */
static sc_error *new_problem(sc_reader *r, sc_status code, const char *fmt, ...)
{
    sc_error *e = sc_calloc(1, sizeof *e);
    if (!e) {
        r->oom = 1;
        halt(r);
        return NULL;
    }
    e->code = code;
    snprintf(e->file, sizeof e->file, "%s", r->path);
    e->line = xmlSAX2GetLineNumber(r->ctxt);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return e;
}

static void between_records(sc_reader *r, sc_error *e)
{
    if (!e)
        return;
    if (r->in_employees) {
        enqueue(r, NULL, e);
    } else if (!r->hdr_err) {
        r->hdr_err = e; /* the header is unusable: stop here */
        halt(r);
    } else {
        sc_free(e);
    }
}

/* Count n bytes (and `elements` elements) against the limits of the
 * record being built; 0 when it went past them (then it is refused). */
static int charge(sc_reader *r, size_t n, int elements)
{
    if (r->over)
        return 0;
    r->bytes += (long)n;
    r->elements += elements;
    if (r->bytes <= MAX_RECORD_BYTES && r->elements <= MAX_RECORD_ELEMENTS)
        return 1;
    xmlNodePtr at = r->ctxt->node;
    const char *name = at ? (const char *)at->name : "?";
    if (r->bytes > MAX_RECORD_BYTES)
        r->over = new_problem(r, SC_ERR_DATA,
                              "<%s> is too long: the data of one %s may hold "
                              "at most %ld MB of text (a field at most 4000 "
                              "characters; docs/data-format.md)",
                              name, r->in_employees ? "employee" : "header element",
                              MAX_RECORD_BYTES >> 20);
    else
        r->over = new_problem(r, SC_ERR_DATA,
                              "too many elements: the data of one %s may hold "
                              "at most %d (docs/data-format.md)",
                              r->in_employees ? "employee" : "header element",
                              MAX_RECORD_ELEMENTS);
    if (r->over && at && r->top)
        sc_xml_path(r->over->field, sizeof r->over->field, at,
                    r->in_employees ? r->top : NULL, NULL);
    return 0;
}

/* A child of <batch> starts (depth 2): a header element, the first or a
 * further <employee>, or something that may not be there. */
static void child_starts(sc_reader *r, const char *name)
{
    r->bytes = 0;
    r->elements = 0;
    r->over = NULL;
    r->top = NULL;
    r->stray = 0;
    int employee = !strcmp(name, "employee");
    if (employee) {
        r->in_employees = 1;
        if (r->counting) {
            r->counted++;
            r->stray = 1;
        }
    } else if (r->in_employees) {
        r->stray = 1;
        between_records(r, new_problem(r, SC_ERR_SCHEMA,
                                       "element <%s> is not allowed here: after "
                                       "the first <employee> only <employee> "
                                       "elements may follow",
                                       name));
    }
}

/* A child of <batch> ended; node is its tree (NULL if none was built). */
static void child_ends(sc_reader *r, xmlNodePtr node)
{
    if (node)
        xmlUnlinkNode(node);
    if (r->over) {
        sc_error *e = r->over;
        r->over = NULL;
        if (node && r->in_employees) /* whose record it is */
            employee_label(e->employee, sizeof e->employee, node);
        xmlFreeNode(node);
        between_records(r, e);
    } else if (node && r->in_employees && !r->stray) {
        enqueue(r, node, NULL);
    } else if (node && !r->in_employees) {
        xmlNodePtr c = copy_with_lines(node, r->hdr);
        if (!c || !xmlAddChild(xmlDocGetRootElement(r->hdr), c)) {
            xmlFreeNode(c);
            r->oom = 1;
            halt(r);
        }
        xmlFreeNode(node);
    } else {
        xmlFreeNode(node);
    }
    r->top = NULL;
}

/* ---- whitespace between elements -----------------------------------------
 *
 * A record's indentation is half of its nodes: every text node between
 * two elements is whitespace, and each is made, walked by validation,
 * coverage and every XPath step over its siblings, and freed.  No element
 * of the data schema has mixed content, so whitespace beside an element
 * means nothing (Relax NG skips it too) and is not made.  Whitespace that
 * is all of an element's content so far is held back in r->ws until the
 * next event shows which it is: the indentation before a first child (a
 * start tag: dropped) or a value of its own, such as <comment> </comment>
 * (text, CDATA or the end tag: made, as it would have been). */

static int all_space(const xmlChar *ch, int len)
{
    for (int i = 0; i < len; i++)
        if (!is_space(ch[i]))
            return 0;
    return 1;
}

/* The whitespace held back becomes the current element's text. */
static void put_held(void *ctx, sc_reader *r)
{
    if (!r->ws.len)
        return;
    xmlSAX2Characters(ctx, (const xmlChar *)r->ws.data, (int)r->ws.len);
    r->ws.len = 0;
}

static void on_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
                     const xmlChar *uri, int nb_ns, const xmlChar **ns,
                     int nb_attr, int nb_def, const xmlChar **attrs)
{
    xmlParserCtxtPtr ctxt = ctx;
    sc_reader *r = reader_of(ctx);
    r->ws.len = 0; /* indentation before this child */
    r->depth++;
    r->stray_text = 0;
    if (r->depth == 2)
        child_starts(r, (const char *)local);
    if (r->built < r->depth - 1 || r->stray)
        return; /* inside something not built */
    if (r->depth >= 2) {
        size_t n = 0;
        for (int i = 0; i < nb_attr; i++)
            n += (size_t)(attrs[5 * i + 4] - attrs[5 * i + 3]);
        if (!charge(r, n, 1))
            return;
    }
    xmlNodePtr parent = ctxt->node;
    xmlSAX2StartElementNs(ctx, local, prefix, uri, nb_ns, ns, nb_attr, nb_def, attrs);
    xmlNodePtr node = ctxt->node;
    if (!node || node == parent)
        return; /* out of memory: libxml2 stopped the parser */
    r->built++;
    int line = xmlSAX2GetLineNumber(ctx);
    if (line >= BIG_LINE)
        node->psvi = (void *)(ptrdiff_t)line;
    if (r->depth == 1) {
        r->root_seen = 1;
        /* The root's start tag (its attributes) heads the header. */
        xmlNodePtr c = xmlDocCopyNode(node, r->hdr, 2);
        if (!c) {
            r->oom = 1;
            halt(r);
            return;
        }
        c->line = node->line;
        xmlDocSetRootElement(r->hdr, c);
    } else if (r->depth == 2) {
        r->top = node;
    }
}

static void on_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
                   const xmlChar *uri)
{
    xmlParserCtxtPtr ctxt = ctx;
    sc_reader *r = reader_of(ctx);
    xmlNodePtr node = NULL;
    if (r->built == r->depth) {
        put_held(ctx, r);
        node = ctxt->node;
        xmlSAX2EndElementNs(ctx, local, prefix, uri);
        r->built--;
    }
    if (r->depth == 2)
        child_ends(r, node);
    if (r->depth == 1)
        r->root_closed = 1;
    r->depth--;
    r->stray_text = 0;
}

/* Text directly inside <batch>: whitespace is dropped, anything else is
 * reported once per stretch. */
static void batch_text(sc_reader *r, const xmlChar *ch, int len)
{
    int i = 0;
    while (i < len && is_space(ch[i]))
        i++;
    if (i == len || r->stray_text)
        return;
    r->stray_text = 1;
    sc_error *e = new_problem(r, SC_ERR_SCHEMA,
                              "text is not allowed directly inside <batch>; "
                              "put it in an element");
    /* the parser is at the end of ch: back to the line the text starts on */
    for (; e && i < len; i++)
        e->line -= ch[i] == '\n';
    between_records(r, e);
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
    sc_reader *r = reader_of(ctx);
    if (r->depth <= 1) {
        batch_text(r, ch, len);
    } else if (r->built == r->depth && !r->stray && charge(r, (size_t)len, 0)) {
        xmlNodePtr at = ((xmlParserCtxtPtr)ctx)->node, last = at ? at->last : NULL;
        if (all_space(ch, len) && (!last || last->type == XML_ELEMENT_NODE)) {
            if (last) /* after a child: between elements */
                return;
            sc_buf_append(&r->ws, (const char *)ch, (size_t)len);
            if (!r->ws.oom)
                return;
            r->ws.oom = 0; /* no room to hold it: made at once, as before */
            r->ws.len = 0;
        }
        put_held(ctx, r);
        xmlSAX2Characters(ctx, ch, len);
    }
}

static void on_cdata(void *ctx, const xmlChar *ch, int len)
{
    sc_reader *r = reader_of(ctx);
    if (r->depth <= 1) {
        batch_text(r, ch, len);
    } else if (r->built == r->depth && !r->stray && charge(r, (size_t)len, 0)) {
        put_held(ctx, r);
        xmlSAX2CDataBlock(ctx, ch, len);
    }
}

/* A DOCTYPE: refused before anything in it is declared. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext_id,
                       const xmlChar *sys_id)
{
    (void)name;
    (void)ext_id;
    (void)sys_id;
    sc_reader *r = reader_of(ctx);
    r->doctype = 1;
    halt(r);
}

static void on_ctxt_error(void *ctx, xmlErrorPtr e)
{
    on_parse_error(reader_of(ctx), e);
}

/* ---- streaming: feeding the parser --------------------------------------- */

/* Push the next chunk of the file: 1 while there is more, 0 once all of
 * it was parsed, -1 when the parser stopped (r->failed). */
static int feed(sc_reader *r)
{
    if (r->failed)
        return -1;
    if (r->at_end)
        return 0;
    char buf[CHUNK];
    size_t n = fread(buf, 1, sizeof buf, r->in);
    if (n < sizeof buf && ferror(r->in)) {
        sc_error_set(&r->pending_err, SC_ERR_IO, r->path, 0, 0,
                     "cannot read the data file: %s", strerror(errno));
        r->pending = SC_ERR_IO;
        r->failed = 1;
        return -1;
    }
    int last = n < sizeof buf;
    saved_handler sh = catch_errors(r);
    int rc = xmlParseChunk(r->ctxt, buf, (int)n, last);
    release_errors(sh);
    if (rc == 0 && !r->oom && !r->doctype && !r->hdr_err) {
        r->at_end = last;
        return last ? 0 : 1;
    }
    r->failed = 1;
    if (r->oom)
        r->pending = sc_error_set(&r->pending_err, SC_ERR_NOMEM, r->path, 0, 0,
                                  "out of memory");
    else
        r->pending = parser_failure(r, &r->pending_err);
    if (r->in_employees && (r->pending == SC_ERR_ENCODING || r->pending == SC_ERR_XML)) {
        size_t used = strlen(r->pending_err.message);
        snprintf(r->pending_err.message + used, sizeof r->pending_err.message - used,
                 "%s", " (the rest of the batch cannot be read)");
    }
    return -1;
}

/* ---- what is read of a refused record ---------------------------------- */

/* "id name" for messages (either alone if the other is empty); left NULL
 * when memory is short, which the caller checks. */
static void record_label(sc_record *rec)
{
    if (!rec->id || !rec->name)
        return;
    size_t n = strlen(rec->id) + strlen(rec->name) + 2;
    if ((rec->label = sc_malloc(n)))
        snprintf(rec->label, n, "%s%s%s", rec->id, rec->id[0] && rec->name[0] ? " " : "",
                 rec->name);
}

/* What was read of a refused employee: its id, name, department,
 * position, superior, evaluator and period, no figures and no document,
 * so that the table, the summary, the manifest and the file name can
 * still say who it was.  When the file breaks off inside the employee
 * (whole = 0), a field only if its element is whole: the text of the last
 * one may be cut. */
static sc_record *record_stub(sc_reader *r, xmlNodePtr emp, int whole)
{
    sc_record *rec = sc_calloc(1, sizeof *rec);
    if (!rec)
        return NULL;
    const char *id = sc_xml_attr(emp, "id");
    static const char *const names[] = {"name", "department", "position", "superior",
                                        "evaluator"};
    char **fields[] = {&rec->name, &rec->department, &rec->position, &rec->superior,
                       &rec->evaluator};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        xmlNodePtr c = sc_xml_child(emp, names[i]);
        *fields[i] = c && (whole || c->next) ? sc_xml_text(c) : sc_strdup("");
    }
    if (rec->department && !rec->department[0]) {
        free(rec->department);
        rec->department = sc_strdup(r->department ? r->department : "");
    }
    rec->file = sc_strdup(r->path);
    rec->id = sc_strdup(id ? id : "");
    rec->period = sc_strdup(r->period ? r->period : "");
    rec->email = sc_strdup("");
    rec->total = sc_strdup("");
    rec->grade = sc_strdup("");
    rec->bonus = sc_strdup("");
    rec->date = r->period_end;
    rec->line = (int)source_line(emp);
    record_label(rec);
    if (!rec->file || !rec->id || !rec->name || !rec->department || !rec->position ||
        !rec->superior || !rec->evaluator || !rec->period || !rec->email || !rec->total ||
        !rec->grade || !rec->bonus || !rec->label) {
        sc_record_free(rec);
        return NULL;
    }
    return rec;
}

static void keep_refused(sc_reader *r, xmlNodePtr emp, int whole)
{
    sc_record_free(r->refused);
    r->refused = record_stub(r, emp, whole);
}

sc_record *sc_reader_refused(sc_reader *r)
{
    sc_record *rec = r ? r->refused : NULL;
    if (r)
        r->refused = NULL;
    return rec;
}

/* ---- problems of a record ------------------------------------------- */

typedef struct problems {
    sc_reader *r;
    const char *label;     /* "id name" or "" (header) */
    xmlNodePtr employee;   /* paths are relative to it (NULL: to batch) */
    const sc_linemap *lines;
    sc_error *first;       /* the caller's err */
    int count;
    sc_status code;
    const char *file;      /* NULL: the data file (else a scheme file) */
} problems;

/* A problem at node (its attribute attr_name, or its missing child
 * element `child`), on the line of line_of. */
static void vproblem(problems *pb, sc_status code, xmlNodePtr node,
                     const char *attr_name, const char *child, xmlNodePtr line_of,
                     const char *fmt, va_list ap)
{
    if (pb->count >= MAX_PROBLEMS)
        return;
    sc_error e;
    memset(&e, 0, sizeof e);
    e.code = code;
    snprintf(e.file, sizeof e.file, "%s", pb->file ? pb->file : pb->r->path);
    e.line = (int)sc_linemap_line(pb->lines, line_of);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    snprintf(e.employee, sizeof e.employee, "%s", pb->label);
    if (node)
        sc_xml_path(e.field, sizeof e.field, node, pb->employee, attr_name);
    if (child) {
        size_t used = strlen(e.field);
        snprintf(e.field + used, sizeof e.field - used, "%s%s", used ? "/" : "", child);
    }
    sc_error_tidy(&e);
    if (pb->count == 0) {
        pb->code = code;
        if (pb->first)
            *pb->first = e;
    }
    pb->count++;
    sc_diag_emit(pb->r->diag, pb->r->ud, &e);
}

static void problem(problems *pb, sc_status code, xmlNodePtr node,
                    const char *attr_name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vproblem(pb, code, node, attr_name, NULL, node, fmt, ap);
    va_end(ap);
}

/* A required child element of parent that is not there (reported on the
 * line of `at`, where it was expected). */
static void problem_missing(problems *pb, xmlNodePtr parent, const char *child,
                            xmlNodePtr at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vproblem(pb, SC_ERR_SCHEMA, parent, NULL, child, at, fmt, ap);
    va_end(ap);
}

/* ---- schema validation -------------------------------------------------- */

typedef struct rng_msg {
    xmlNodePtr node;
    char text[300];
} rng_msg;

typedef struct rng_collect {
    rng_msg v[MAX_PROBLEMS];
    int n;
} rng_collect;

static void on_rng_error(void *ud, xmlErrorPtr e)
{
    rng_collect *c = ud;
    if (!e || c->n >= MAX_PROBLEMS)
        return;
    rng_msg *m = &c->v[c->n++];
    m->node = e->node;
    snprintf(m->text, sizeof m->text, "%s", e->message ? e->message : "invalid");
    size_t len = strlen(m->text);
    while (len && (m->text[len - 1] == '\n' || m->text[len - 1] == ' '))
        m->text[--len] = '\0';
}

static int is_ancestor(xmlNodePtr a, xmlNodePtr n)
{
    for (; n; n = n->parent)
        if (n == a)
            return 1;
    return 0;
}

/* Required attributes, to turn "failed to validate attributes" into
 * "attribute X is missing". */
static const char *const required_attrs[][4] = {
    {"batch", "version", NULL, NULL},     {"employee", "id", NULL, NULL},
    {"period", "kind", "year", NULL},     {"category", "name", NULL, NULL},
    {"kpi", "id", NULL, NULL},            {"rater", "role", "weight", NULL},
    {"adjustment", "points", "reason", NULL},
    {"month", "n", NULL, NULL},           {"signature", "role", NULL, NULL},
    {"rating", "role", "score", NULL},    {"entry", "id", "scores", NULL},
};

static const char *missing_attr(xmlNodePtr n)
{
    for (size_t i = 0; i < sizeof required_attrs / sizeof *required_attrs; i++) {
        if (strcmp((const char *)n->name, required_attrs[i][0]))
            continue;
        for (int j = 1; j < 4 && required_attrs[i][j]; j++)
            if (!xmlHasProp(n, (const xmlChar *)required_attrs[i][j]))
                return required_attrs[i][j];
    }
    return NULL;
}

/* Which attributes each element may carry, and what kind of value. */
typedef struct attr_rule {
    const char *elem, *name;
    char kind; /* t text, T text not empty, m money, w weight, s score, d date,
                  D date or empty, i integer, b boolean */
} attr_rule;

static const attr_rule attr_rules[] = {
    {"batch", "version", 't'},    {"batch", "template", 'T'},  {"batch", "status", 't'},
    {"period", "kind", 't'},      {"period", "year", 'i'},     {"period", "month", 'i'},
    {"period", "quarter", 'i'},   {"period", "start", 'd'},    {"period", "end", 'd'},
    {"employee", "id", 'T'},      {"category", "name", 'T'},   {"category", "weight", 'w'},
    {"kpi", "id", 'T'},           {"kpi", "bonus-allowed", 'b'},
    {"rater", "role", 'T'},       {"rater", "weight", 'w'},    {"rater", "score", 's'},
    {"adjustment", "points", 's'}, {"adjustment", "reason", 'T'},
    {"comment", "by", 't'},       {"bonus", "base", 'm'},      {"bonus", "amount", 'm'},
    {"month", "n", 'i'},          {"month", "score", 's'},     {"month", "amount", 'm'},
    {"signature", "role", 'T'},   {"signature", "name", 't'},  {"signature", "date", 'D'},
    {"signature", "image", 't'},
    {"batch", "scheme", 't'},     {"target", "value", '4'},    {"actual", "value", '4'},
    {"actual", "level", 'T'},     {"count", "kind", 'T'},      {"count", "n", 'i'},
    {"scheme", "name", 't'},      {"scheme", "version", 't'},  {"raters", "share", 'w'},
    {"adjustments", "min", 's'},  {"adjustments", "max", 's'}, {"grade", "name", 'T'},
    {"grade", "min", 's'},        {"item", "kind", 'T'},       {"item", "points", '4'},
    {"level", "id", 'T'},         {"level", "points", '4'},
    {"item", "reverse", '4'},     {"item", "unit", 't'},       {"addition", "unit", 't'},
    {"addition", "kind", 't'},   {"addition", "points", '4'},
    {"rating", "role", 't'},      {"rating", "score", 's'},    {"over", "kpi", 't'},
    {"quarter-bonus", "base-ratio", 'w'}, {"rank-award", "months", 'i'},
    {"award", "rank", 'i'},       {"award", "amount", 'm'},    {"award", "id", 't'},
    {"award", "name", 't'},       {"award", "n", 'i'},         {"award", "reason", 't'},
    {"ranking", "months", 'i'},   {"entry", "id", 't'},        {"entry", "scores", 't'},
    {"grade", "max-share", 'w'},  {"grade", "min-share", 'w'},
    {"param", "name", 't'},       {"param", "kind", 't'},      {"param", "level", 't'},
};

/* Attributes of a scheme's <kpi>, <bonus> and <category>: numbers (at most
 * 4 decimals) and keywords, for the explanation of a refused one. */
static const char *const scheme_nums[] = {
    "weight", "target", "base", "cap", "step-below", "points-below", "step-above",
    "points-above", "zero-below", "zero-above", "otherwise", "per", "points", "min",
    "max", "threshold", "rise", "max-count"};
static const char *const scheme_words[] = {"id", "type", "better", "basis", "count", "count-above",
                                           "below", "name", "actual"};

static int valid_date(const char *v)
{
    int y, m, d;
    char tail;
    if (strlen(v) != 10 || sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return 0;
    return v[4] == '-' && v[7] == '-' && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* The range of a whole-number attribute. */
static void int_range(const char *elem, const char *name, long long *lo, long long *hi)
{
    static const struct {
        const char *elem, *name;
        long long lo, hi;
    } r[] = {{"period", "month", 1, 12},   {"period", "quarter", 1, 4},
             {"period", "year", 1900, 2999}, {"month", "n", 1, 12},
             {"count", "n", 0, 100000}};
    *lo = 0;
    *hi = 1000000000;
    for (size_t i = 0; i < sizeof r / sizeof *r; i++)
        if (!strcmp(r[i].elem, elem) && !strcmp(r[i].name, name)) {
            *lo = r[i].lo;
            *hi = r[i].hi;
        }
}

/* Find the attribute of n that the schema refuses and say why, for the
 * generic "failed to validate attributes".  Returns 1 if one was found. */
static int explain_attrs(xmlNodePtr n, char *name, size_t nname, char *why, size_t nwhy)
{
    for (xmlAttrPtr a = n->properties; a; a = a->next) {
        const char *an = (const char *)a->name;
        const char *v = a->children && a->children->content ? (const char *)a->children->content : "";
        const attr_rule *rule = NULL;
        for (size_t i = 0; i < sizeof attr_rules / sizeof *attr_rules; i++)
            if (!strcmp(attr_rules[i].elem, (const char *)n->name) && !strcmp(attr_rules[i].name, an))
                rule = &attr_rules[i];
        static const attr_rule scheme_num = {"", "", '4'}, scheme_word = {"", "", 't'};
        if (n->parent && n->parent->type == XML_ELEMENT_NODE &&
            !strcmp((const char *)n->parent->name, "scheme")) {
            for (size_t i = 0; i < sizeof scheme_nums / sizeof *scheme_nums; i++)
                if (!strcmp(an, scheme_nums[i]))
                    rule = &scheme_num;
            for (size_t i = 0; i < sizeof scheme_words / sizeof *scheme_words; i++)
                if (!strcmp(an, scheme_words[i]))
                    rule = &scheme_word;
        }
        snprintf(name, nname, "%s", an);
        char q[SC_QUOTE_MAX];
        sc_quote(q, sizeof q, v);
        int limit = text_limit_of((const char *)n->name, an);
        size_t chars = sc_utf8_count(v);
        if (limit && chars > (size_t)limit) {
            snprintf(why, nwhy, "attribute %s of <%s> is %zu characters long; it "
                     "may hold at most %d: %s", an, (const char *)n->name, chars,
                     limit, q);
            return 1;
        }
        long long x;
        char vals[300];
        if (sc_schema_enum(sc_schema_data, sc_schema_data_len, (const char *)n->name, an, v,
                           vals, sizeof vals)) {
            snprintf(why, nwhy, "attribute %.40s=%.60s of <%.30s> must be %.250s", an, q,
                     (const char *)n->name, vals);
            return 1;
        }
        if (!rule) {
            /* the schema's own list of what the element takes, and a near name */
            if (!sc_schema_attr_unknown(sc_schema_data, sc_schema_data_len, n, an, why, nwhy))
                snprintf(why, nwhy, "attribute %s is not allowed on <%s>", an,
                         (const char *)n->name);
            return 1;
        }
        const char *bad = NULL;
        switch (rule->kind) {
        case 'm':
            if (!parse_hundredths(v, 2, &x) || x < 0)
                bad = "an amount in yuan, not negative, with at most 2 decimals";
            break;
        case 'w':
            if (!parse_hundredths(v, 2, &x) || x < 0 || x > 10000)
                bad = "a weight from 0 to 100 with at most 2 decimals";
            break;
        case 's':
            if (!parse_hundredths(v, 2, &x))
                bad = "a number with at most 2 decimals";
            break;
        case 'd':
            if (!valid_date(v))
                bad = "a date YYYY-MM-DD";
            break;
        case 'D':
            if (v[0] && !valid_date(v))
                bad = "a date YYYY-MM-DD or empty";
            break;
        case '4':
            if (!sc_parse_fixed(v, 4, &x))
                bad = "a number with at most 4 decimals";
            break;
        case 'b':
            if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "1") && strcmp(v, "0"))
                bad = "true or false";
            break;
        case 'T':
            if (!v[0]) {
                snprintf(why, nwhy, "attribute %s of <%s> is empty: %s", an,
                         (const char *)n->name,
                         !strcmp(an, "reason") ? "every adjustment says why the points "
                                                 "are given or taken"
                                               : "give it a value");
                return 1;
            }
            break;
        case 'i': {
            long long lo, hi;
            int_range((const char *)n->name, an, &lo, &hi);
            if (!sc_parse_fixed(v, 0, &x) || x < lo || x > hi) {
                snprintf(why, nwhy, "attribute %s=%s of <%s> must be a whole number "
                                    "from %lld to %lld", an, q, (const char *)n->name, lo, hi);
                return 1;
            }
            break;
        }
        default:
            break;
        }
        if (bad && strchr(v, ',') && strchr("mws4", rule->kind)) {
            snprintf(why, nwhy, "attribute %.40s=%.60s of <%.30s> must be %s, written "
                                "without thousands separators (1500.00, not 1,500.00)", an, q,
                     (const char *)n->name, bad);
            return 1;
        }
        if (bad) {
            snprintf(why, nwhy, "attribute %s=%s of <%s> must be %s", an, q,
                     (const char *)n->name, bad);
            return 1;
        }
    }
    return 0;
}

/* Copy the word after `key` in msg ("Invalid attribute base for ..."). */
static int word_after(const char *msg, const char *key, char *out, size_t n)
{
    const char *p = strstr(msg, key);
    if (!p)
        return 0;
    p += strlen(key);
    size_t len = 0;
    while (p[len] && p[len] != ' ' && p[len] != ',' && len + 1 < n)
        len++;
    memcpy(out, p, len);
    out[len] = '\0';
    return len > 0;
}

/* ---- what the schema expects where ------------------------------------
 *
 * libxml2's Relax NG messages name the element it did not expect, not the
 * one that is missing: a missing <name> reads "Did not expect element kpis
 * there".  Content models in the schema are sequences (fixed order, each
 * element optional or required, maybe repeated; docs/data-format.md), so
 * the parent's children are walked along its sequence, read from the
 * schema, to say what is missing or out of order. */

typedef struct seq_item {
    const char *name;
    int required, repeat;
} seq_item;

#define MAX_SEQ 40

static xmlNodePtr rng_define_of(const char *name)
{
    return schema_doc ? rng_define(schema_doc, name) : NULL;
}

/* The <element name=name> definition in def's content (refs followed,
 * other elements not entered); NULL if none. */
static xmlNodePtr rng_element(xmlNodePtr def, const char *name, int depth)
{
    for (xmlNodePtr c = def ? def->children : NULL; c && depth < 16; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        const char *k = (const char *)c->name, *cn = sc_xml_attr(c, "name");
        xmlNodePtr found = NULL;
        if (!strcmp(k, "element"))
            found = cn && !strcmp(cn, name) ? c : NULL;
        else if (!strcmp(k, "ref"))
            found = cn ? rng_element(rng_define_of(cn), name, depth + 1) : NULL;
        else if (strcmp(k, "attribute"))
            found = rng_element(c, name, depth + 1);
        if (found)
            return found;
    }
    return NULL;
}

/* The child elements of def's content in order into v (at most MAX_SEQ). */
static void rng_sequence(xmlNodePtr def, int optional, int repeat, seq_item *v,
                         int *n, int depth)
{
    for (xmlNodePtr c = def ? def->children : NULL; c && depth < 16; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        const char *k = (const char *)c->name, *cn = sc_xml_attr(c, "name");
        if (!strcmp(k, "element")) {
            if (cn && *n < MAX_SEQ)
                v[(*n)++] = (seq_item){cn, !optional, repeat};
        } else if (!strcmp(k, "ref")) {
            if (cn)
                rng_sequence(rng_define_of(cn), optional, repeat, v, n, depth + 1);
        } else if (!strcmp(k, "optional") || !strcmp(k, "choice")) {
            rng_sequence(c, 1, repeat, v, n, depth + 1);
        } else if (!strcmp(k, "zeroOrMore")) {
            rng_sequence(c, 1, 1, v, n, depth + 1);
        } else if (!strcmp(k, "oneOrMore")) {
            rng_sequence(c, optional, 1, v, n, depth + 1);
        } else if (!strcmp(k, "group") || !strcmp(k, "interleave")) {
            rng_sequence(c, optional, repeat, v, n, depth + 1);
        }
    }
}

/* The schema's sequence for the children of instance element p. */
static int sequence_of(xmlNodePtr p, seq_item *v)
{
    const char *chain[32];
    int k = 0;
    for (xmlNodePtr a = p; a && a->type == XML_ELEMENT_NODE && k < 32; a = a->parent)
        chain[k++] = (const char *)a->name;
    xmlNodePtr def = schema_doc ? xmlDocGetRootElement(schema_doc) : NULL;
    xmlNodePtr start = NULL;
    for (xmlNodePtr c = def ? def->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "start"))
            start = c;
    def = start;
    for (int i = k - 1; i >= 0 && def; i--)
        def = rng_element(def, chain[i], 0);
    int n = 0;
    if (def)
        rng_sequence(def, 0, 0, v, &n, 0);
    return n;
}

static int seq_index(const seq_item *v, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i].name, name))
            return i;
    return -1;
}

/* The first element child of p called name after node from (NULL: from
 * the first child). */
static xmlNodePtr child_after(xmlNodePtr p, xmlNodePtr from, const char *name)
{
    for (xmlNodePtr c = from ? from->next : p->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
            return c;
    return NULL;
}

/* c, a child of p, stands before an element it belongs after: say where
 * it belongs, between the elements of p that are there (the user moves
 * the one they misplaced, not the ones around it). */
static void misplaced(problems *pb, xmlNodePtr p, xmlNodePtr c, const seq_item *v, int n)
{
    const char *cn = (const char *)c->name, *pn = (const char *)p->name;
    const char *after = NULL, *before = NULL;
    int ci = seq_index(v, n, cn);
    for (int j = ci - 1; j >= 0 && !after; j--)
        if (child_after(p, NULL, v[j].name))
            after = v[j].name;
    for (int j = ci + 1; j < n && !before; j++)
        if (child_after(p, NULL, v[j].name))
            before = v[j].name;
    if (after && before)
        problem(pb, SC_ERR_SCHEMA, c, NULL, "<%s> is out of place: in <%s> it comes after <%s> "
                "and before <%s>", cn, pn, after, before);
    else if (after)
        problem(pb, SC_ERR_SCHEMA, c, NULL, "<%s> is out of place: in <%s> it comes after <%s>",
                cn, pn, after);
    else
        problem(pb, SC_ERR_SCHEMA, c, NULL, "<%s> is out of place: in <%s> it comes before "
                "<%s>", cn, pn, before ? before : "?");
}

/* Say what is wrong with the children of p at child x (NULL: at the end
 * of p): a required element missing before it, one that comes later than
 * it should, or x out of order or unknown.  Returns 1 if it found which. */
static int explain_content(problems *pb, xmlNodePtr p, xmlNodePtr x)
{
    seq_item v[MAX_SEQ];
    int n = sequence_of(p, v);
    if (!n)
        return 0;
    const char *pn = (const char *)p->name, *xn = x ? (const char *)x->name : "";
    /* Walk the children before x along the sequence. */
    int pos = 0, done = 0; /* done: v[pos] was matched and may repeat */
    for (xmlNodePtr c = p->children; c && c != x; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        int i = pos;
        while (i < n && strcmp(v[i].name, (const char *)c->name))
            i++;
        if (i == n)
            return 0; /* an earlier child is wrong already */
        pos = v[i].repeat ? i : i + 1;
        done = v[i].repeat;
    }
    int end = n;
    if (x) {
        int xi = seq_index(v, n, xn);
        if (xi < 0) {
            const char *names[MAX_SEQ];
            char near[64];
            for (int j = 0; j < n; j++)
                names[j] = v[j].name;
            if (sc_suggest(xn, names, n, near, sizeof near))
                problem(pb, SC_ERR_SCHEMA, x, NULL,
                        "<%s> takes no element <%s>; did you mean <%s>?", pn, xn, near);
            else
                problem(pb, SC_ERR_SCHEMA, x, NULL,
                        "element <%s> is not allowed in <%s> (wrong name? see "
                        "docs/data-format.md)", xn, pn);
            return 1;
        }
        if (xi < pos) { /* an earlier sibling belongs after x */
            for (xmlNodePtr c = p->children; c && c != x; c = c->next)
                if (c->type == XML_ELEMENT_NODE &&
                    seq_index(v, n, (const char *)c->name) > xi) {
                    misplaced(pb, p, c, v, n);
                    return 1;
                }
            return 0;
        }
        end = xi;
    }
    for (int j = pos; j < end; j++) {
        if (!v[j].required || (j == pos && done))
            continue;
        xmlNodePtr later = x ? child_after(p, x, v[j].name) : NULL;
        int xi = x ? seq_index(v, n, xn) : -1;
        if (later && xi >= 0 && !v[xi].required)
            misplaced(pb, p, x, v, n); /* an optional one came too early */
        else if (later)
            problem(pb, SC_ERR_SCHEMA, later, NULL,
                    "<%s> is out of order: in <%s> it comes before <%s>",
                    v[j].name, pn, xn);
        else if (x)
            problem_missing(pb, p, v[j].name, x,
                            "<%s> is missing <%s>, which comes before <%s>", pn,
                            v[j].name, xn);
        else
            problem_missing(pb, p, v[j].name, p, "<%s> is missing <%s>", pn,
                            v[j].name);
        return 1;
    }
    return 0;
}

/* Turn libxml2's Relax NG messages into problems: drop the generic
 * "failed to validate" lines when a more precise message covers the same
 * element or one inside it, and reword the rest. */
/* A rule text's <param>s the schema refuses: which one and what is wrong
 * with it (libxml2 only says "extra content", at the first <param>). */
static int param_ok(xmlNodePtr p, const char **why)
{
    static const char *const names[] = {
        "target", "weight", "base", "cap", "step-below", "points-below", "step-above",
        "points-above", "zero-below", "zero-above", "otherwise", "per", "points", "reverse",
        "max-count", "min", "max"};
    const char *name = sc_xml_attr(p, "name");
    int known = 0;
    for (size_t i = 0; name && i < sizeof names / sizeof *names; i++)
        known |= !strcmp(name, names[i]);
    *why = "is not a number of a rule: name is one of target, weight, base, cap, "
           "step-below, points-below, step-above, points-above, zero-below, zero-above, "
           "otherwise, per, points, reverse, max-count, min, max";
    if (!known)
        return 0;
    *why = "takes kind=\"…\" (an item's) or level=\"…\" (a level's), not both, no other "
           "attribute and no content";
    if (p->children || (sc_xml_attr(p, "kind") && sc_xml_attr(p, "level")))
        return 0;
    for (xmlAttrPtr a = p->properties; a; a = a->next)
        if (strcmp((const char *)a->name, "name") && strcmp((const char *)a->name, "kind") &&
            strcmp((const char *)a->name, "level"))
            return 0;
    return 1;
}

static void explain_params(problems *pb, xmlNodePtr text)
{
    int said = 0;
    for (xmlNodePtr p = text ? text->children : NULL; p; p = p->next) {
        const char *why;
        if (p->type != XML_ELEMENT_NODE || param_ok(p, &why) ||
            !xmlStrEqual(p->name, (const xmlChar *)"param"))
            continue;
        char q[SC_QUOTE_MAX];
        const char *name = sc_xml_attr(p, "name");
        sc_quote(q, sizeof q, name ? name : "");
        problem(pb, SC_ERR_SCHEMA, p, NULL, "<param name=%s> %s", q, why);
        said = 1;
    }
    if (!said)
        problem(pb, SC_ERR_SCHEMA, text, NULL, "<%s> holds text and <param name=\"…\"/> "
                "only (docs/data-format.md, \"Rule texts\")",
                text ? (const char *)text->name : "?");
}

static void report_rng(problems *pb, rng_collect *c)
{
    xmlNodePtr params_said[16];
    int nparams = 0;
    for (int i = 0; i < c->n; i++) {
        rng_msg *m = &c->v[i];
        const char *t = m->text;
        xmlNodePtr node = m->node;
        if (node && node->type != XML_ELEMENT_NODE)
            node = node->parent;
        if (node && xmlStrEqual(node->name, (const xmlChar *)"param")) {
            int said = 0;
            for (int j = 0; j < nparams; j++)
                said |= params_said[j] == node->parent;
            if (!said && nparams < 16) {
                params_said[nparams++] = node->parent;
                explain_params(pb, node->parent);
            }
            continue;
        }
        const char *ename = node ? (const char *)node->name : "?";
        char w[128], w2[128];
        int generic_content = strstr(t, "failed to validate content") != NULL;
        int generic_attrs = strstr(t, "failed to validate attributes") != NULL;
        if (generic_content || generic_attrs || !node) {
            int covered = 0;
            for (int j = 0; j < c->n && !covered; j++) {
                if (j == i || !c->v[j].node)
                    continue;
                const char *u = c->v[j].text;
                if (strstr(u, "failed to validate"))
                    continue;
                if (!node || is_ancestor(node, c->v[j].node))
                    covered = 1;
            }
            if (covered || !node)
                continue;
            if (generic_attrs) {
                const char *miss = missing_attr(node);
                char an[64], why[512];
                if (!miss && explain_attrs(node, an, sizeof an, why, sizeof why))
                    problem(pb, SC_ERR_SCHEMA, node, an, "%s", why);
                else if (miss)
                    problem(pb, SC_ERR_SCHEMA, node, miss,
                            "<%s> needs the attribute %s", ename, miss);
                else
                    problem(pb, SC_ERR_SCHEMA, node, NULL,
                            "<%s> has an attribute that is not allowed or not valid "
                            "(see docs/data-format.md)", ename);
            } else {
                /* a choice of attribute sets (period) fails as content */
                char an[64], why[512];
                if (explain_attrs(node, an, sizeof an, why, sizeof why))
                    problem(pb, SC_ERR_SCHEMA, node, an, "%s", why);
                else
                    problem(pb, SC_ERR_SCHEMA, node, NULL,
                            "the content of <%s> is not valid (see docs/data-format.md)",
                            ename);
            }
            continue;
        }
        if (word_after(t, "Did not expect element ", w, sizeof w)) {
            if (node && node->parent && node->parent->type == XML_ELEMENT_NODE &&
                explain_content(pb, node->parent, node))
                continue;
            problem(pb, SC_ERR_SCHEMA, node, NULL,
                    "element <%s> is not allowed here (wrong name or wrong order; "
                    "see docs/data-format.md)", w);
        } else if (strstr(t, "Expecting an element")) {
            if (node && explain_content(pb, node, NULL))
                continue;
            if (word_after(t, "Expecting an element ", w, sizeof w) && !strcmp(w, "param"))
                continue; /* a rule text's <param> is optional: the text itself is
                             what failed (too long), said by its own message */
            if (word_after(t, "Expecting an element ", w, sizeof w))
                problem_missing(pb, node, w, node, "<%s> is missing <%s>", ename, w);
            else
                problem(pb, SC_ERR_SCHEMA, node, NULL,
                        "<%s> ends too early: an element it needs is missing "
                        "(see docs/data-format.md)", ename);
        } else if (strstr(t, "has extra content")) {
            /* libxml2's echo of the "Did not expect" above */
            int said = 0;
            for (int j = 0; j < i && !said; j++)
                said = c->v[j].node == m->node;
            if (!said)
                problem(pb, SC_ERR_SCHEMA, node, NULL, "<%s>: %s", ename, t);
        } else if (word_after(t, "Expecting element ", w, sizeof w) &&
                   word_after(t, ", got ", w2, sizeof w2)) {
            problem(pb, SC_ERR_SCHEMA, node, NULL,
                    "expected element <%s> but found <%s>", w, w2);
        } else if (word_after(t, "Invalid attribute ", w, sizeof w)) {
            /* Prefer the datatype message before it, which has the value. */
            char an[64], why[512];
            if (explain_attrs(node, an, sizeof an, why, sizeof why) && !strcmp(an, w)) {
                problem(pb, SC_ERR_SCHEMA, node, w, "%s", why);
                continue;
            }
            if (sc_schema_attr_unknown(sc_schema_data, sc_schema_data_len, node, w, why,
                                       sizeof why)) {
                problem(pb, SC_ERR_SCHEMA, node, w, "%s", why);
                continue;
            }
            xmlChar *v = xmlGetProp(node, (const xmlChar *)w);
            char q[SC_QUOTE_MAX];
            sc_quote(q, sizeof q, v ? (const char *)v : "");
            problem(pb, SC_ERR_SCHEMA, node, w,
                    "attribute %s=%s of <%s> is not valid (numbers: at most 2 "
                    "decimals; money: yuan, not negative; dates: YYYY-MM-DD)",
                    w, q, ename);
            xmlFree(v);
        } else if (strstr(t, "Type ") && strstr(t, "doesn't allow value")) {
            /* an attribute's value (then "failed to validate attributes"
             * or "Invalid attribute" follows, which this covers) */
            char an[64], why[512];
            if (node && explain_attrs(node, an, sizeof an, why, sizeof why)) {
                int dup = 0;
                for (int j = 0; j < i && !dup; j++)
                    dup = c->v[j].node == m->node && strstr(c->v[j].text, "doesn't allow");
                if (!dup)
                    problem(pb, SC_ERR_SCHEMA, node, an, "%s", why);
            }
            continue;
        } else if ((word_after(t, "Error validating datatype ", w, sizeof w) ||
                    strstr(t, "failed to compute type")) &&
                   (!strcmp(ename, "password") || !strcmp(ename, "id-number"))) {
            /* a secret: what is wrong with it, never what it is */
            problem(pb, SC_ERR_SCHEMA, node, NULL, "<%s> is longer than %d characters",
                    ename, !strcmp(ename, "password") ? SC_PASSWORD_MAX : 64);
        } else if (word_after(t, "Error validating datatype ", w, sizeof w) ||
                   strstr(t, "failed to compute type")) {
            xmlChar *raw = node ? xmlNodeGetContent(node) : NULL;
            char *v = sc_xml_text(node);
            char q[SC_QUOTE_MAX];
            sc_quote(q, sizeof q, v ? v : "");
            size_t chars = raw ? sc_utf8_count((const char *)raw) : 0;
            int limit = text_limit_of(ename, NULL);
            if (limit && chars > (size_t)limit)
                problem(pb, SC_ERR_SCHEMA, node, NULL,
                        "<%s> is %zu characters long; it may hold at most %d: %s",
                        ename, chars, limit, q);
            else
                problem(pb, SC_ERR_SCHEMA, node, NULL,
                        "value %s of <%s> is not a valid %s (numbers: at most 2 "
                        "decimals and within range; dates: YYYY-MM-DD)",
                        q, ename, w[0] ? w : "value");
            free(v);
            xmlFree(raw);
        } else if (strstr(t, "Extra element") || strstr(t, "Element") ) {
            problem(pb, SC_ERR_SCHEMA, node, NULL, "<%s>: %s", ename, t);
        } else {
            problem(pb, SC_ERR_SCHEMA, node, NULL, "%s", t);
        }
    }
}

static sc_status validate(problems *pb, xmlDocPtr doc)
{
    if (!data_schema) {
        return sc_error_set(pb->first, SC_ERR_SCHEMA, NULL, 0, 0,
                            "the built-in data schema does not compile: %s",
                            schema_problem);
    }
    /* the usual case, quickly; the schema itself words every problem.  A
     * process that did not start building the facets builds them now. */
    if (atomic_load_explicit(&facets_state, memory_order_acquire) == 0)
        sc_reader_quick();
    if (sc_facets_valid(atomic_load_explicit(&data_facets, memory_order_acquire), doc))
        return SC_OK;
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(data_schema);
    /* not zeroed: it is some 60 KB per record, and only v[0..n) is read */
    rng_collect *c = sc_malloc(sizeof *c);
    if (!vc || !c) {
        xmlRelaxNGFreeValidCtxt(vc);
        free(c);
        return sc_error_set(pb->first, SC_ERR_NOMEM, pb->r->path, 0, 0,
                            "out of memory");
    }
    c->n = 0;
    xmlRelaxNGSetValidStructuredErrors(vc, on_rng_error, c);
    int rc = xmlRelaxNGValidateDoc(vc, doc);
    xmlRelaxNGFreeValidCtxt(vc);
    int before = pb->count;
    if (rc != 0) {
        report_rng(pb, c);
        if (pb->count == before)
            problem(pb, SC_ERR_SCHEMA, xmlDocGetRootElement(doc), NULL,
                    "the file does not match the data schema (see docs/data-format.md)");
    }
    free(c);
    return pb->count > before ? SC_ERR_SCHEMA : SC_OK;
}

/* ---- checks beyond the schema ------------------------------------------ */

static void check_money(problems *pb, xmlNodePtr n, const char *name)
{
    const char *v = sc_xml_attr(n, name);
    long long x;
    if (v && (!parse_hundredths(v, 2, &x) || x < 0)) {
        char q[SC_QUOTE_MAX];
        sc_quote(q, sizeof q, v);
        problem(pb, SC_ERR_DATA, n, name,
                "%s=%s is not an amount in yuan with at most 2 decimals", name, q);
    }
}

static void check_employee(problems *pb, xmlNodePtr emp)
{
    long long total = 0;
    xmlNodePtr kpis = sc_xml_child(emp, "kpis");
    for (xmlNodePtr cat = sc_xml_child(kpis, "category"); cat; cat = sc_xml_next(cat, "category")) {
        long long catsum = 0;
        for (xmlNodePtr k = sc_xml_child(cat, "kpi"); k; k = sc_xml_next(k, "kpi")) {
            xmlNodePtr wn = sc_xml_child(k, "weight");
            char *ws = sc_xml_text(wn);
            long long w = 0;
            if (!ws || !parse_hundredths(ws, 2, &w)) {
                char q[SC_QUOTE_MAX];
                sc_quote(q, sizeof q, ws ? ws : "");
                problem(pb, SC_ERR_DATA, wn ? wn : k, NULL,
                        "weight %s is not a number with at most 2 decimals", q);
            }
            free(ws);
            catsum += w;
            xmlNodePtr sn = sc_xml_child(k, "score");
            char *ss = sc_xml_text(sn);
            long long s;
            if (ss && ss[0] && parse_hundredths(ss, 2, &s)) {
                const char *ba = sc_xml_attr(k, "bonus-allowed");
                int bonus = ba && (!strcmp(ba, "true") || !strcmp(ba, "1"));
                const sc_rule *rule = sc_scheme_rule(pb->r->cur, sc_xml_attr(k, "id"));
                if (rule && rule->has_cap && rule->cap > w * 100)
                    bonus = 1; /* the scheme's cap allows points above the weight */
                char sb[32], wb[32];
                fmt_hundredths(sb, sizeof sb, s);
                fmt_hundredths(wb, sizeof wb, w);
                long long floor = rule ? sc_rule_floor(rule) / 100 : 0; /* centi */
                char fb[32];
                fmt_hundredths(fb, sizeof fb, floor);
                if (s < floor && floor < 0)
                    problem(pb, SC_ERR_DATA, sn, NULL,
                            "score %s is below %s, the lowest the rule gives (倒扣)", sb, fb);
                else if (s < floor)
                    problem(pb, SC_ERR_DATA, sn, NULL,
                            "score %s is negative; deductions go into the score "
                            "(down to 0) or into <adjustments>", sb);
                else if (s > w && !bonus)
                    problem(pb, SC_ERR_DATA, sn, NULL,
                            "score %s is above the weight %s; set bonus-allowed=\"true\" "
                            "on the <kpi> if this indicator may earn extra points", sb, wb);
            }
            free(ss);
        }
        const char *cw = sc_xml_attr(cat, "weight");
        long long c;
        if (cw && parse_hundredths(cw, 2, &c) && c != catsum) {
            char a[32], b[32];
            fmt_hundredths(a, sizeof a, c);
            fmt_hundredths(b, sizeof b, catsum);
            problem(pb, SC_ERR_DATA, cat, "weight",
                    "category weight %s differs from the sum of its KPI weights %s",
                    a, b);
        }
        total += catsum;
    }
    if (kpis && total != 10000) {
        char a[32];
        fmt_hundredths(a, sizeof a, total);
        problem(pb, SC_ERR_DATA, kpis, NULL,
                "the KPI weights sum to %s, not 100", a);
    }
    xmlNodePtr raters = sc_xml_child(emp, "raters");
    if (raters) {
        long long sum = 0, w;
        for (xmlNodePtr rt = sc_xml_child(raters, "rater"); rt; rt = sc_xml_next(rt, "rater"))
            if (parse_hundredths(sc_xml_attr(rt, "weight"), 2, &w))
                sum += w;
        if (sum != 10000) {
            char a[32];
            fmt_hundredths(a, sizeof a, sum);
            problem(pb, SC_ERR_DATA, raters, NULL,
                    "the rater weights sum to %s, not 100", a);
        }
    }
    xmlNodePtr bonus = sc_xml_child(emp, "bonus");
    if (bonus) {
        check_money(pb, bonus, "base");
        check_money(pb, bonus, "amount");
        for (xmlNodePtr m = sc_xml_child(bonus, "month"); m; m = sc_xml_next(m, "month"))
            check_money(pb, m, "amount");
    }
}

/* ---- the scheme (scoring rules) ------------------------------------------ */

static void check_form(problems *pb, const sc_scheme *s);

static void on_score_problem(void *ud, sc_status code, xmlNodePtr node, const char *attr_name,
                             const char *msg)
{
    problem(ud, code, node, attr_name, "%s", msg);
}

/* A scheme file named by <batch scheme="...">: a relative path inside the
 * data file's folder (no absolute path, no "..", no backslash), so that a
 * data file cannot make the reader open files elsewhere.  It is parsed
 * like a data file (no DTD, no network) and validated by the same schema,
 * whose start allows <scheme> as a root. */
static sc_status load_scheme_file(sc_reader *r, const char *rel, xmlNodePtr at,
                                  sc_scheme **out, sc_error *err)
{
    problems pb = {r, "", NULL, NULL, err, 0, SC_OK, NULL};
    if (r->src.mem) {
        problem(&pb, SC_ERR_FORBIDDEN, at, "scheme",
                "scheme=\"%s\" names a file, but this record was read from memory "
                "(an archive copy): its scheme must be inline", rel);
        return SC_ERR_FORBIDDEN;
    }
    if (!rel[0] || rel[0] == '/' || strstr(rel, "..") || strchr(rel, '\\')) {
        problem(&pb, SC_ERR_FORBIDDEN, at, "scheme",
                "scheme=\"%s\" must be a relative path inside the data file's folder "
                "(no leading /, no ..)", rel);
        return SC_ERR_FORBIDDEN;
    }
    const char *slash = strrchr(r->path, '/');
    size_t dl = slash ? (size_t)(slash - r->path) + 1 : 0;
    size_t n = dl + strlen(rel) + 1;
    char *path = sc_malloc(n);
    if (!path)
        return sc_error_set(err, SC_ERR_NOMEM, r->path, 0, 0, "out of memory");
    memcpy(path, r->path, dl);
    memcpy(path + dl, rel, strlen(rel) + 1);
    sc_status st = SC_OK;
    int dl_line, dl_col;
    xmlDocPtr doc = NULL;
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        problem(&pb, SC_ERR_IO, at, "scheme",
                "cannot open the scheme file %s named by scheme=\"%s\"", path, rel);
        st = SC_ERR_IO;
        goto done;
    }
    fclose(probe);
    byte_src sin = {path, NULL, 0};
    if (find_doctype(&sin, &dl_line, &dl_col)) {
        st = sc_error_set(err, SC_ERR_FORBIDDEN, path, dl_line, dl_col,
                          "a DOCTYPE is not allowed in scheme files");
        goto done;
    }
    char generic[256] = "";
    sc_xml_guard();
    sc_xml_quiet quiet;
    sc_xml_quiet_begin(&quiet, generic, sizeof generic);
    doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    sc_xml_quiet_end(&quiet);
    if (!doc) {
        xmlErrorPtr xe = xmlGetLastError();
        char msg[300];
        sc_xml_explain(msg, sizeof msg, xe ? xe->code : 0, xe ? xe->message : NULL);
        st = sc_error_set(err, SC_ERR_XML, path, xe ? xe->line : 0, xe ? xe->int2 : 0,
                          "scheme file: %s", msg);
        goto done;
    }
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root || strcmp((const char *)root->name, "scheme")) {
        st = sc_error_set(err, SC_ERR_SCHEMA, path, root ? root->line : 0, 0,
                          "a scheme file must have <scheme> as its root element");
        goto done;
    }
    problems spb = {r, "", NULL, NULL, err, 0, SC_OK, path};
    if (validate(&spb, doc) != SC_OK) {
        st = spb.code ? spb.code : SC_ERR_SCHEMA;
        goto done;
    }
    st = sc_scheme_parse(out, root, on_score_problem, &spb);
    if (st != SC_OK && !spb.count)
        st = sc_error_set(err, st, path, 0, 0, "cannot read the scheme");
    if (st == SC_OK && (check_form(&spb, *out), spb.count)) {
        st = spb.code;
        sc_scheme_free(*out);
        *out = NULL;
    }
done:
    xmlFreeDoc(doc);
    free(path);
    return st;
}

/* The batch's scheme: inline <scheme> (taken out of the header, so it is
 * not validated again with every record) or a shared file; at most one of
 * the two.  Either way score.c puts a copy back into each record, after
 * validation, as /batch/scheme (and each KPI's rule as kpi/scheme-rule). */
static sc_status load_scheme(sc_reader *r, xmlNodePtr hroot, sc_error *err)
{
    xmlNodePtr inl = sc_xml_child(hroot, "scheme");
    const char *file = sc_xml_attr(hroot, "scheme");
    problems pb = {r, "", NULL, NULL, err, 0, SC_OK, NULL};
    if (inl && file) {
        problem(&pb, SC_ERR_DATA, inl, NULL,
                "the batch has both scheme=\"%s\" and an inline <scheme>; keep one", file);
        return SC_ERR_DATA;
    }
    if (file) {
        r->scheme_file = sc_strdup(file);
        return load_scheme_file(r, file, hroot, &r->scheme, err);
    }
    if (!inl)
        return SC_OK;
    sc_status st = sc_scheme_parse(&r->scheme, inl, on_score_problem, &pb);
    if (st != SC_OK && !pb.count)
        return sc_error_set(err, st, r->path, 0, 0, "cannot read the scheme");
    if (st == SC_OK && (check_form(&pb, r->scheme), pb.count))
        st = pb.code;
    xmlUnlinkNode(inl);
    xmlFreeNode(inl);
    return st;
}

/* The batch's ranking table spans employees: it is parsed once and taken
 * out of the header, so that no record's document (and so no template)
 * ever sees another employee's scores; score.c writes each record's own
 * line into it. */
static sc_status load_ranking(sc_reader *r, xmlNodePtr hroot, sc_error *err)
{
    xmlNodePtr rk = sc_xml_child(hroot, "ranking");
    if (!rk)
        return SC_OK;
    problems pb = {r, "", NULL, NULL, err, 0, SC_OK, NULL};
    sc_status st = sc_ranking_parse(&r->ranking, rk, on_score_problem, &pb);
    if (st != SC_OK && !pb.count)
        return sc_error_set(err, st, r->path, 0, 0, "cannot read the ranking");
    xmlUnlinkNode(rk);
    xmlFreeNode(rk);
    return st;
}

/* The scheme of one employee: its own (<employee scheme="...">, loaded
 * once per reader and kept for the next employee naming the same file) or
 * the batch's.  A department batch can so hold several positions, each
 * scored by its own rules. */
static sc_status employee_scheme(sc_reader *r, xmlNodePtr emp, problems *pb)
{
    const char *rel = sc_xml_attr(emp, "scheme");
    r->cur = r->scheme;
    if (!rel)
        return SC_OK;
    for (int i = 0; i < r->nown; i++) {
        if (!strcmp(r->own[i].rel, rel)) {
            r->cur = r->own[i].s;
            return SC_OK;
        }
    }
    if (r->nown == (int)(sizeof r->own / sizeof *r->own)) {
        problem(pb, SC_ERR_DATA, emp, "scheme",
                "a batch may name at most %d different employee schemes",
                (int)(sizeof r->own / sizeof *r->own));
        return SC_ERR_DATA;
    }
    sc_scheme *s = NULL;
    sc_error e = {0};
    sc_status st = load_scheme_file(r, rel, emp, &s, &e);
    if (st != SC_OK) {
        if (pb->count == 0) { /* load_scheme_file reports through diag */
            if (!e.employee[0])
                snprintf(e.employee, sizeof e.employee, "%s", pb->label);
            if (pb->first)
                *pb->first = e;
            pb->code = st;
            pb->count++;
        }
        sc_scheme_free(s);
        return st;
    }
    char *copy = sc_strdup(rel);
    if (!copy) {
        sc_scheme_free(s);
        problem(pb, SC_ERR_NOMEM, emp, NULL, "out of memory");
        return SC_ERR_NOMEM;
    }
    r->own[r->nown].rel = copy;
    r->own[r->nown++].s = s;
    r->cur = s;
    return SC_OK;
}

/* ---- the form declared once ------------------------------------------------
 *
 * A form's KPI definitions (category, indicator, weight, target text,
 * rule text, source) are the same for every employee of a position; when
 * the scheme declares them (its <kpis>), an employee's <kpis> holds only
 * the results, <kpi id> by <kpi id>, and the scheme's <bonus base> is every
 * employee's base.  Here the two are put together into the record exactly
 * as if the data had the sheet in full, before anything else reads it:
 * the checks, the scoring engine, the templates and the form's font bases
 * (sc_record_form) see no difference.  The merged definitions carry the
 * line of the employee's <kpi> (or <kpis>), so messages point into the
 * data file. */

static const char *const kpi_order[] = {"indicator", "weight", "target",     "actual",
                                        "counts",    "ratings", "rule",       "definition",
                                        "cycle",     "source",  "score"};

static int order_of(xmlNodePtr n)
{
    for (int i = 0; i < (int)(sizeof kpi_order / sizeof *kpi_order); i++)
        if (!strcmp((const char *)n->name, kpi_order[i]))
            return i;
    return 99;
}

static void set_lines(xmlNodePtr n, unsigned short line)
{
    for (; n; n = n->next) {
        n->line = line;
        set_lines(n->children, line);
    }
}

/* Put the result element res (moved out of the employee's <kpi>) into
 * the definition def at its place in the order of a full <kpi>; an
 * element of the same name there (a target) is replaced. */
static void place(xmlNodePtr def, xmlNodePtr res)
{
    int o = order_of(res);
    xmlNodePtr same = sc_xml_child(def, (const char *)res->name);
    xmlUnlinkNode(res);
    if (same) {
        xmlReplaceNode(same, res);
        xmlFreeNode(same);
        return;
    }
    for (xmlNodePtr c = def->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && order_of(c) > o) {
            xmlAddPrevSibling(c, res);
            return;
        }
    xmlAddChild(def, res);
}

/* The ids of the form's KPIs, for a suggestion. */
static int form_ids(xmlNodePtr form, const char **ids, int cap)
{
    int n = 0;
    for (xmlNodePtr c = sc_xml_child(form, "category"); c; c = sc_xml_next(c, "category"))
        for (xmlNodePtr k = sc_xml_child(c, "kpi"); k && n < cap; k = sc_xml_next(k, "kpi"))
            ids[n++] = sc_xml_attr(k, "id");
    return n;
}

static void expand_form(problems *pb, xmlNodePtr emp)
{
    xmlNodePtr kpis = sc_xml_child(emp, "kpis");
    if (!kpis || sc_xml_child(kpis, "category"))
        return; /* the sheet in full */
    xmlNodePtr scheme = sc_scheme_node(pb->r->cur);
    xmlNodePtr form = sc_xml_child(scheme, "kpis");
    if (!form) {
        problem(pb, SC_ERR_DATA, kpis, NULL,
                "<kpis> holds results only (<kpi> without <category>), but %s declares no "
                "form: give the KPI definitions once in the scheme's <kpis>, or write "
                "each KPI in full (docs/data-format.md, \"The form declared once\")",
                scheme ? "the scheme" : "the batch has no scheme that");
        return;
    }
    const char *ids[256];
    int nids = form_ids(form, ids, 256);
    /* every result names a KPI of the form, once */
    for (xmlNodePtr k = sc_xml_child(kpis, "kpi"); k; k = sc_xml_next(k, "kpi")) {
        const char *id = sc_xml_attr(k, "id");
        int known = 0;
        for (int i = 0; i < nids && !known; i++)
            known = id && ids[i] && !strcmp(ids[i], id);
        char near[64], hint[100] = "";
        if (!known && id && sc_suggest(id, ids, nids, near, sizeof near))
            snprintf(hint, sizeof hint, "; did you mean %s?", near);
        if (!known)
            problem(pb, SC_ERR_DATA, k, "id", "KPI %s is not on the form the scheme declares%s",
                    id ? id : "", hint);
        for (xmlNodePtr e = sc_xml_next(k, "kpi"); e && known; e = sc_xml_next(e, "kpi"))
            if (id && sc_xml_attr(e, "id") && !strcmp(sc_xml_attr(e, "id"), id)) {
                problem(pb, SC_ERR_DATA, e, "id", "KPI %s is given twice", id);
                break;
            }
    }
    if (pb->count)
        return;
    xmlNodePtr full = xmlDocCopyNode(form, emp->doc, 1);
    if (!full) {
        problem(pb, SC_ERR_NOMEM, kpis, NULL, "out of memory");
        return;
    }
    unsigned short kline = kpis->line;
    set_lines(full, kline);
    for (xmlNodePtr c = sc_xml_child(full, "category"); c; c = sc_xml_next(c, "category"))
        for (xmlNodePtr def = sc_xml_child(c, "kpi"); def; def = sc_xml_next(def, "kpi")) {
            xmlNodePtr res = NULL;
            for (xmlNodePtr k = sc_xml_child(kpis, "kpi"); k && !res; k = sc_xml_next(k, "kpi"))
                if (!strcmp(sc_xml_attr(k, "id"), sc_xml_attr(def, "id")))
                    res = k;
            if (res)
                set_lines(def, res->line);
            if (!sc_xml_child(def, "rule")) {
                xmlNodePtr rule = xmlNewDocNode(emp->doc, NULL, BAD_CAST "rule", NULL);
                if (rule) {
                    rule->line = def->line;
                    place(def, rule);
                }
            }
            for (xmlNodePtr e = res ? res->children : NULL, next; e; e = next) {
                next = e->next;
                if (e->type == XML_ELEMENT_NODE)
                    place(def, e);
            }
        }
    xmlReplaceNode(kpis, full);
    xmlFreeNode(kpis);
}

/* The scheme's bonus base for an employee without one of their own. */
static void expand_bonus(problems *pb, xmlNodePtr emp)
{
    xmlNodePtr sb = sc_xml_child(sc_scheme_node(pb->r->cur), "bonus");
    const char *base = sc_xml_attr(sb, "base");
    xmlNodePtr bonus = sc_xml_child(emp, "bonus");
    if (bonus && sc_xml_attr(bonus, "base"))
        return;
    if (!base) {
        if (bonus)
            problem(pb, SC_ERR_DATA, bonus, NULL,
                    "<bonus> has no base= and the scheme declares none: give "
                    "<bonus base=\"…\"> here, or once in the scheme's <bonus base=\"…\">");
        return;
    }
    if (!bonus) {
        bonus = xmlNewDocNode(emp->doc, NULL, BAD_CAST "bonus", NULL);
        if (!bonus) {
            problem(pb, SC_ERR_NOMEM, emp, NULL, "out of memory");
            return;
        }
        bonus->line = emp->line;
        /* before what follows it in an employee: quarters, signatures */
        xmlNodePtr after = sc_xml_child(emp, "quarters");
        if (!after)
            after = sc_xml_child(emp, "signatures");
        if (after)
            xmlAddPrevSibling(after, bonus);
        else
            xmlAddChild(emp, bonus);
    }
    xmlSetProp(bonus, BAD_CAST "base", BAD_CAST base);
}

/* Checks of a scheme's form, once when the scheme is read: weights sum
 * to 100 and to each category's weight, the rules agree with it. */
static void check_form(problems *pb, const sc_scheme *s)
{
    xmlNodePtr form = sc_xml_child(sc_scheme_node(s), "kpis");
    if (!form)
        return;
    long long total = 0;
    for (xmlNodePtr c = sc_xml_child(form, "category"); c; c = sc_xml_next(c, "category")) {
        long long catsum = 0;
        for (xmlNodePtr k = sc_xml_child(c, "kpi"); k; k = sc_xml_next(k, "kpi")) {
            char *ws = sc_xml_text(sc_xml_child(k, "weight"));
            long long w = 0;
            if (ws && parse_hundredths(ws, 2, &w))
                catsum += w;
            const sc_rule *rule = sc_scheme_rule(s, sc_xml_attr(k, "id"));
            if (rule && rule->has_weight && rule->weight != w * 100) {
                char a[32], b[32];
                fmt_hundredths(a, sizeof a, w);
                sc_format_fixed(b, sizeof b, rule->weight, 4, 1);
                problem(pb, SC_ERR_DATA, sc_xml_child(k, "weight"), NULL,
                        "KPI %s weighs %s on the form but %s in its rule (line %d)",
                        sc_xml_attr(k, "id"), a, b, rule->line);
            }
            free(ws);
        }
        const char *cw = sc_xml_attr(c, "weight");
        long long cv;
        if (cw && parse_hundredths(cw, 2, &cv) && cv != catsum) {
            char a[32], b[32];
            fmt_hundredths(a, sizeof a, cv);
            fmt_hundredths(b, sizeof b, catsum);
            problem(pb, SC_ERR_DATA, c, "weight",
                    "category weight %s differs from the sum of its KPI weights %s", a, b);
        }
        total += catsum;
    }
    if (total != 10000) {
        char a[32];
        fmt_hundredths(a, sizeof a, total);
        problem(pb, SC_ERR_DATA, form, NULL, "the form's KPI weights sum to %s, not 100", a);
    }
}

/* ---- which rules the batch uses -------------------------------------------
 *
 * A scheme rule that scores no KPI of any employee is a typo in an id
 * (rule p4, sheets P4) or a rule left over from last year's form.  Every
 * record would be fine on its own, so this is said once, after the last
 * record, as a warning: the sheets themselves fail elsewhere if a KPI is
 * left without a score. */

static unsigned char **usage_of(sc_reader *r, const sc_scheme *s)
{
    if (s && s == r->scheme)
        return &r->used;
    for (int i = 0; s && i < r->nown; i++)
        if (r->own[i].s == s)
            return &r->own[i].used;
    return NULL;
}

/* Note the KPIs of emp against the rules of its scheme r->cur. */
static void note_usage(sc_reader *r, xmlNodePtr emp)
{
    unsigned char **used = usage_of(r, r->cur);
    int n = sc_scheme_nrules(r->cur);
    if (!used || n == 0)
        return;
    if (!*used && !(*used = sc_calloc((size_t)n, 1)))
        return;
    xmlNodePtr kpis = sc_xml_child(emp, "kpis");
    for (xmlNodePtr c = sc_xml_child(kpis, "category"); c; c = sc_xml_next(c, "category"))
        for (xmlNodePtr k = sc_xml_child(c, "kpi"); k; k = sc_xml_next(k, "kpi")) {
            const char *id = sc_xml_attr(k, "id");
            for (int i = 0; id && i < n; i++)
                if (!strcmp(sc_scheme_rule_at(r->cur, i)->kpi, id))
                    (*used)[i] = 1;
            int seen = 0;
            for (int i = 0; id && i < r->nkpi_ids && !seen; i++)
                seen = !strcmp(r->kpi_ids[i], id);
            if (id && !seen && r->nkpi_ids < (int)(sizeof r->kpi_ids / sizeof *r->kpi_ids) &&
                (r->kpi_ids[r->nkpi_ids] = sc_strdup(id)))
                r->nkpi_ids++;
        }
}

static void warn_unused(sc_reader *r, const sc_scheme *s, const unsigned char *used,
                        const char *rel)
{
    char path[4096];
    if (rel) {
        const char *slash = strrchr(r->path, '/');
        int dl = slash ? (int)(slash - r->path) + 1 : 0;
        snprintf(path, sizeof path, "%.*s%s", dl, r->path, rel);
    } else {
        snprintf(path, sizeof path, "%s", r->path);
    }
    for (int i = 0; used && i < sc_scheme_nrules(s); i++) {
        const sc_rule *rule = sc_scheme_rule_at(s, i);
        if (used[i])
            continue;
        char near[64], hint[128] = "";
        if (sc_suggest(rule->kpi, (const char *const *)r->kpi_ids, r->nkpi_ids, near,
                       sizeof near))
            snprintf(hint, sizeof hint, "; the sheets have a KPI %s: is it this one?", near);
        sc_error e;
        sc_error_set(&e, SC_ERR_DATA, path, rule->line, 0,
                     "the scheme's rule for KPI %s scores no KPI of any employee in this "
                     "batch%s", rule->kpi, hint);
        snprintf(e.field, sizeof e.field, "scheme/kpi[%s]", rule->kpi);
        r->warn(r->warn_ud, &e);
    }
}

void sc_reader_set_warn(sc_reader *r, sc_diag_fn warn, void *ud)
{
    if (r) {
        r->warn = warn;
        r->warn_ud = ud;
    }
}

void sc_reader_end(sc_reader *r)
{
    /* only a batch read to its end shows that a rule is never used */
    if (!r || !r->warn || r->failed || !r->at_end || r->qlen)
        return;
    warn_unused(r, r->scheme, r->used, r->scheme_file);
    for (int i = 0; i < r->nown; i++)
        warn_unused(r, r->own[i].s, r->own[i].used, r->own[i].rel);
}

/* ---- opening ------------------------------------------------------------ */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* The last day of the period, 00:00 UTC, in seconds since 1970: its end
 * attribute, or the end of its month, quarter or year.  The documents'
 * date when no other is given: it comes from the data, so the same batch
 * gives the same bytes whenever it is rendered. */
static long long period_end(xmlNodePtr period)
{
    const char *end = sc_xml_attr(period, "end");
    int y, m, d;
    if (end && sscanf(end, "%4d-%2d-%2d", &y, &m, &d) == 3)
        return days_from_civil(y, (unsigned)m, (unsigned)d) * 86400;
    const char *kind = sc_xml_attr(period, "kind");
    const char *year = sc_xml_attr(period, "year");
    if (!kind || !year)
        return 0;
    y = atoi(year);
    m = 12;
    if (!strcmp(kind, "month")) {
        const char *mo = sc_xml_attr(period, "month");
        m = mo ? atoi(mo) : 12;
    } else if (!strcmp(kind, "quarter")) {
        const char *q = sc_xml_attr(period, "quarter");
        m = q ? 3 * atoi(q) : 12;
    }
    if (m < 1 || m > 12)
        m = 12;
    /* the day before the first of the next month */
    return (days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : (unsigned)m + 1, 1) - 1) *
           86400;
}

static char *period_string(xmlNodePtr period)
{
    const char *kind = sc_xml_attr(period, "kind");
    const char *year = sc_xml_attr(period, "year");
    char buf[64];
    if (!kind || !year)
        return sc_strdup("");
    if (!strcmp(kind, "month")) {
        const char *m = sc_xml_attr(period, "month");
        int mi = m ? atoi(m) : 0;
        snprintf(buf, sizeof buf, "%s-%02d", year, mi);
    } else if (!strcmp(kind, "quarter")) {
        const char *q = sc_xml_attr(period, "quarter");
        snprintf(buf, sizeof buf, "%s-Q%d", year, q ? atoi(q) : 0);
    } else {
        snprintf(buf, sizeof buf, "%s", year);
    }
    return sc_strdup(buf);
}

void sc_reader_init(void) { pthread_once(&init_once, init_process); }

/* A reader of the data file `path`, or of mem[0..len) named `path` in
 * messages. */
static sc_status open_reader(sc_reader **out, const char *path, const char *mem,
                             size_t len, sc_diag_fn diag, void *ud, sc_error *err)
{
    *out = NULL;
    if (!path)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0, "no data file given");
    pthread_once(&init_once, init_process);

    if (!mem) {
        FILE *probe = fopen(path, "rb");
        if (!probe)
            return sc_error_set(err, SC_ERR_IO, path, 0, 0,
                                "cannot open the data file (check the path and permissions)");
        fclose(probe);
    } else if (len > INT_MAX || len == 0) {
        return sc_error_set(err, SC_ERR_DATA, path, 0, 0,
                            "the record is empty or too large (%zu bytes)", len);
    }

    sc_reader *r = sc_calloc(1, sizeof *r);
    if (!r || !(r->path = sc_strdup(path))) {
        free(r);
        return sc_error_set(err, SC_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    r->src = (byte_src){r->path, mem, len};
    r->diag = diag;
    r->ud = ud;

    int dt_line, dt_col;
    sniff_prolog(&r->src, r->declared, sizeof r->declared, &dt_line, &dt_col);
    if (r->declared[0] && !encoding_allowed(r->declared)) {
        sc_error_set(err, SC_ERR_ENCODING, path, 1, 0,
                     "encoding \"%s\" is not supported; declare UTF-8, GBK, "
                     "GB18030 or Big5 (and make the bytes match)", r->declared);
        sc_reader_free(r);
        return SC_ERR_ENCODING;
    }
    if (dt_line) {
        /* Refuse before the parser even sees it. */
        sc_reader_free(r);
        return sc_error_set(err, SC_ERR_FORBIDDEN, path, dt_line, dt_col,
                            "a DOCTYPE is not allowed in data files (external "
                            "entities are never loaded)");
    }

    if (!(r->in = src_open(&r->src))) {
        sc_reader_free(r);
        return sc_error_set(err, SC_ERR_IO, path, 0, 0, "cannot read the data file");
    }
    /* The first bytes let libxml2 detect a BOM or UTF-16. */
    char first[4];
    size_t nfirst = fread(first, 1, sizeof first, r->in);
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    xmlSAXVersion(&sax, 2);
    sax.startElementNs = on_start;
    sax.endElementNs = on_end;
    sax.characters = on_text;
    sax.ignorableWhitespace = on_text;
    sax.cdataBlock = on_cdata;
    sax.comment = NULL;
    sax.processingInstruction = NULL;
    sax.internalSubset = on_doctype;
    sax.externalSubset = NULL;
    /* A BOM or UTF-16 guessed wrong fails here, before the parser knows
     * its reader (so no structured handler yet): the message goes to
     * libxml2's generic channel, and parser_failure uses it. */
    sc_xml_quiet_begin(&r->quiet, r->generic, sizeof r->generic);
    r->ctxt = xmlCreatePushParserCtxt(&sax, NULL, first, (int)nfirst, path);
    sc_xml_quiet_end(&r->quiet);
    r->hdr = xmlNewDoc((const xmlChar *)"1.0");
    if (!r->ctxt || !r->hdr) {
        sc_reader_free(r);
        return sc_error_set(err, SC_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    r->ctxt->_private = r;
    r->ctxt->sax->serror = on_ctxt_error;
    /* NONET: no network even if something asks.  Deliberately absent:
     * NOENT (entity substitution), DTDLOAD, DTDATTR, DTDVALID, XINCLUDE. */
    /* NODICT: names and short texts are the tree's own, not shared with
     * the parser's dictionary, so a record is handed over as parsed
     * (sc_reader_next) and may be freed on any thread. */
    xmlCtxtUseOptions(r->ctxt, XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NODICT);

    /* Up to the first <employee>: the header is complete. */
    sc_status st = SC_OK;
    while (!r->in_employees && !r->root_closed && feed(r) == 1)
        ;
    if (r->doctype) {
        if (!find_doctype(&r->src, &dt_line, &dt_col)) {
            dt_line = xmlSAX2GetLineNumber(r->ctxt);
            dt_col = 0;
        }
        st = sc_error_set(err, SC_ERR_FORBIDDEN, path, dt_line, dt_col,
                          "a DOCTYPE is not allowed in data files (external "
                          "entities are never loaded)");
        goto fail;
    }
    if (r->hdr_err) {
        st = r->hdr_err->code;
        if (err)
            *err = *r->hdr_err;
        goto fail;
    }
    if (r->failed && !r->in_employees && !r->root_closed) {
        st = r->pending;
        if (err)
            *err = r->pending_err;
        if (!r->root_seen && r->ctxt->errNo == XML_ERR_DOCUMENT_EMPTY)
            st = sc_error_set(err, SC_ERR_XML, path, 0, 0,
                              "the file holds no XML element (empty file?)");
        goto fail;
    }
    /* A fatal error after the header (r->failed) waits until the records
     * completed before it have been returned. */
    xmlNodePtr hroot = xmlDocGetRootElement(r->hdr);
    if (!hroot) {
        st = sc_error_set(err, SC_ERR_XML, path, 0, 0,
                          "the file holds no XML element (empty file?)");
        goto fail;
    }

    if (strcmp((const char *)hroot->name, "batch")) {
        st = sc_error_set(err, SC_ERR_SCHEMA, path, hroot->line, 0,
                          "the root element is <%s>, not <batch>%s", (const char *)hroot->name,
                          !strcmp((const char *)hroot->name, "scheme")
                              ? ": this is a scheme file; name it from a batch with "
                                "<batch scheme=\"...\">"
                              : "");
        goto fail;
    }
    /* The header alone must be valid (the schema allows 0 employees). */
    problems pb = {r, "", NULL, NULL, err, 0, SC_OK, NULL};
    if (validate(&pb, r->hdr) != SC_OK) {
        st = pb.code ? pb.code : SC_ERR_SCHEMA;
        goto fail;
    }
    if ((st = load_scheme(r, hroot, err)) != SC_OK)
        goto fail;
    if ((st = load_ranking(r, hroot, err)) != SC_OK)
        goto fail;
    const char *tpl = sc_xml_attr(hroot, "template");
    r->template_name = tpl ? sc_strdup(tpl) : NULL;
    r->department = sc_xml_text(sc_xml_child(hroot, "department"));
    r->period = period_string(sc_xml_child(hroot, "period"));
    r->period_end = period_end(sc_xml_child(hroot, "period"));
    if ((tpl && !r->template_name) || !r->department || !r->period) {
        st = sc_error_set(err, SC_ERR_NOMEM, path, 0, 0, "out of memory");
        goto fail;
    }
    *out = r;
    return SC_OK;

fail:
    sc_reader_free(r);
    return st;
}

sc_status sc_reader_open(sc_reader **out, const char *path, sc_diag_fn diag,
                         void *ud, sc_error *err)
{
    return open_reader(out, path, NULL, 0, diag, ud, err);
}

sc_status sc_reader_open_mem(sc_reader **out, const char *name, const char *data,
                             size_t len, sc_diag_fn diag, void *ud, sc_error *err)
{
    if (!data)
        return sc_error_set(err, SC_ERR_USAGE, name, 0, 0, "no record given");
    return open_reader(out, name, data, len, diag, ud, err);
}

void sc_reader_keep_source(sc_reader *r)
{
    if (r)
        r->keep_source = 1;
}

const char *sc_reader_template(const sc_reader *r)
{
    return r ? r->template_name : NULL;
}

sc_status sc_data_count(const char *path, int *n, sc_error *err)
{
    *n = 0;
    sc_reader *r = NULL;
    sc_status st = sc_reader_open(&r, path, NULL, NULL, err);
    if (st != SC_OK)
        return st;
    /* The employees after those the header's chunks completed are only
     * counted: nothing of them is built. */
    r->counting = 1;
    while (feed(r) > 0)
        ;
    int k = r->counted;
    for (size_t i = 0; i < r->qlen; i++)
        k += r->q[(r->qhead + i) % r->qcap].emp != NULL;
    *n = k;
    if (r->failed)
        st = sc_error_set(err, r->pending ? r->pending : SC_ERR_XML, path, 0, 0,
                          "%s", r->pending_err.message);
    sc_reader_free(r);
    return st;
}

void sc_reader_free(sc_reader *r)
{
    if (!r)
        return;
    /* Queued records belong to the parser's document: free them first. */
    for (size_t i = 0; i < r->qlen; i++) {
        queued *q = &r->q[(r->qhead + i) % r->qcap];
        xmlFreeNode(q->emp);
        sc_free(q->err);
    }
    sc_free(r->q);
    sc_buf_free(&r->ws);
    sc_free(r->over);
    sc_free(r->hdr_err);
    sc_record_free(r->refused);
    if (r->ctxt) {
        xmlFreeDoc(r->ctxt->myDoc);
        r->ctxt->myDoc = NULL;
        xmlFreeParserCtxt(r->ctxt);
    }
    if (r->in)
        fclose(r->in);
    if (r->hdr)
        xmlFreeDoc(r->hdr);
    sc_strset_free(&r->ids);
    sc_scheme_free(r->scheme);
    sc_ranking_free(r->ranking);
    free(r->used);
    free(r->scheme_file);
    for (int i = 0; i < r->nkpi_ids; i++)
        free(r->kpi_ids[i]);
    for (int i = 0; i < r->nown; i++) {
        sc_scheme_free(r->own[i].s);
        free(r->own[i].rel);
        free(r->own[i].used);
    }
    free(r->template_name);
    free(r->department);
    free(r->period);
    free(r->path);
    free(r);
}

/* ---- records ------------------------------------------------------------ */

/* The record as the data gave it (sc_record.source), for the archive
 * copy: the batch's attributes and header, the scheme that scores this
 * employee inline instead of scheme= (so the record needs no other file),
 * and this one employee as read, before the engine wrote into it.  No
 * other employee of the batch is in it.  UTF-8 whatever the data file's
 * encoding; valid against data.rng on its own. */
static sc_status make_source(sc_reader *r, xmlNodePtr emp, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    xmlDocPtr d = xmlNewDoc((const xmlChar *)"1.0");
    xmlNodePtr root = d ? xmlDocCopyNode(xmlDocGetRootElement(r->hdr), d, 1) : NULL;
    if (!root) {
        xmlFreeDoc(d);
        return SC_ERR_NOMEM;
    }
    xmlDocSetRootElement(d, root);
    xmlUnsetProp(root, (const xmlChar *)"scheme");
    /* one child a line, as a person would write it */
    for (xmlNodePtr c = root->children; c; c = c->next)
        xmlAddPrevSibling(c, xmlNewDocText(d, (const xmlChar *)"\n  "));
    xmlNodePtr scheme = sc_scheme_node(r->cur);
    xmlNodePtr sc = scheme ? xmlDocCopyNode(scheme, d, 1) : NULL;
    xmlNodePtr e = xmlDocCopyNode(emp, d, 1);
    /* never a secret: an archive copy is not encrypted, and a record
     * embedded in it needs no password to be scored again */
    for (xmlNodePtr c = e ? e->children : NULL, next; c; c = next) {
        next = c->next;
        if (c->type == XML_ELEMENT_NODE && (xmlStrEqual(c->name, BAD_CAST "id-number") ||
                                            xmlStrEqual(c->name, BAD_CAST "password"))) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
    int ok = e && (!scheme || sc);
    if (ok && sc) {
        xmlAddChild(root, xmlNewDocText(d, (const xmlChar *)"\n  "));
        ok = xmlAddChild(root, sc) != NULL;
    }
    if (ok) {
        xmlUnsetProp(e, (const xmlChar *)"scheme");
        xmlAddChild(root, xmlNewDocText(d, (const xmlChar *)"\n  "));
        ok = xmlAddChild(root, e) != NULL;
        xmlAddChild(root, xmlNewDocText(d, (const xmlChar *)"\n"));
    }
    xmlChar *mem = NULL;
    int n = 0;
    if (ok)
        xmlDocDumpMemoryEnc(d, &mem, &n, "UTF-8");
    xmlFreeDoc(d);
    if (!ok || !mem || n <= 0) {
        xmlFree(mem);
        return SC_ERR_NOMEM;
    }
    *out = sc_strndup((const char *)mem, (size_t)n);
    *len = (size_t)n;
    xmlFree(mem);
    return *out ? SC_OK : SC_ERR_NOMEM;
}

/* Take the secret element `name` out of the record's document into *value
 * (NULL if absent) and its line: no template, glyph check or copy of the
 * record can reach it after this.  0 when out of memory. */
static int take_secret(sc_record *rec, const char *name, char **value, int *line)
{
    xmlNodePtr n = sc_xml_child(rec->employee, name);
    if (!n)
        return 1;
    *line = (int)sc_record_line(rec, n);
    *value = sc_xml_text(n);
    xmlUnlinkNode(n);
    xmlFreeNode(n);
    return *value != NULL;
}

/* A record of doc (header + emp); takes over *lines on success. */
static sc_record *record_new(sc_reader *r, xmlDocPtr doc, xmlNodePtr emp, long line,
                             sc_linemap *lines, const sc_score_summary *sum)
{
    sc_record *rec = sc_calloc(1, sizeof *rec);
    if (!rec)
        return NULL;
    rec->doc = doc;
    rec->employee = emp;
    rec->line = (int)line;
    rec->date = r->period_end;
    const char *id = sc_xml_attr(emp, "id");
    rec->file = sc_strdup(r->path);
    rec->id = sc_strdup(id ? id : "");
    rec->name = sc_xml_text(sc_xml_child(emp, "name"));
    rec->department = sc_xml_text(sc_xml_child(emp, "department"));
    if (rec->department && !rec->department[0]) {
        free(rec->department);
        rec->department = sc_strdup(r->department);
    }
    rec->position = sc_xml_text(sc_xml_child(emp, "position"));
    rec->period = sc_strdup(r->period);
    rec->email = sc_xml_text(sc_xml_child(emp, "email"));
    rec->superior = sc_xml_text(sc_xml_child(emp, "superior"));
    rec->evaluator = sc_xml_text(sc_xml_child(emp, "evaluator"));
    char buf[64];
    if (sum->have_total)
        sc_format_fixed(buf, sizeof buf, sum->total_centi, 2, 0);
    rec->total = sc_strdup(sum->have_total ? buf : "");
    rec->grade = sc_strdup(sum->grade);
    if (sum->have_bonus)
        sc_format_fixed(buf, sizeof buf, sum->bonus_fen, 2, 0);
    rec->bonus = sc_strdup(sum->have_bonus ? buf : "");
    record_label(rec);
    if (!rec->file || !rec->id || !rec->name || !rec->department || !rec->position ||
        !rec->period || !rec->email || !rec->superior || !rec->evaluator || !rec->label ||
        !rec->total || !rec->grade || !rec->bonus) {
        rec->doc = NULL; /* the caller still owns doc on failure */
        sc_record_free(rec);
        return NULL;
    }
    if (lines) {
        rec->lines = *lines;
        *lines = (sc_linemap){NULL, 0, 0};
    }
    if (!take_secret(rec, "id-number", &rec->id_number, &rec->id_number_line) ||
        !take_secret(rec, "password", &rec->password, &rec->password_line)) {
        rec->doc = NULL; /* the caller frees doc */
        sc_record_free(rec);
        return NULL;
    }
    return rec;
}

sc_status sc_reader_next(sc_reader *r, sc_record **out, sc_error *err)
{
    *out = NULL;
    if (!r)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0, "no reader");
    if (r->dead)
        return SC_END;
    while (!r->qlen && feed(r) == 1)
        ;
    if (!r->qlen) {
        if (!r->failed)
            return SC_END;
        r->dead = 1; /* every record before the error was returned */
        if (err)
            *err = r->pending_err;
        /* it broke off inside an employee: that record is refused, by
         * what was read of it (check's table gives it a line) */
        if (r->top && r->in_employees && !r->stray &&
            !strcmp((const char *)r->top->name, "employee")) {
            keep_refused(r, r->top, 0);
            if (err && r->refused)
                snprintf(err->employee, sizeof err->employee, "%s", r->refused->label);
        }
        return r->pending;
    }
    queued q = r->q[r->qhead];
    r->qhead = (r->qhead + 1) % r->qcap;
    r->qlen--;
    if (q.err) { /* a problem between records, or a record refused whole */
        sc_status code = q.err->code;
        sc_diag_emit(r->diag, r->ud, q.err);
        if (err)
            *err = *q.err;
        sc_free(q.err);
        return code;
    }

    /* The record document: header copy + this employee, moved over from
     * the parser's tree (it shares nothing with the parser: NODICT). */
    xmlNodePtr emp = q.emp;
    sc_linemap lines = {NULL, 0, 0};
    xmlDocPtr doc = xmlCopyDoc(r->hdr, 1);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (root) /* xmlCopyDoc keeps lines of the header, copy them anyway */
        copy_lines(xmlDocGetRootElement(r->hdr), root);
    long line = source_line(emp);
    take_lines(emp, &lines);
    if (!root || !xmlAddChild(root, emp)) {
        xmlFreeNode(emp);
        xmlFreeDoc(doc);
        free(lines.v);
        return sc_error_set(err, SC_ERR_NOMEM, r->path, 0, 0, "out of memory");
    }

    /* Label for messages, even if the record is invalid. */
    char label[128];
    employee_label(label, sizeof label, emp);
    problems pb = {r, label, emp, &lines, err, 0, SC_OK, NULL};
    char *source = NULL;
    size_t source_len = 0;
    sc_status st = validate(&pb, doc);
    if (st == SC_OK)
        st = employee_scheme(r, emp, &pb);
    sc_score_summary sum;
    memset(&sum, 0, sizeof sum);
    if (st == SC_OK) {
        expand_form(&pb, emp);
        expand_bonus(&pb, emp);
        note_usage(r, emp);
        check_employee(&pb, emp);
        /* The source is taken before the engine writes into the record. */
        if (pb.count == 0 && r->keep_source &&
            make_source(r, emp, &source, &source_len) != SC_OK)
            problem(&pb, SC_ERR_NOMEM, emp, NULL, "out of memory");
        /* Scores are computed only on a sheet whose shape is right. */
        if (pb.count == 0)
            sc_score_employee(r->cur, emp, r->ranking, on_score_problem, &pb, &sum);
        const char *id = sc_xml_attr(emp, "id");
        int added = sc_strset_add(&r->ids, id ? id : "", NULL, NULL);
        if (added < 0)
            problem(&pb, SC_ERR_NOMEM, emp, NULL, "out of memory");
        else if (added == 0)
            problem(&pb, SC_ERR_DATA, emp, "id",
                    "employee id %s appears more than once in this batch", id);
        st = pb.count ? pb.code : SC_OK;
    } else {
        /* Remember the id anyway, so a duplicate of a bad record is noted. */
        const char *id = sc_xml_attr(emp, "id");
        if (id)
            (void)sc_strset_add(&r->ids, id, NULL, NULL);
    }
    if (st != SC_OK) {
        keep_refused(r, emp, 1);
        free(lines.v);
        free(source);
        xmlFreeDoc(doc);
        return st;
    }
    sc_record *rec = record_new(r, doc, emp, line, &lines, &sum);
    if (!rec) {
        free(lines.v);
        free(source);
        xmlFreeDoc(doc);
        return sc_error_set(err, SC_ERR_NOMEM, r->path, (int)line, 0, "out of memory");
    }
    rec->source = source;
    rec->source_len = source_len;
    *out = rec;
    return SC_OK;
}

