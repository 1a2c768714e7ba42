/* test_archive.c -- the pieces of an archive copy: the XMP packet and its
 * escaping, PDF and XMP dates, a record's source (one employee, scheme
 * inline, read back from memory to the same results), the signature
 * boxes layout reports.  tests/archive/run.sh checks the files whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "internal.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *srcdir(void)
{
    const char *d = getenv("SC_SOURCE_DIR");
    return d && d[0] ? d : SC_SOURCE_DIR;
}

/* The text of the first node at path in doc ("" if none), malloc'd. */
static char *xpath_text(xmlDocPtr doc, const char *path)
{
    xmlXPathContextPtr xc = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(xc, (const xmlChar *)"rdf",
                       (const xmlChar *)"http://www.w3.org/1999/02/22-rdf-syntax-ns#");
    xmlXPathRegisterNs(xc, (const xmlChar *)"dc", (const xmlChar *)"http://purl.org/dc/elements/1.1/");
    xmlXPathRegisterNs(xc, (const xmlChar *)"pdfaid",
                       (const xmlChar *)"http://www.aiim.org/pdfa/ns/id/");
    xmlXPathRegisterNs(xc, (const xmlChar *)"xmp", (const xmlChar *)"http://ns.adobe.com/xap/1.0/");
    xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)path, xc);
    char *out = NULL;
    if (r && r->nodesetval && r->nodesetval->nodeNr) {
        xmlChar *t = xmlNodeGetContent(r->nodesetval->nodeTab[0]);
        out = strdup((const char *)t);
        xmlFree(t);
    }
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(xc);
    return out ? out : strdup("");
}

/* A title with every XML special character and a control character:
 * the packet stays well-formed and says the title back. */
static void test_xmp_escaped(void **state)
{
    (void)state;
    sc_pdfa_meta m = {3, "KF001 R&D <张晓明> \"q\" 'a' \x01x", "scorecard 0.1.0",
                      "libharu & co", 1793404800};
    sc_buf b = {0};
    assert_int_equal(sc_pdfa_xmp(&m, &b), SC_OK);
    xmlDocPtr doc = xmlReadMemory(b.data, (int)b.len, "xmp", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
    assert_non_null(doc);
    char *t = xpath_text(doc, "//dc:title/rdf:Alt/rdf:li[@xml:lang='x-default']");
    assert_string_equal(t, "KF001 R&D <张晓明> \"q\" 'a' x");
    free(t);
    t = xpath_text(doc, "//pdfaid:part");
    assert_string_equal(t, "3");
    free(t);
    t = xpath_text(doc, "//xmp:CreateDate");
    assert_string_equal(t, "2026-10-31T00:00:00+00:00");
    free(t);
    xmlFreeDoc(doc);
    /* no bytes= or encoding= in the packet header (PDF/A-1 6.7.5) */
    assert_null(strstr(b.data, "bytes="));
    assert_null(strstr(b.data, "encoding="));
    sc_buf_free(&b);
}

static void test_dates(void **state)
{
    (void)state;
    char d[32];
    sc_pdf_date(d, 1793404800);
    assert_string_equal(d, "D:20261031000000+00'00'");
    sc_xmp_date(d, 0);
    assert_string_equal(d, "1970-01-01T00:00:00+00:00");
    sc_pdf_date(d, -1);
    assert_string_equal(d, "");
}

static sc_record *first_record(const char *rel, int keep, char **results, size_t *nres)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", srcdir(), rel);
    sc_reader *r = NULL;
    sc_error err;
    assert_int_equal(sc_reader_open(&r, path, NULL, NULL, &err), SC_OK);
    if (keep)
        sc_reader_keep_source(r);
    sc_record *rec = NULL;
    assert_int_equal(sc_reader_next(r, &rec, &err), SC_OK);
    sc_reader_free(r);
    assert_int_equal(sc_record_results(rec, results, nres, &err), SC_OK);
    return rec;
}

/* The source holds this employee alone, with the scheme inline (the batch
 * names a scheme file); read back from memory it scores to the same
 * results, byte for byte. */
static void test_source_roundtrip(void **state)
{
    (void)state;
    char *res = NULL, *res2 = NULL;
    size_t nres = 0, nres2 = 0;
    sc_record *rec = first_record("examples/kefu-2026-10.xml", 1, &res, &nres);
    assert_non_null(rec->source);
    assert_int_equal(rec->source_len, strlen(rec->source));
    const char *e = strstr(rec->source, "<employee ");
    assert_non_null(e);
    assert_null(strstr(e + 1, "<employee "));
    assert_non_null(strstr(rec->source, "<scheme "));
    assert_null(strstr(rec->source, "scheme=\""));
    assert_null(strstr(rec->source, "<result ")); /* before the engine wrote */

    sc_reader *r = NULL;
    sc_error err;
    assert_int_equal(sc_reader_open_mem(&r, "KF001-record.xml", rec->source, rec->source_len,
                                        NULL, NULL, &err),
                     SC_OK);
    sc_record *again = NULL;
    assert_int_equal(sc_reader_next(r, &again, &err), SC_OK);
    sc_record *none = NULL;
    assert_int_equal(sc_reader_next(r, &none, &err), SC_END);
    sc_reader_free(r);
    assert_string_equal(again->total, rec->total);
    assert_int_equal(sc_record_results(again, &res2, &nres2, &err), SC_OK);
    assert_int_equal(nres, nres2);
    assert_memory_equal(res, res2, nres);
    assert_non_null(strstr(res, "total=\"102.00\""));
    sc_free(res);
    sc_free(res2);
    sc_record_free(again);
    sc_record_free(rec);

    /* without keep_source: none */
    rec = first_record("examples/kefu-2026-10.xml", 0, &res, &nres);
    assert_null(rec->source);
    sc_free(res);
    sc_record_free(rec);
}

/* A record read from memory may not make the reader open a scheme file. */
static void test_mem_refuses_scheme_file(void **state)
{
    (void)state;
    static const char x[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<batch version=\"1\" scheme=\"schemes/kefu-2026.xml\"><company>c</company>"
        "<department>d</department><period kind=\"year\" year=\"2026\">2026</period></batch>";
    sc_reader *r = NULL;
    sc_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(sc_reader_open_mem(&r, "x.xml", x, sizeof x - 1, NULL, NULL, &err),
                     SC_ERR_FORBIDDEN);
    assert_non_null(strstr(err.message, "must be inline"));
    assert_null(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xmp_escaped),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_source_roundtrip),
        cmocka_unit_test(test_mem_refuses_scheme_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
