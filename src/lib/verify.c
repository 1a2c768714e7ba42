/* verify.c -- `scorecard verify`: is this archive copy what it claims?
 *
 * Three questions, each answered from the file alone (and, for trust in
 * the signers' certificates, the CA file the caller gives):
 *
 *  1. Unchanged since signing?  For every signature field: its /ByteRange
 *     leaves out exactly the hex string of /Contents and nothing else;
 *     the digest of those bytes equals the CMS's message-digest; the CMS
 *     signature verifies (and chains to a given CA).  Which fields are
 *     signed, by whom, when; a field flagged Required that is not signed
 *     fails.  The last signature must cover the whole file: bytes after
 *     it are an update nobody signed.
 *  2. A long-term file?  The PDF/A self-checks: no /Encrypt, an /ID, the
 *     XMP packet uncompressed and well-formed (parsed by libxml2, no DTD,
 *     no network) declaring pdfaid part and conformance, the information
 *     dictionary equal to it, one output intent with an ICC profile that
 *     matches its /N, every embedded file an associated file (/F, /UF,
 *     /AFRelationship, /Subtype, /Params /ModDate, listed in /AF), every
 *     annotation printable with an appearance, no JavaScript anywhere.
 *     These are our own checks, not a validator's: docs/archive.md says
 *     which parts an outside validator proves.
 *  3. Do its figures follow from its data?  The record embedded as
 *     /Source is read again by the reader (schema/data.rng and the checks
 *     beyond it), scored again by the scoring engine, and its results
 *     compared with the embedded /Data results and with the text printed
 *     on the pages (total, grade, bonus).
 *
 * Every finding goes to the caller's report function as it is made; the
 * answer is SC_OK only when nothing failed. */
#include "dl_crypto.h"
#include "pdfdoc.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F_INVISIBLE 1
#define F_HIDDEN 2
#define F_PRINT 4
#define F_NOVIEW 32
#define FF_REQUIRED 2

typedef struct ver {
    sc_pdfdoc *d;
    const sc_verify_opts *o;
    X509_STORE *store;   /* trust anchors, or NULL */
    int failed;
} ver;

static void report(ver *V, const char *what, int ok, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (ok == SC_CHECK_FAIL)
        V->failed++;
    if (V->o->report) {
        sc_check c = {V->d->path, what, ok, text};
        V->o->report(V->o->report_ud, &c);
    }
}

static const char *name_of(qpdf_data q, qpdf_oh o)
{
    return sym_qpdf_oh_is_name(q, o) ? sym_qpdf_oh_get_name(q, o) : "";
}

/* ---- 1. signatures -------------------------------------------------------- */

