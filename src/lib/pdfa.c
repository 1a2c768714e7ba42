/* pdfa.c -- what an archive copy (PDF/A) says about itself, as bytes: its
 * XMP metadata packet, its dates, the sRGB profile of its output intent,
 * a digest for its /ID.  pdf.c puts them into the document through
 * libharu's object API; verify.c reads them back.
 *
 * Why we write these ourselves: libharu 2.3.0 has HPDF_PDFA_*, but its XMP
 * key is misspelt (SubType), its output intent key has a trailing space
 * ("DestOutputProfile "), it does not XML-escape what it puts into the
 * XMP, and its /ID comes from the clock.  PDF/A wants the document
 * information dictionary and the XMP to say the same things (ISO 19005-1
 * 6.7.3): so both are made here from one sc_pdfa_meta, the dates from one
 * number of seconds, never from the clock.
 *
 * The ICC profile is Debian icc-profiles-free's sRGB.icc (ICC v2, zlib
 * licence), compiled in at build time (cmake/embed_file.cmake) so that
 * an archive copy never depends on the machine that reads the program's
 * data files. */
#include "internal.h"

#include <nettle/md5.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Fill tm with t as UTC; 0 if t is out of range. */
static int utc(long long t, struct tm *tm)
{
    time_t tt = (time_t)t;
    if (t < 0 || (long long)tt != t || !gmtime_r(&tt, tm))
        return 0;
    if (tm->tm_sec > 59)
        tm->tm_sec = 59;
    return 1;
}

/* b into out[32] if it fits (a year of four digits), else "". */
static void copy32(char out[32], const char *b)
{
    size_t n = strlen(b);
    if (n >= 32)
        n = 0;
    memcpy(out, b, n);
    out[n] = '\0';
}

void sc_pdf_date(char out[32], long long t)
{
    struct tm tm;
    if (!utc(t, &tm)) {
        out[0] = '\0';
        return;
    }
    char b[96];
    snprintf(b, sizeof b, "D:%04d%02d%02d%02d%02d%02d+00'00'", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    copy32(out, b);
}

void sc_xmp_date(char out[32], long long t)
{
    struct tm tm;
    if (!utc(t, &tm)) {
        out[0] = '\0';
        return;
    }
    char b[96];
    snprintf(b, sizeof b, "%04d-%02d-%02dT%02d:%02d:%02d+00:00", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    copy32(out, b);
}

/* s as XML character data: & < > escaped, and the control characters
 * XML 1.0 cannot carry at all left out (they cannot come from a data file,
 * which is XML itself, but the title is not only made from data). */
static void xml_text(sc_buf *b, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '&')
            sc_buf_puts(b, "&amp;");
        else if (c == '<')
            sc_buf_puts(b, "&lt;");
        else if (c == '>')
            sc_buf_puts(b, "&gt;");
        else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            continue;
        else
            sc_buf_append(b, s, 1);
    }
}

static void element(sc_buf *b, const char *name, const char *value)
{
    sc_buf_printf(b, "      <%s>", name);
    xml_text(b, value);
    sc_buf_printf(b, "</%s>\n", name);
}

sc_status sc_pdfa_xmp(const sc_pdfa_meta *m, sc_buf *b)
{
    char date[32];
    sc_xmp_date(date, m->created);
    /* the BOM in begin= is what the XMP spec asks for (UTF-8); no
     * bytes= or encoding= (PDF/A-1 6.7.5) */
    sc_buf_puts(b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                   "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
                   "  <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
                   "    <rdf:Description rdf:about=\"\"\n"
                   "        xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
                   "        xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
                   "        xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n"
                   "        xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n"
                   "      <dc:format>application/pdf</dc:format>\n");
    if (m->title && *m->title) {
        sc_buf_puts(b, "      <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">");
        xml_text(b, m->title);
        sc_buf_puts(b, "</rdf:li></rdf:Alt></dc:title>\n");
    }
    element(b, "xmp:CreatorTool", m->creator);
    if (date[0]) {
        element(b, "xmp:CreateDate", date);
        element(b, "xmp:ModifyDate", date);
        element(b, "xmp:MetadataDate", date);
    }
    element(b, "pdf:Producer", m->producer);
    sc_buf_printf(b, "      <pdfaid:part>%d</pdfaid:part>\n", m->part);
    sc_buf_puts(b, "      <pdfaid:conformance>B</pdfaid:conformance>\n"
                   "    </rdf:Description>\n"
                   "  </rdf:RDF>\n"
                   "</x:xmpmeta>\n"
                   "<?xpacket end=\"w\"?>");
    return b->oom ? SC_ERR_NOMEM : SC_OK;
}

/* ---- digests -------------------------------------------------------------- */

struct sc_digest {
    struct sha256_ctx c;
};

sc_digest *sc_digest_new(void)
{
    sc_digest *d = sc_calloc(1, sizeof *d);
    if (d)
        sha256_init(&d->c);
    return d;
}

void sc_digest_add(sc_digest *d, const void *data, size_t len)
{
    if (d && len)
        sha256_update(&d->c, len, data);
}

int sc_digest_final(sc_digest *d, unsigned char out[32])
{
    if (!d)
        return 0;
    sha256_digest(&d->c, 32, out);
    return 1;
}

void sc_digest_free(sc_digest *d)
{
    sc_free(d);
}

int sc_md5(const void *data, size_t len, unsigned char out[16])
{
    struct md5_ctx c;
    md5_init(&c);
    md5_update(&c, len, data);
    md5_digest(&c, MD5_DIGEST_SIZE, out);
    return 1;
}