/* The subject's common name, UTF-8, into out. */
static void common_name(X509 *x, char *out, size_t n)
{
    snprintf(out, n, "?");
    X509_NAME *nm = x ? sym_X509_get_subject_name(x) : NULL;
    int i = nm ? sym_X509_NAME_get_index_by_NID(nm, NID_commonName, -1) : -1;
    if (i < 0)
        return;
    unsigned char *u = NULL;
    int len = sym_ASN1_STRING_to_UTF8(&u, sym_X509_NAME_ENTRY_get_data(sym_X509_NAME_get_entry(nm, i)));
    if (len >= 0)
        snprintf(out, n, "%.*s", len, (const char *)u);
    sym_OPENSSL_free(u);
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* One signed field: its byte range, digest, CMS.  *end: where its range
 * ends (the revision it signed). */
static void check_signature(ver *V, const sc_sigfield *f, size_t *end)
{
    sc_pdfdoc *d = V->d;
    qpdf_data q = d->q;
    const char *fn = f->name;
    *end = 0;
    qpdf_oh br = sym_qpdf_oh_get_key(q, f->v, "/ByteRange");
    long long r[4] = {-1, -1, -1, -1};
    if (sym_qpdf_oh_is_array(q, br) && sym_qpdf_oh_get_array_n_items(q, br) == 4)
        for (int i = 0; i < 4; i++) {
            qpdf_oh x = sym_qpdf_oh_get_array_item(q, br, i);
            if (sym_qpdf_oh_is_integer(q, x))
                r[i] = sym_qpdf_oh_get_int_value(q, x);
        }
    size_t len = d->len;
    if (r[0] != 0 || r[1] <= 0 || r[2] < r[1] + 2 || r[3] < 0 || (size_t)r[2] > len ||
        (size_t)(r[2] + r[3]) > len) {
        report(V, "signature", SC_CHECK_FAIL,
               "field %s: its /ByteRange [%lld %lld %lld %lld] is not two ranges of this "
               "file around the signature",
               fn, r[0], r[1], r[2], r[3]);
        return;
    }
    size_t b = (size_t)r[1], c = (size_t)r[2], e = (size_t)(r[2] + r[3]);
    *end = e;
    /* the gap is exactly <hex>: the value of /Contents */
    qpdf_oh ct = sym_qpdf_oh_get_key(q, f->v, "/Contents");
    size_t nct = 0;
    const char *cv = sym_qpdf_oh_is_string(q, ct) ? sym_qpdf_oh_get_binary_string_value(q, ct, &nct)
                                              : NULL;
    int gap_ok = cv && d->bytes[b] == '<' && d->bytes[c - 1] == '>' &&
                 (c - b - 2) % 2 == 0 && (c - b - 2) / 2 >= nct;
    for (size_t i = b + 1; gap_ok && i + 1 < c; i += 2) {
        int hi = hexval(d->bytes[i]), lo = hexval(d->bytes[i + 1]);
        size_t k = (i - b - 1) / 2;
        gap_ok = hi >= 0 && lo >= 0 && (k >= nct ? (hi << 4 | lo) == 0
                                                 : (unsigned char)cv[k] == (hi << 4 | lo));
    }
    if (!gap_ok) {
        report(V, "signature", SC_CHECK_FAIL,
               "field %s: the bytes its range leaves out (%zu..%zu) are not just its "
               "/Contents: something else is unsigned",
               fn, b, c);
        return;
    }
    const unsigned char *p = (const unsigned char *)cv;
    CMS_ContentInfo *cms = sym_d2i_CMS_ContentInfo(NULL, &p, (long)nct);
    STACK_OF(CMS_SignerInfo) *sis = cms ? sym_CMS_get0_SignerInfos(cms) : NULL;
    CMS_SignerInfo *si = sis && sym_sk_CMS_SignerInfo_num(sis) == 1 ? sym_sk_CMS_SignerInfo_value(sis, 0)
                                                                 : NULL;
    if (!si) {
        report(V, "signature", SC_CHECK_FAIL,
               "field %s: /Contents is not a CMS signature with one signer", fn);
        sym_CMS_ContentInfo_free(cms);
        return;
    }
    X509_ALGOR *dalg = NULL;
    sym_CMS_SignerInfo_get0_algs(si, NULL, NULL, &dalg, NULL);
    const ASN1_OBJECT *dobj = NULL;
    sym_X509_ALGOR_get0(&dobj, NULL, NULL, dalg);
    const EVP_MD *md = dobj ? sym_EVP_get_digestbyobj(dobj) : NULL;
    unsigned char dig[EVP_MAX_MD_SIZE];
    unsigned ndig = 0;
    EVP_MD_CTX *mc = sym_EVP_MD_CTX_new();
    int ok = md && mc && sym_EVP_DigestInit_ex(mc, md, NULL) == 1 &&
             sym_EVP_DigestUpdate(mc, d->bytes, b) == 1 &&
             sym_EVP_DigestUpdate(mc, d->bytes + c, e - c) == 1 &&
             sym_EVP_DigestFinal_ex(mc, dig, &ndig) == 1;
    sym_EVP_MD_CTX_free(mc);
    ASN1_OCTET_STRING *mdattr = sym_CMS_signed_get0_data_by_OBJ(
        si, sym_OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING);
    char subf[64]; /* qpdf's strings live until its next call */
    snprintf(subf, sizeof subf, "%s", name_of(q, sym_qpdf_oh_get_key(q, f->v, "/SubFilter")));
    if (!ok || !mdattr) {
        report(V, "signature", SC_CHECK_FAIL,
               "field %s: no digest to compare (%s)", fn,
               !md ? "unknown digest algorithm" : "no message-digest attribute");
        sym_CMS_ContentInfo_free(cms);
        return;
    }
    if ((unsigned)sym_ASN1_STRING_length(mdattr) != ndig ||
        memcmp(sym_ASN1_STRING_get0_data(mdattr), dig, ndig)) {
        report(V, "signature", SC_CHECK_FAIL,
               "field %s: digest mismatch: the bytes it signed have changed since", fn);
        sym_CMS_ContentInfo_free(cms);
        return;
    }
    /* the signature value over the signed attributes (and the chain) */
    BIO *data = sym_BIO_new(sym_BIO_s_mem());
    ok = data && sym_BIO_write(data, d->bytes, (int)b) == (int)b &&
         sym_BIO_write(data, d->bytes + c, (int)(e - c)) == (int)(e - c);
    unsigned flags = CMS_BINARY | (V->store ? 0 : CMS_NO_SIGNER_CERT_VERIFY);
    ok = ok && sym_CMS_verify(cms, NULL, V->store, data, NULL, flags) == 1;
    sym_BIO_free(data);
    STACK_OF(X509) *signers = sym_CMS_get0_signers(cms);
    X509 *cert = signers && sym_sk_X509_num(signers) ? sym_sk_X509_value(signers, 0) : NULL;
    char cn[256];
    common_name(cert, cn, sizeof cn);
    if (!ok) {
        unsigned long oe = sym_ERR_get_error();
        const char *reason = oe ? sym_ERR_reason_error_string(oe) : NULL;
        report(V, "signature", SC_CHECK_FAIL, "field %s: the signature of %s does not verify%s: %s",
               fn, cn, V->store ? " against the CA" : "", reason ? reason : "no details");
        sym_ERR_clear_error();
        sym_sk_X509_free(signers);
        sym_CMS_ContentInfo_free(cms);
        return;
    }
    /* PAdES baseline: signing-certificate-v2 naming this certificate */
    ASN1_STRING *scv2 = sym_CMS_signed_get0_data_by_OBJ(
        si, sym_OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2), -3, V_ASN1_SEQUENCE);
    int ess = 0;
    if (scv2 && cert) {
        const unsigned char *sp = sym_ASN1_STRING_get0_data(scv2);
        ESS_SIGNING_CERT_V2 *v2 = sym_d2i_ESS_SIGNING_CERT_V2(NULL, &sp, sym_ASN1_STRING_length(scv2));
        STACK_OF(X509) *one = sym_sk_X509_new_null();
        ess = v2 && one && sym_sk_X509_push(one, cert) &&
              sym_OSSL_ESS_check_signing_certs(NULL, v2, one, 1) > 0;
        sym_sk_X509_free(one);
        sym_ESS_SIGNING_CERT_V2_free(v2);
        sym_ERR_clear_error();
    }
    int stime = sym_CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) >= 0;
    char *m = sc_pdfdoc_text(d, f->v, "/M");
    int pades = !strcmp(subf, "/ETSI.CAdES.detached");
    report(V, "signature", SC_CHECK_PASS,
           "field %s: signed by %s%s%s, %s, %s%s; the digest and the signature check out%s; it "
           "covers %s",
           fn, cn, m && m[0] ? " at " : "", m ? m : "", sym_EVP_MD_get0_name(md),
           subf[0] ? subf + 1 : "no /SubFilter",
           pades ? (ess && !stime ? " (PAdES baseline: signing-certificate-v2, no signing-time)"
                                  : ess ? " (signing-certificate-v2; a signing-time too)"
                                        : " (no signing-certificate-v2)")
                 : "",
           V->store ? ", and the certificate chains to the CA"
                    : " (certificate not checked: no --ca)",
           e == len ? "the whole file" : "an earlier revision");
    if (pades && !ess)
        report(V, "signature", SC_CHECK_FAIL,
               "field %s: ETSI.CAdES.detached without a signing-certificate-v2 naming the "
               "signer: not a PAdES signature", fn);
    sc_free(m);
    sym_sk_X509_free(signers);
    sym_CMS_ContentInfo_free(cms);
}

static void check_signatures(ver *V)
{
    sc_sigfield *f = NULL;
    int n = sc_pdfdoc_sigfields(V->d, &f);
    if (n < 0) {
        report(V, "signature", SC_CHECK_FAIL, "out of memory");
        return;
    }
    size_t last = 0;
    int nsigned = 0;
    for (int i = 0; i < n; i++) {
        const char *role = f[i].tu[0] ? f[i].tu : f[i].name;
        if (!f[i].v) {
            if (f[i].flags & FF_REQUIRED)
                report(V, "field", SC_CHECK_FAIL, "field %s (%s) must be signed and is not",
                       f[i].name, role);
            else
                report(V, "field", SC_CHECK_INFO, "field %s (%s) is not signed", f[i].name,
                       role);
            continue;
        }
        nsigned++;
        size_t end = 0;
        check_signature(V, &f[i], &end);
        if (end > last)
            last = end;
    }
    if (!nsigned)
        report(V, "signature", SC_CHECK_FAIL,
               "the file is not signed: nothing shows that it is unchanged");
    else if (last != V->d->len)
        report(V, "signature", SC_CHECK_FAIL,
               "the last %zu bytes of the file are covered by no signature: it was changed "
               "after the last signature",
               V->d->len - last);
    else
        report(V, "signature", SC_CHECK_PASS, "the last signature covers the whole file");
    sc_sigfields_free(f, n);
}

/* ---- 2. PDF/A ------------------------------------------------------------- */

/* A PDF date (D:YYYYMMDDHHmmSS+HH'mm') or an XMP date (YYYY-MM-DDThh:mm:ss
 * +hh:mm) as seconds since 1970 UTC; 1 if it parses. */
static int parse_date(const char *s, long long *out)
{
    int v[6] = {0, 1, 1, 0, 0, 0}, k = 0;
    if (!strncmp(s, "D:", 2))
        s += 2;
    static const int width[6] = {4, 2, 2, 2, 2, 2};
    while (k < 6 && *s) {
        if (*s == '-' || *s == 'T' || *s == ':')
            s++;
        int x = 0, n = 0;
        while (n < width[k] && *s >= '0' && *s <= '9')
            x = x * 10 + (*s++ - '0'), n++;
        if (n != width[k])
            break;
        v[k++] = x;
    }
    if (k < 1)
        return 0;
    long long off = 0;
    if (*s == '+' || *s == '-') {
        int sign = *s++ == '-' ? -1 : 1, hh = 0, mm = 0;
        for (int n = 0; n < 2 && *s >= '0' && *s <= '9'; n++)
            hh = hh * 10 + (*s++ - '0');
        while (*s == '\'' || *s == ':')
            s++;
        for (int n = 0; n < 2 && *s >= '0' && *s <= '9'; n++)
            mm = mm * 10 + (*s++ - '0');
        off = sign * (hh * 3600LL + mm * 60LL);
    }
    /* days from civil (Howard Hinnant) */
    long long y = v[0] - (v[1] <= 2);
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (v[1] + (v[1] > 2 ? -3 : 9)) + 2) / 5 + v[2] - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long long days = era * 146097 + doe - 719468;
    *out = days * 86400 + v[3] * 3600LL + v[4] * 60LL + v[5] - off;
    return 1;
}

static char *xmp_value(xmlXPathContextPtr xc, const char *path)
{
    xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)path, xc);
    char *v = NULL;
    if (r && r->nodesetval && r->nodesetval->nodeNr > 0) {
        xmlChar *t = xmlNodeGetContent(r->nodesetval->nodeTab[0]);
        v = sc_strdup(t ? (const char *)t : "");
        xmlFree(t);
    }
    xmlXPathFreeObject(r);
    return v;
}

/* The XMP packet: well-formed, its pdfaid, and the information dictionary
 * saying the same. */
static void check_xmp(ver *V, int *part)
{
    sc_pdfdoc *d = V->d;
    qpdf_data q = d->q;
    *part = 0;
    qpdf_oh md = sym_qpdf_oh_get_key(q, sym_qpdf_get_root(q), "/Metadata");
    if (!sym_qpdf_oh_is_stream(q, md)) {
        report(V, "pdfa", SC_CHECK_FAIL, "no XMP metadata stream in the catalog");
        return;
    }
    if (sym_qpdf_oh_has_key(q, sym_qpdf_oh_get_dict(q, md), "/Filter")) {
        report(V, "pdfa", SC_CHECK_FAIL, "the XMP metadata stream is compressed (/Filter)");
        return;
    }
    unsigned char *x = NULL;
    size_t n = 0;
    sc_error e;
    if (sc_pdfdoc_stream(d, md, &x, &n, &e) != SC_OK) {
        report(V, "pdfa", SC_CHECK_FAIL, "the XMP metadata cannot be read: %s", e.message);
        return;
    }
    char msg[256] = "";
    sc_xml_quiet qt;
    sc_xml_quiet_begin(&qt, msg, sizeof msg);
    xmlDocPtr doc = xmlReadMemory((const char *)x, (int)n, "xmp.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    sc_xml_quiet_end(&qt);
    free(x);
    if (!doc) {
        xmlErrorPtr xe = xmlGetLastError();
        report(V, "pdfa", SC_CHECK_FAIL, "the XMP metadata is not well-formed XML: %s",
               xe && xe->message ? xe->message : msg);
        return;
    }
    xmlXPathContextPtr xc = xmlXPathNewContext(doc);
    static const char *const ns[][2] = {
        {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
        {"dc", "http://purl.org/dc/elements/1.1/"},
        {"xmp", "http://ns.adobe.com/xap/1.0/"},
        {"pdf", "http://ns.adobe.com/pdf/1.3/"},
        {"pdfaid", "http://www.aiim.org/pdfa/ns/id/"}};
    for (size_t i = 0; xc && i < sizeof ns / sizeof *ns; i++)
        xmlXPathRegisterNs(xc, (const xmlChar *)ns[i][0], (const xmlChar *)ns[i][1]);
    char *pt = xc ? xmp_value(xc, "//pdfaid:part | //@pdfaid:part") : NULL;
    char *cf = xc ? xmp_value(xc, "//pdfaid:conformance | //@pdfaid:conformance") : NULL;
    *part = pt ? atoi(pt) : 0;
    if (*part < 1 || *part > 4 || !cf || !cf[0])
        report(V, "pdfa", SC_CHECK_FAIL, "the XMP declares no PDF/A part and conformance");
    else
        report(V, "pdfa", SC_CHECK_PASS, "XMP: well-formed, declares PDF/A-%d%s", *part, cf);
    /* the information dictionary = the XMP */
    static const struct {
        const char *info, *xpath;
        int date;
    } eq[] = {{"/Title", "//dc:title/rdf:Alt/rdf:li[@xml:lang='x-default']", 0},
              {"/Creator", "//xmp:CreatorTool", 0},
              {"/Producer", "//pdf:Producer", 0},
              {"/CreationDate", "//xmp:CreateDate", 1},
              {"/ModDate", "//xmp:ModifyDate", 1}};
    qpdf_oh info = sym_qpdf_oh_get_key(q, sym_qpdf_get_trailer(q), "/Info");
    int same = 1;
    for (size_t i = 0; xc && i < sizeof eq / sizeof *eq; i++) {
        char *iv = sym_qpdf_oh_is_dictionary(q, info) ? sc_pdfdoc_text(d, info, eq[i].info) : NULL;
        char *xv = xmp_value(xc, eq[i].xpath);
        int has_i = iv && iv[0], has_x = xv != NULL;
        int agree = has_i == has_x;
        if (agree && has_i) {
            long long a, b;
            agree = eq[i].date ? parse_date(iv, &a) && parse_date(xv, &b) && a == b
                               : !strcmp(iv, xv);
        }
        if (!agree) {
            report(V, "pdfa", SC_CHECK_FAIL,
                   "the information dictionary's %s (%s) and the XMP (%s) disagree",
                   eq[i].info + 1, has_i ? iv : "absent", has_x ? xv : "absent");
            same = 0;
        }
        sc_free(iv);
        sc_free(xv);
    }
    if (same && xc)
        report(V, "pdfa", SC_CHECK_PASS,
               "the information dictionary says what the XMP says (title, creator, producer, "
               "dates)");
    sc_free(pt);
    sc_free(cf);
    xmlXPathFreeContext(xc);
    xmlFreeDoc(doc);
}

static void check_output_intent(ver *V)
{
    sc_pdfdoc *d = V->d;
    qpdf_data q = d->q;
    qpdf_oh ois = sym_qpdf_oh_get_key(q, sym_qpdf_get_root(q), "/OutputIntents");
    int n = sym_qpdf_oh_is_array(q, ois) ? sym_qpdf_oh_get_array_n_items(q, ois) : 0, found = 0;
    qpdf_oh oi = 0;
    for (int i = 0; i < n; i++) {
        qpdf_oh x = sym_qpdf_oh_get_array_item(q, ois, i);
        if (!strcmp(name_of(q, sym_qpdf_oh_get_key(q, x, "/S")), "/GTS_PDFA1")) {
            found++;
            oi = x;
        }
    }
    if (found != 1) {
        report(V, "pdfa", SC_CHECK_FAIL, "%d PDF/A output intents (/GTS_PDFA1), not one", found);
        return;
    }
    qpdf_oh icc = sym_qpdf_oh_get_key(q, oi, "/DestOutputProfile");
    unsigned char *b = NULL;
    size_t len = 0;
    sc_error e;
    if (sc_pdfdoc_stream(d, icc, &b, &len, &e) != SC_OK) {
        report(V, "pdfa", SC_CHECK_FAIL, "the output intent has no readable ICC profile");
        return;
    }
    int nc = sym_qpdf_oh_get_int_value_as_int(q, sym_qpdf_oh_get_key(q, sym_qpdf_oh_get_dict(q, icc), "/N"));
    int want = len >= 128 ? (!memcmp(b + 16, "RGB ", 4) ? 3 : !memcmp(b + 16, "GRAY", 4) ? 1
                                                          : !memcmp(b + 16, "CMYK", 4) ? 4 : 0)
                          : 0;
    int ok = len >= 128 && !memcmp(b + 36, "acsp", 4) && want && want == nc;
    report(V, "pdfa", ok ? SC_CHECK_PASS : SC_CHECK_FAIL,
           ok ? "one output intent, its ICC profile (%zu bytes, %d components) matches /N"
              : "the output intent's ICC profile (%zu bytes) is not an ICC profile with %d "
                "components as /N says",
           len, nc);
    free(b);
}

/* Every file spec of the EmbeddedFiles name tree into out (ids). */
static void tree_files(qpdf_data q, qpdf_oh node, int depth, qpdf_oh *out, int *n, int cap)
{
    if (depth > 16)
        return;
    qpdf_oh names = sym_qpdf_oh_get_key(q, node, "/Names");
    int nn = sym_qpdf_oh_is_array(q, names) ? sym_qpdf_oh_get_array_n_items(q, names) : 0;
    for (int i = 1; i < nn && *n < cap; i += 2)
        out[(*n)++] = sym_qpdf_oh_get_array_item(q, names, i);
    qpdf_oh kids = sym_qpdf_oh_get_key(q, node, "/Kids");
    int nk = sym_qpdf_oh_is_array(q, kids) ? sym_qpdf_oh_get_array_n_items(q, kids) : 0;
    for (int i = 0; i < nk; i++)
        tree_files(q, sym_qpdf_oh_get_array_item(q, kids, i), depth + 1, out, n, cap);
}

#define MAX_FILES 4096

static int embedded_files(sc_pdfdoc *d, qpdf_oh *out)
{
    qpdf_data q = d->q;
    int n = 0;
    qpdf_oh ef = sym_qpdf_oh_get_key(q, sym_qpdf_oh_get_key(q, sym_qpdf_get_root(q), "/Names"),
                                 "/EmbeddedFiles");
    if (sym_qpdf_oh_is_dictionary(q, ef))
        tree_files(q, ef, 0, out, &n, MAX_FILES);
    return n;
}

static void check_files(ver *V, int part)
{
    sc_pdfdoc *d = V->d;
    qpdf_data q = d->q;
    qpdf_oh *fs = sc_malloc(MAX_FILES * sizeof *fs);
    if (!fs) {
        report(V, "pdfa", SC_CHECK_FAIL, "out of memory");
        return;
    }
    int n = embedded_files(d, fs);
    qpdf_oh af = sym_qpdf_oh_get_key(q, sym_qpdf_get_root(q), "/AF");
    int naf = sym_qpdf_oh_is_array(q, af) ? sym_qpdf_oh_get_array_n_items(q, af) : 0;
    if (n && part == 1)
        report(V, "pdfa", SC_CHECK_FAIL, "PDF/A-1 allows no embedded files; this one has %d", n);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        char *name = sc_pdfdoc_text(d, fs[i], "/UF");
        qpdf_oh efs = sym_qpdf_oh_get_key(q, sym_qpdf_oh_get_key(q, fs[i], "/EF"), "/F");
        qpdf_oh sd = sym_qpdf_oh_get_dict(q, efs);
        const char *missing = !sym_qpdf_oh_has_key(q, fs[i], "/F") ? "/F"
                              : !name || !name[0] ? "/UF"
                              : !sym_qpdf_oh_is_name(q, sym_qpdf_oh_get_key(q, fs[i], "/AFRelationship"))
                                  ? "/AFRelationship"
                              : !sym_qpdf_oh_is_stream(q, efs) ? "/EF /F"
                              : !sym_qpdf_oh_is_name(q, sym_qpdf_oh_get_key(q, sd, "/Subtype"))
                                  ? "/Subtype (its MIME type)"
                              : !sym_qpdf_oh_has_key(q, sym_qpdf_oh_get_key(q, sd, "/Params"), "/ModDate")
                                  ? "/Params /ModDate"
                                  : NULL;
        int listed = 0, id = sym_qpdf_oh_get_object_id(q, fs[i]);
        for (int k = 0; k < naf && !listed; k++)
            listed = id > 0 && sym_qpdf_oh_get_object_id(q, sym_qpdf_oh_get_array_item(q, af, k)) == id;
        if (missing || !listed) {
            report(V, "pdfa", SC_CHECK_FAIL, "embedded file %s: %s%s",
                   name && name[0] ? name : "?", missing ? "no " : "",
                   missing ? missing : "not listed in the catalog's /AF");
            bad++;
        }
        sc_free(name);
    }
    if (n && !bad)
        report(V, "pdfa", SC_CHECK_PASS,
               "%d embedded files, each an associated file (/F /UF /AFRelationship /Subtype "
               "/Params /ModDate, listed in /AF)",
               n);
    sc_free(fs);
}

static void check_annotations(ver *V, int part)
{
    qpdf_data q = V->d->q;
    int np = sym_qpdf_get_num_pages(q), total = 0, bad = 0;
    for (int p = 0; p < np; p++) {
        qpdf_oh annots = sym_qpdf_oh_get_key(q, sym_qpdf_get_page_n(q, (size_t)p), "/Annots");
        int na = sym_qpdf_oh_is_array(q, annots) ? sym_qpdf_oh_get_array_n_items(q, annots) : 0;
        for (int k = 0; k < na; k++) {
            qpdf_oh a = sym_qpdf_oh_get_array_item(q, annots, k);
            total++;
            qpdf_oh fo = sym_qpdf_oh_get_key(q, a, "/F");
            int fl = sym_qpdf_oh_is_integer(q, fo) ? sym_qpdf_oh_get_int_value_as_int(q, fo) : 0;
            if (!(fl & F_PRINT) || (fl & (F_INVISIBLE | F_HIDDEN | F_NOVIEW))) {
                report(V, "pdfa", SC_CHECK_FAIL,
                       "an annotation on page %d is not printable (/F %d)", p + 1, fl);
                bad++;
                continue;
            }
            /* PDF/A-2 and -3: an appearance with only /N, unless zero-sized */
            qpdf_oh r = sym_qpdf_oh_get_key(q, a, "/Rect");
            double v[4] = {0, 0, 0, 0};
            for (int i = 0; sym_qpdf_oh_is_array(q, r) && i < 4; i++)
                v[i] = sym_qpdf_oh_get_numeric_value(q, sym_qpdf_oh_get_array_item(q, r, i));
            qpdf_oh ap = sym_qpdf_oh_get_key(q, a, "/AP");
            int zero = v[0] == v[2] && v[1] == v[3];
            if (part >= 2 && !zero &&
                (!sym_qpdf_oh_is_dictionary(q, ap) || !sym_qpdf_oh_has_key(q, ap, "/N") ||
                 sym_qpdf_oh_has_key(q, ap, "/D") || sym_qpdf_oh_has_key(q, ap, "/R"))) {
                report(V, "pdfa", SC_CHECK_FAIL,
                       "an annotation on page %d has no appearance of its own (/AP /N only)",
                       p + 1);
                bad++;
            }
        }
    }
    if (!bad)
        report(V, "pdfa", SC_CHECK_PASS, "%d annotations, all printable%s", total,
               part >= 2 ? ", each with its appearance" : "");
}

/* Every object reachable from the trailer, once: no JavaScript, no
 * additional actions. */
typedef struct walk {
    qpdf_data q;
    unsigned char *seen;
    int nseen;
    int js, aa;
} walk;

static void visit(walk *W, qpdf_oh o, int depth)
{
    qpdf_data q = W->q;
    if (depth > 64)
        return;
    int id = sym_qpdf_oh_get_object_id(q, o);
    if (id > 0) {
        if (id >= W->nseen || W->seen[id])
            return;
        W->seen[id] = 1;
    }
    if (sym_qpdf_oh_is_array(q, o)) {
        int n = sym_qpdf_oh_get_array_n_items(q, o);
        for (int i = 0; i < n; i++)
            visit(W, sym_qpdf_oh_get_array_item(q, o, i), depth + 1);
        return;
    }
    qpdf_oh dict = sym_qpdf_oh_is_stream(q, o) ? sym_qpdf_oh_get_dict(q, o) : o;
    if (!sym_qpdf_oh_is_dictionary(q, dict))
        return;
    if (sym_qpdf_oh_has_key(q, dict, "/JS") ||
        !strcmp(name_of(q, sym_qpdf_oh_get_key(q, dict, "/S")), "/JavaScript") ||
        sym_qpdf_oh_has_key(q, dict, "/JavaScript"))
        W->js++;
    if (sym_qpdf_oh_has_key(q, dict, "/AA"))
        W->aa++;
    char keys[64][64];
    int nk = 0;
    sym_qpdf_oh_begin_dict_key_iter(q, dict);
    while (sym_qpdf_oh_dict_more_keys(q) && nk < 64)
        snprintf(keys[nk++], sizeof keys[0], "%s", sym_qpdf_oh_dict_next_key(q));
    for (int i = 0; i < nk; i++)
        if (strcmp(keys[i], "/Parent") && strcmp(keys[i], "/P"))
            visit(W, sym_qpdf_oh_get_key(q, dict, keys[i]), depth + 1);
}

static void check_scripts(ver *V)
{
    qpdf_data q = V->d->q;
    walk W = {q, NULL, 0, 0, 0};
    W.nseen = sym_qpdf_oh_get_int_value_as_int(q, sym_qpdf_oh_get_key(q, sym_qpdf_get_trailer(q), "/Size"));
    if (W.nseen <= 0 || W.nseen > 10000000 || !(W.seen = sc_calloc((size_t)W.nseen, 1))) {
        report(V, "pdfa", SC_CHECK_FAIL, "cannot walk the objects (/Size %d)", W.nseen);
        return;
    }
    visit(&W, sym_qpdf_get_trailer(q), 0);
    sc_free(W.seen);
    if (W.js || W.aa)
        report(V, "pdfa", SC_CHECK_FAIL, "JavaScript (%d) or additional actions (%d) in the file",
               W.js, W.aa);
    else
        report(V, "pdfa", SC_CHECK_PASS, "no JavaScript, no additional actions");
}

static void check_pdfa(ver *V)
{
    qpdf_data q = V->d->q;
    qpdf_oh tr = sym_qpdf_get_trailer(q);
    if (sym_qpdf_oh_has_key(q, tr, "/Encrypt"))
        report(V, "pdfa", SC_CHECK_FAIL, "the file is encrypted (/Encrypt): PDF/A forbids it");
    qpdf_oh id = sym_qpdf_oh_get_key(q, tr, "/ID");
    report(V, "pdfa",
           sym_qpdf_oh_is_array(q, id) && sym_qpdf_oh_get_array_n_items(q, id) == 2 ? SC_CHECK_PASS
                                                                           : SC_CHECK_FAIL,
           "the trailer has %s /ID", sym_qpdf_oh_is_array(q, id) ? "an" : "no");
    int part = 0;
    check_xmp(V, &part);
    check_output_intent(V);
    check_files(V, part);
    check_annotations(V, part);
    check_scripts(V);
}

/* ---- 3. the record inside ------------------------------------------------- */

/* The text of a page as its ToUnicode maps say, one line per text
 * positioning operator: enough to find the printed figures. */
typedef struct umap {
    unsigned *code;
    char **utf8;
    int n, cap;
} umap;

static void umap_free(umap *m)
{
    for (int i = 0; i < m->n; i++)
        sc_free(m->utf8[i]);
    sc_free(m->code);
    sc_free(m->utf8);
    memset(m, 0, sizeof *m);
}

/* UTF-16BE hex digits h[0..n) as UTF-8 into b. */
static void u16hex_utf8(const char *h, size_t n, sc_buf *b)
{
    unsigned hi = 0;
    for (size_t i = 0; i + 4 <= n; i += 4) {
        unsigned u = 0;
        for (int k = 0; k < 4; k++)
            u = u << 4 | (unsigned)hexval(h[i + k]);
        uint32_t cp = u;
        if (u >= 0xD800 && u < 0xDC00) {
            hi = u;
            continue;
        }
        if (u >= 0xDC00 && u < 0xE000 && hi) {
            cp = 0x10000 + ((hi - 0xD800) << 10) + (u - 0xDC00);
            hi = 0;
        }
        char o[4];
        int k = cp < 0x80 ? (o[0] = (char)cp, 1)
                : cp < 0x800 ? (o[0] = (char)(0xC0 | cp >> 6), o[1] = (char)(0x80 | (cp & 63)), 2)
                : cp < 0x10000 ? (o[0] = (char)(0xE0 | cp >> 12),
                                  o[1] = (char)(0x80 | (cp >> 6 & 63)),
                                  o[2] = (char)(0x80 | (cp & 63)), 3)
                               : (o[0] = (char)(0xF0 | cp >> 18),
                                  o[1] = (char)(0x80 | (cp >> 12 & 63)),
                                  o[2] = (char)(0x80 | (cp >> 6 & 63)),
                                  o[3] = (char)(0x80 | (cp & 63)), 4);
        sc_buf_append(b, o, (size_t)k);
    }
}

static void umap_add(umap *m, unsigned code, const char *h, size_t n)
{
    if (m->n == m->cap) {
        int cap = m->cap ? m->cap * 2 : 256;
        unsigned *c = sc_realloc(m->code, (size_t)cap * sizeof *c);
        if (c)
            m->code = c;
        char **u = c ? sc_realloc(m->utf8, (size_t)cap * sizeof *u) : NULL;
        if (!c || !u)
            return;
        m->utf8 = u;
        m->cap = cap;
    }
    sc_buf b = {0};
    u16hex_utf8(h, n, &b);
    m->code[m->n] = code;
    m->utf8[m->n++] = b.data ? b.data : sc_strdup("");
}

/* A ToUnicode CMap's bfchar and bfrange entries (hex only; a bfrange's
 * destination a string counting up, or an array of one per code). */
static void parse_cmap(const char *s, size_t n, umap *m)
{
    const char *end = s + n;
    int mode = 0; /* 1 bfchar, 2 bfrange */
    while (s < end) {
        while (s < end && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t'))
            s++;
        if (end - s >= 11 && !memcmp(s, "beginbfchar", 11)) {
            mode = 1;
            s += 11;
            continue;
        }
        if (end - s >= 12 && !memcmp(s, "beginbfrange", 12)) {
            mode = 2;
            s += 12;
            continue;
        }
        if (end - s >= 3 && !memcmp(s, "end", 3)) {
            mode = 0;
            while (s < end && *s > ' ')
                s++;
            continue;
        }
        if (!mode || *s != '<') {
            while (s < end && *s > ' ')
                s++;
            continue;
        }
        const char *t[3];
        size_t tl[3];
        int k = 0;
        while (k < (mode == 1 ? 2 : 3) && s < end) {
            while (s < end && *s != '<' && *s != '[')
                s++;
            if (s >= end || *s == '[')
                break;
            t[k] = ++s;
            while (s < end && *s != '>')
                s++;
            tl[k] = (size_t)(s - t[k]);
            k++;
            s++;
        }
        if (mode == 2 && k == 2 && s < end && *s == '[') {
            /* <lo> <hi> [<u1> <u2> ...]: a destination per code */
            unsigned c = 0;
            for (size_t i = 0; i < tl[0]; i++)
                c = c << 4 | (unsigned)hexval(t[0][i]);
            for (s++; s < end && *s != ']'; s++) {
                if (*s != '<')
                    continue;
                const char *u = ++s;
                while (s < end && *s != '>')
                    s++;
                if (s - u <= 32)
                    umap_add(m, c, u, (size_t)(s - u));
                c++;
            }
            continue;
        }
        if (k < (mode == 1 ? 2 : 3)) {
            while (s < end && *s != ']' && *s != '\n')
                s++;
            continue;
        }
        unsigned lo = 0, hi = 0;
        for (size_t i = 0; i < tl[0]; i++)
            lo = lo << 4 | (unsigned)hexval(t[0][i]);
        if (mode == 1) {
            umap_add(m, lo, t[1], tl[1]);
            continue;
        }
        for (size_t i = 0; i < tl[1]; i++)
            hi = hi << 4 | (unsigned)hexval(t[1][i]);
        char h[64];
        if (tl[2] > 8 || hi < lo || hi - lo > 65535)
            continue;
        unsigned base = 0;
        for (size_t i = 0; i < tl[2]; i++)
            base = base << 4 | (unsigned)hexval(t[2][i]);
        for (unsigned c = lo; c <= hi; c++) {
            snprintf(h, sizeof h, "%0*X", (int)tl[2], base + (c - lo));
            umap_add(m, c, h, tl[2]);
        }
    }
}

typedef struct pfont {
    char name[64];
    umap m;
} pfont;

static void decode_string(const pfont *f, const unsigned char *s, size_t n, sc_buf *out)
{
    if (!f)
        return;
    for (size_t i = 0; i + 1 < n; i += 2) {
        unsigned code = (unsigned)s[i] << 8 | s[i + 1];
        for (int k = 0; k < f->m.n; k++)
            if (f->m.code[k] == code) {
                sc_buf_puts(out, f->m.utf8[k]);
                break;
            }
    }
}

/* A string operand of the content stream at *p: (literal) or <hex>. */
static size_t read_string(const unsigned char *p, const unsigned char *end, sc_buf *s)
{
    const unsigned char *st = p;
    if (*p == '<') {
        p++;
        int half = -1;
        while (p < end && *p != '>') {
            int v = hexval(*p++);
            if (v < 0)
                continue;
            if (half < 0) {
                half = v;
            } else {
                char c = (char)(half << 4 | v);
                sc_buf_append(s, &c, 1);
                half = -1;
            }
        }
        return (size_t)(p - st) + 1;
    }
    int depth = 0;
    p++;
    while (p < end) {
        unsigned char c = *p++;
        if (c == '\\' && p < end) {
            unsigned char x = *p++;
            char o = (char)(x == 'n' ? '\n' : x == 'r' ? '\r' : x == 't' ? '\t' : x);
            if (x >= '0' && x <= '7') {
                int v = x - '0';
                for (int k = 0; k < 2 && p < end && *p >= '0' && *p <= '7'; k++)
                    v = v * 8 + (*p++ - '0');
                o = (char)v;
            }
            sc_buf_append(s, &o, 1);
            continue;
        }
        if (c == '(')
            depth++;
        if (c == ')' && depth-- == 0)
            break;
        sc_buf_append(s, (const char *)&c, 1);
    }
    return (size_t)(p - st);
}

static pfont *font_for(sc_pdfdoc *d, qpdf_oh page, const char *res, pfont *fonts, int *nf)
{
    for (int i = 0; i < *nf; i++)
        if (!strcmp(fonts[i].name, res))
            return &fonts[i];
    if (*nf == 32)
        return NULL;
    qpdf_data q = d->q;
    qpdf_oh resd = sym_qpdf_oh_get_key(q, page, "/Resources");
    char key[70];
    snprintf(key, sizeof key, "/%s", res);
    qpdf_oh font = sym_qpdf_oh_get_key(q, sym_qpdf_oh_get_key(q, resd, "/Font"), key);
    pfont *f = &fonts[(*nf)++];
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%s", res);
    unsigned char *b = NULL;
    size_t n = 0;
    sc_error e;
    if (sc_pdfdoc_stream(d, sym_qpdf_oh_get_key(q, font, "/ToUnicode"), &b, &n, &e) == SC_OK)
        parse_cmap((const char *)b, n, &f->m);
    free(b);
    return f;
}

static void page_text(sc_pdfdoc *d, qpdf_oh page, sc_buf *out)
{
    unsigned char *c = NULL;
    size_t n = 0;
    if (sym_qpdf_oh_get_page_content_data(d->q, page, &c, &n) & QPDF_ERRORS) {
        free(c);
        return;
    }
    pfont fonts[32];
    int nf = 0;
    pfont *cur = NULL;
    char lastname[64] = "";
    sc_buf strs = {0}; /* the string operands since the last operator, \0-separated */
    const unsigned char *p = c, *end = c + n;
    while (p < end) {
        unsigned char ch = *p;
        if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t' || ch == '[' || ch == ']') {
            p++;
        } else if (ch == '%') {
            while (p < end && *p != '\n')
                p++;
        } else if (ch == '(' || (ch == '<' && p + 1 < end && p[1] != '<')) {
            sc_buf s = {0};
            p += read_string(p, end, &s);
            size_t len = s.len;
            sc_buf_append(&strs, (const char *)&len, sizeof len);
            sc_buf_append(&strs, s.data ? s.data : "", s.len);
            sc_buf_free(&s);
        } else if (ch == '/') {
            size_t k = 0;
            p++;
            while (p < end && *p > ' ' && !strchr("/[]()<>{}%", *p) && k < sizeof lastname - 1)
                lastname[k++] = (char)*p++;
            lastname[k] = '\0';
        } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '\'' ||
                   ch == '"' || ch == '*') {
            char op[8];
            size_t k = 0;
            while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                               *p == '*' || *p == '\'' || *p == '"') &&
                   k < sizeof op - 1)
                op[k++] = (char)*p++;
            op[k] = '\0';
            if (!strcmp(op, "Tf")) {
                cur = font_for(d, page, lastname, fonts, &nf);
            } else if (!strcmp(op, "Tj") || !strcmp(op, "TJ") || !strcmp(op, "'") ||
                       !strcmp(op, "\"")) {
                for (size_t at = 0; at + sizeof(size_t) <= strs.len;) {
                    size_t len;
                    memcpy(&len, strs.data + at, sizeof len);
                    at += sizeof len;
                    decode_string(cur, (const unsigned char *)strs.data + at, len, out);
                    at += len;
                }
            } else if (!strcmp(op, "Td") || !strcmp(op, "TD") || !strcmp(op, "Tm") ||
                       !strcmp(op, "T*") || !strcmp(op, "ET")) {
                sc_buf_puts(out, "\n");
            } else if (!strcmp(op, "BI")) { /* inline image: skip to EI */
                while (p + 2 < end && !(p[0] == 'E' && p[1] == 'I' && p[2] <= ' '))
                    p++;
                p += 2;
            }
            strs.len = 0;
        } else {
            p++; /* numbers, dictionaries' brackets */
        }
    }
    sc_buf_free(&strs);
    for (int i = 0; i < nf; i++)
        umap_free(&fonts[i].m);
    free(c);
}

/* The embedded data file a source goes with: "X-record.xml" -> "X-results.xml". */
static int results_for(sc_pdfdoc *d, const qpdf_oh *fs, int n, const char *src_name)
{
    char want[600];
    size_t sl = strlen(src_name);
    if (sl < 11 || strcmp(src_name + sl - 11, "-record.xml"))
        return -1;
    snprintf(want, sizeof want, "%.*s-results.xml", (int)(sl - 11), src_name);
    for (int i = 0; i < n; i++) {
        char *nm = sc_pdfdoc_text(d, fs[i], "/UF");
        int hit = nm && !strcmp(nm, want);
        sc_free(nm);
        if (hit)
            return i;
    }
    return -1;
}

typedef struct first_problem {
    sc_error e;
    int n;
} first_problem;

static void keep_first(void *ud, const sc_error *e)
{
    first_problem *fp = ud;
    if (!fp->n++)
        fp->e = *e;
}

/* An attribute of the root of an XML text, malloc'd ("" if absent). */
static char *root_attr(const char *xml, size_t n, const char *name)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)n, "results.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlNodePtr r = doc ? xmlDocGetRootElement(doc) : NULL;
    const char *v = r ? sc_xml_attr(r, name) : NULL;
    char *out = sc_strdup(v ? v : "");
    xmlFreeDoc(doc);
    return out;
}

static void check_one_record(ver *V, const char *name, const unsigned char *src, size_t nsrc,
                             const unsigned char *res, size_t nres, const char *printed)
{
    first_problem fp;
    memset(&fp, 0, sizeof fp);
    sc_reader *r = NULL;
    sc_record *rec = NULL;
    sc_error err;
    memset(&err, 0, sizeof err);
    sc_status st = sc_reader_open_mem(&r, name, (const char *)src, nsrc, keep_first, &fp, &err);
    if (st == SC_OK)
        st = sc_reader_next(r, &rec, &err);
    if (st == SC_OK) {
        sc_record *more = NULL;
        sc_error e2;
        if (sc_reader_next(r, &more, &e2) != SC_END) {
            sc_record_free(more);
            report(V, "record", SC_CHECK_FAIL, "%s holds more than one employee", name);
            sc_record_free(rec);
            sc_reader_free(r);
            return;
        }
    }
    sc_reader_free(r);
    if (st != SC_OK || !rec) {
        const sc_error *e = fp.n ? &fp.e : &err;
        report(V, "record", SC_CHECK_FAIL, "%s is not a valid record: line %d: %s%s%s", name,
               e->line, e->message, e->field[0] ? ", field " : "", e->field);
        sc_record_free(rec);
        return;
    }
    report(V, "record", SC_CHECK_PASS,
           "%s: employee %s, valid against the schema and the data checks; scored again: "
           "total %s, grade %s, bonus %s",
           name, rec->label, rec->total[0] ? rec->total : "-", rec->grade[0] ? rec->grade : "-",
           rec->bonus[0] ? rec->bonus : "-");
    char *mine = NULL;
    size_t nmine = 0;
    if (sc_record_results(rec, &mine, &nmine, &err) != SC_OK) {
        report(V, "record", SC_CHECK_FAIL, "%s: %s", name, err.message);
    } else if (!res) {
        report(V, "record", SC_CHECK_FAIL, "%s: no embedded results (/Data) to compare with",
               name);
    } else if (nres != nmine || memcmp(res, mine, nmine)) {
        static const char *const keys[] = {"total", "grade", "bonus"};
        int said = 0;
        for (int i = 0; i < 3; i++) {
            char *a = root_attr((const char *)res, nres, keys[i]);
            char *b = root_attr(mine, nmine, keys[i]);
            if (a && b && strcmp(a, b)) {
                report(V, "record", SC_CHECK_FAIL,
                       "%s: the embedded results say %s %s, the embedded record scores %s",
                       name, keys[i], a[0] ? a : "(none)", b[0] ? b : "(none)");
                said = 1;
            }
            sc_free(a);
            sc_free(b);
        }
        if (!said)
            report(V, "record", SC_CHECK_FAIL,
                   "%s: the embedded results differ from the embedded record scored again "
                   "(a KPI score or subtotal)", name);
    } else {
        report(V, "record", SC_CHECK_PASS,
               "%s: the embedded results equal the record scored again, KPI by KPI", name);
    }
    sc_free(mine);
    /* What the pages print.  The text of the pages is searched, not a
     * cell: a template decides where (and whether) a grade or a bonus is
     * printed.  The total must be there; a grade or bonus the pages do
     * not show is noted, unless they show the embedded results' one
     * instead: then the print no longer follows from the data. */
    static const char *const what[] = {"total", "grade", "bonus"};
    const char *vals[] = {rec->total, rec->grade, rec->bonus};
    int shown = 0, missing = 0;
    for (int i = 0; i < 3; i++) {
        if (!vals[i][0])
            continue;
        char *stated = res ? root_attr((const char *)res, nres, what[i]) : NULL;
        if (strstr(printed, vals[i])) {
            shown++;
        } else if (i == 0 || (stated && stated[0] && strcmp(stated, vals[i]) &&
                              strstr(printed, stated))) {
            report(V, "record", SC_CHECK_FAIL,
                   "%s: the pages do not print the %s %s that the record scores%s%s", name,
                   what[i], vals[i], stated && stated[0] && strstr(printed, stated) ? "; they print "
                                                                                    : "",
                   stated && stated[0] && strstr(printed, stated) ? stated : "");
            missing++;
        } else {
            report(V, "record", SC_CHECK_INFO, "%s: the sheet does not print its %s (%s)", name,
                   what[i], vals[i]);
        }
        sc_free(stated);
    }
    if (!missing)
        report(V, "record", SC_CHECK_PASS,
               "%s: the pages print the %d figure%s the record scores (the total%s)", name, shown,
               shown == 1 ? "" : "s", shown > 1 ? " among them" : "");
    sc_record_free(rec);
}

static void check_records(ver *V)
{
    sc_pdfdoc *d = V->d;
    qpdf_data q = d->q;
    qpdf_oh *fs = sc_malloc(MAX_FILES * sizeof *fs);
    sc_buf printed = {0};
    if (!fs) {
        report(V, "record", SC_CHECK_FAIL, "out of memory");
        return;
    }
    int n = embedded_files(d, fs), nsrc = 0;
    for (int p = 0; p < sym_qpdf_get_num_pages(q); p++)
        page_text(d, sym_qpdf_get_page_n(q, (size_t)p), &printed);
    for (int i = 0; i < n; i++) {
        if (strcmp(name_of(q, sym_qpdf_oh_get_key(q, fs[i], "/AFRelationship")), "/Source"))
            continue;
        nsrc++;
        char *name = sc_pdfdoc_text(d, fs[i], "/UF");
        qpdf_oh ef = sym_qpdf_oh_get_key(q, sym_qpdf_oh_get_key(q, fs[i], "/EF"), "/F");
        unsigned char *src = NULL, *res = NULL;
        size_t ns = 0, nr = 0;
        sc_error e;
        int ri = name ? results_for(d, fs, n, name) : -1;
        if (sc_pdfdoc_stream(d, ef, &src, &ns, &e) != SC_OK) {
            report(V, "record", SC_CHECK_FAIL, "%s cannot be read: %s", name ? name : "?",
                   e.message);
        } else {
            if (ri >= 0)
                sc_pdfdoc_stream(d, sym_qpdf_oh_get_key(q, sym_qpdf_oh_get_key(q, fs[ri], "/EF"), "/F"),
                                 &res, &nr, &e);
            check_one_record(V, name ? name : "record", src, ns, res, nr,
                             printed.data ? printed.data : "");
        }
        free(src);
        free(res);
        sc_free(name);
    }
    if (!nsrc)
        report(V, "record", SC_CHECK_FAIL,
               "no embedded record (/AFRelationship /Source): not an archive copy made with "
               "render --profile archive");
    sc_buf_free(&printed);
    sc_free(fs);
}

/* ---- the whole ------------------------------------------------------------ */

static X509_STORE *load_store(const char *ca, sc_error *err)
{
    X509_STORE *s = sym_X509_STORE_new();
    if (!s || sym_X509_STORE_load_file(s, ca) != 1) {
        sym_X509_STORE_free(s);
        sym_ERR_clear_error();
        sc_error_set(err, SC_ERR_USAGE, ca, 0, 0, "cannot read the CA certificates (PEM)");
        return NULL;
    }
    sym_X509_STORE_set_purpose(s, X509_PURPOSE_ANY);
    return s;
}

sc_status sc_verify(const char *path, const sc_verify_opts *given, int *failed, sc_error *err)
{
    sc_verify_opts o = SC_VERIFY_OPTS_INIT;
    if (given)
        memcpy(&o, given, given->size < sizeof o ? given->size : sizeof o);
    if (failed)
        *failed = 0;
    ver V;
    memset(&V, 0, sizeof V);
    V.o = &o;
    sc_status st = sc_crypto_load(err); /* before anything is read */
    if (st != SC_OK)
        return st;
    if (o.ca_file && !(V.store = load_store(o.ca_file, err)))
        return SC_ERR_USAGE;
    st = sc_pdfdoc_open(&V.d, path, err);
    if (st != SC_OK) {
        sym_X509_STORE_free(V.store);
        return st;
    }
    check_signatures(&V);
    check_pdfa(&V);
    check_records(&V);
    if (failed)
        *failed = V.failed;
    sc_pdfdoc_free(V.d);
    sym_X509_STORE_free(V.store);
    if (V.failed)
        return sc_error_set(err, SC_ERR_DATA, path, 0, 0, "%d check%s failed", V.failed,
                            V.failed > 1 ? "s" : "");
    return SC_OK;
}
