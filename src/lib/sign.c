/* sign.c -- a company signature on an archive copy (`scorecard sign`):
 * PAdES baseline B (ETSI EN 319 142-1), appended as an incremental update.
 *
 * What is written.  The file's bytes stay as they are; after them come
 * the objects this signature changes or adds -- the signature dictionary
 * (/SubFilter /ETSI.CAdES.detached), the field it fills (an unsigned one
 * named by --field, or a new one), the page's /Annots and the AcroForm
 * when a field is new (with /SigFlags 3), an optional seal image in the
 * field's appearance -- then a cross-reference section for just those
 * objects and a trailer whose /Prev points at the previous section.  So
 * every earlier signature still covers exactly the bytes it covered, and
 * a later one (an employee signing their own field in a reader) appends
 * after ours in the same way.
 *
 * The signature.  /ByteRange covers the whole new file except the hex
 * string of /Contents; its SHA-256 goes into a CMS SignedData without the
 * content (detached), signed attributes content-type, message-digest and
 * signing-certificate-v2 (ESS, the certificate's SHA-256), and no
 * signing-time: PAdES puts the claimed time in the dictionary's /M
 * instead.  OpenSSL's CMS_SignerInfo_sign always adds a signing-time, so
 * the signed attributes are DER-encoded (a SET OF, sorted), signed with
 * EVP_DigestSign and the value set here; CMS_verify then checks it like
 * any other.  The key and certificate come from PEM files or a PKCS#12
 * file; the password is the caller's (never an argument: the CLI reads it
 * from a file or the environment).
 *
 * What is refused: an encrypted file (archive copies are signed and not
 * encrypted; the e-mail copies are encrypted and not signed -- rewriting
 * a signed file to encrypt it would break its signatures), a field that
 * is already signed, a key that does not match its certificate. */
#include "dl_crypto.h"
#include "pdfdoc.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define BR_WIDTH 40         /* room for the three ByteRange numbers */
#define MM (72.0 / 25.4)

/* ---- keys and certificates -------------------------------------------------- */

typedef struct signer {
    EVP_PKEY *key;
    X509 *cert;
    STACK_OF(X509) *chain; /* the other certificates to include */
} signer;

static void signer_free(signer *s)
{
    sym_EVP_PKEY_free(s->key);
    sym_X509_free(s->cert);
    sym_sk_X509_pop_free(s->chain, sym_X509_free);
    memset(s, 0, sizeof *s);
}

/* OpenSSL's last error as text. */
static const char *ossl_reason(char *buf, size_t n)
{
    unsigned long e = sym_ERR_get_error();
    sym_ERR_clear_error();
    if (!e)
        return "no details";
    sym_ERR_error_string_n(e, buf, n);
    return buf;
}

static sc_status load_signer(const sc_sign_opts *o, signer *s, sc_error *err)
{
    char why[256];
    memset(s, 0, sizeof *s);
    BIO *b = sym_BIO_new_file(o->key_file, "rb");
    if (!b)
        return sc_error_set(err, SC_ERR_IO, o->key_file, 0, 0, "cannot open the key file");
    char head[16] = "";
    int got = sym_BIO_read(b, head, sizeof head - 1);
    (void)sym_BIO_reset(b);
    int pem = got > 0 && strstr(head, "-----") != NULL;
    const char *pass = o->password ? o->password : "";
    if (!pem) {
        PKCS12 *p12 = sym_d2i_PKCS12_bio(b, NULL);
        sym_BIO_free(b);
        if (!p12)
            return sc_error_set(err, SC_ERR_USAGE, o->key_file, 0, 0,
                                "neither a PEM key nor a PKCS#12 file: %s",
                                ossl_reason(why, sizeof why));
        int ok = sym_PKCS12_parse(p12, pass, &s->key, &s->cert, &s->chain);
        sym_PKCS12_free(p12);
        if (!ok || !s->key || !s->cert) {
            signer_free(s);
            return sc_error_set(err, SC_ERR_USAGE, o->key_file, 0, 0,
                                "cannot open the PKCS#12 file (wrong password?): %s",
                                ossl_reason(why, sizeof why));
        }
    } else {
        s->key = sym_PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)pass);
        sym_BIO_free(b);
        if (!s->key)
            return sc_error_set(err, SC_ERR_USAGE, o->key_file, 0, 0,
                                "cannot read the private key (wrong password?): %s",
                                ossl_reason(why, sizeof why));
        const char *cf = o->cert_file ? o->cert_file : o->key_file;
        BIO *c = sym_BIO_new_file(cf, "rb");
        if (!c) {
            signer_free(s);
            return sc_error_set(err, SC_ERR_IO, cf, 0, 0, "cannot open the certificate file");
        }
        s->chain = sym_sk_X509_new_null();
        X509 *x;
        while (s->chain && (x = sym_PEM_read_bio_X509(c, NULL, NULL, NULL))) {
            if (!s->cert && sym_X509_check_private_key(x, s->key))
                s->cert = x;
            else if (!sym_sk_X509_push(s->chain, x))
                sym_X509_free(x);
        }
        sym_ERR_clear_error(); /* the end of the file */
        sym_BIO_free(c);
        if (!s->cert) {
            signer_free(s);
            return sc_error_set(err, SC_ERR_USAGE, cf, 0, 0,
                                "no certificate in this file matches the private key; give "
                                "the signer's certificate with --cert");
        }
    }
    if (!sym_X509_check_private_key(s->cert, s->key)) {
        signer_free(s);
        return sc_error_set(err, SC_ERR_USAGE, o->key_file, 0, 0,
                            "the private key does not belong to the certificate");
    }
    return SC_OK;
}

/* ---- the CMS signature -------------------------------------------------------- */

static int der_cmp(const void *a, const void *b)
{
    const sc_buf *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->data, y->data, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The DER of si's signed attributes as signed: a SET OF, sorted. */
static int signed_attrs_der(CMS_SignerInfo *si, sc_buf *out)
{
    int n = sym_CMS_signed_get_attr_count(si);
    if (n <= 0 || n > 32)
        return 0;
    sc_buf parts[32];
    memset(parts, 0, sizeof parts);
    size_t total = 0;
    int ok = 1;
    for (int i = 0; i < n && ok; i++) {
        unsigned char *d = NULL;
        int len = sym_i2d_X509_ATTRIBUTE(sym_CMS_signed_get_attr(si, i), &d);
        ok = len > 0;
        if (ok)
            sc_buf_append(&parts[i], (const char *)d, (size_t)len);
        sym_OPENSSL_free(d);
        total += len > 0 ? (size_t)len : 0;
    }
    if (ok) {
        qsort(parts, (size_t)n, sizeof *parts, der_cmp);
        unsigned char hdr[6] = {0x31};
        size_t h = 1;
        if (total < 0x80) {
            hdr[h++] = (unsigned char)total;
        } else if (total < 0x100) {
            hdr[h++] = 0x81;
            hdr[h++] = (unsigned char)total;
        } else if (total < 0x10000) {
            hdr[h++] = 0x82;
            hdr[h++] = (unsigned char)(total >> 8);
            hdr[h++] = (unsigned char)total;
        } else {
            hdr[h++] = 0x83;
            hdr[h++] = (unsigned char)(total >> 16);
            hdr[h++] = (unsigned char)(total >> 8);
            hdr[h++] = (unsigned char)total;
        }
        sc_buf_append(out, (const char *)hdr, h);
        for (int i = 0; i < n; i++)
            sc_buf_append(out, parts[i].data, parts[i].len);
    }
    for (int i = 0; i < n; i++)
        sc_buf_free(&parts[i]);
    return ok && !out->oom;
}

/* A detached CMS SignedData over `digest` (SHA-256 of the byte ranges). */
static sc_status make_cms(const signer *s, const unsigned char digest[32], unsigned char **der,
                          size_t *nder, sc_error *err)
{
    char why[256];
    *der = NULL;
    *nder = 0;
    unsigned flags = CMS_PARTIAL | CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP;
    CMS_ContentInfo *cms = sym_CMS_sign(NULL, NULL, NULL, NULL, flags);
    CMS_SignerInfo *si = NULL;
    int ok = cms && sym_CMS_set_detached(cms, 1);
    for (int i = 0; ok && i < sym_sk_X509_num(s->chain); i++)
        ok = sym_CMS_add1_cert(cms, sym_sk_X509_value(s->chain, i));
    /* CMS_CADES: the ESS signing-certificate-v2 attribute */
    ok = ok && (si = sym_CMS_add1_signer(cms, s->cert, s->key, sym_EVP_sha256(), flags | CMS_CADES));
    ok = ok &&
         sym_CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                     sym_OBJ_nid2obj(NID_pkcs7_data), -1) &&
         sym_CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
                                     digest, 32) &&
         sym_CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1) >= 0;
    sc_buf attrs = {0};
    unsigned char *sig = NULL;
    size_t siglen = 0;
    EVP_MD_CTX *md = ok ? sym_EVP_MD_CTX_new() : NULL;
    ok = ok && md && signed_attrs_der(si, &attrs) &&
         sym_EVP_DigestSignInit(md, NULL, sym_EVP_sha256(), NULL, s->key) == 1 &&
         sym_EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)attrs.data, attrs.len) == 1 &&
         (sig = sym_OPENSSL_malloc(siglen)) &&
         sym_EVP_DigestSign(md, sig, &siglen, (const unsigned char *)attrs.data, attrs.len) == 1 &&
         sym_ASN1_STRING_set(sym_CMS_SignerInfo_get0_signature(si), sig, (int)siglen);
    sym_EVP_MD_CTX_free(md);
    sym_OPENSSL_free(sig);
    sc_buf_free(&attrs);
    unsigned char *d = NULL;
    int n = ok ? sym_i2d_CMS_ContentInfo(cms, &d) : 0;
    sym_CMS_ContentInfo_free(cms);
    if (n <= 0) {
        sym_OPENSSL_free(d);
        return sc_error_set(err, SC_ERR_PDF, NULL, 0, 0, "cannot make the CMS signature: %s",
                            ossl_reason(why, sizeof why));
    }
    *der = sc_malloc((size_t)n);
    if (*der)
        memcpy(*der, d, (size_t)n);
    sym_OPENSSL_free(d);
    if (!*der)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    *nder = (size_t)n;
    return SC_OK;
}

/* ---- the update ---------------------------------------------------------------- */

typedef struct objent {
    int num, gen;
    size_t off; /* in the new file */
} objent;

typedef struct update {
    sc_pdfdoc *d;
    sc_buf b;          /* what is appended to the file */
    objent obj[16];
    int nobj;
    int next;          /* the next new object number */
} update;

static int new_obj(update *u) { return u->next++; }

/* Start object num gen at the end of the update. */
static void begin_obj(update *u, int num, int gen)
{
    if (u->nobj < (int)(sizeof u->obj / sizeof *u->obj)) {
        u->obj[u->nobj].num = num;
        u->obj[u->nobj].gen = gen;
        u->obj[u->nobj].off = u->d->len + u->b.len;
        u->nobj++;
    } else {
        u->b.oom = 1; /* cannot happen: a signature changes a handful */
    }
    sc_buf_printf(&u->b, "%d %d obj\n", num, gen);
}

static void end_obj(update *u) { sc_buf_puts(&u->b, "\nendobj\n"); }

/* s as a PDF text string: <FEFF...> (UTF-16BE) -- any text, no escaping. */
static void text_string(sc_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    sc_buf_puts(b, "<FEFF");
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = sc_utf8_decode(s + i, n - i, &cp);
        if (!k) {
            cp = 0xFFFD;
            k = 1;
        }
        i += k;
        unsigned u[2];
        int nu = 0;
        if (cp >= 0x10000) {
            u[nu++] = 0xD800 + ((cp - 0x10000) >> 10);
            u[nu++] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
        } else {
            u[nu++] = cp;
        }
        for (int j = 0; j < nu; j++) {
            char h[4] = {hex[(u[j] >> 12) & 15], hex[(u[j] >> 8) & 15], hex[(u[j] >> 4) & 15],
                         hex[u[j] & 15]};
            sc_buf_append(b, h, 4);
        }
    }
    sc_buf_puts(b, ">");
}

/* dict as text into out, with `keys` removed and `extra` (" /Key value
 * ...") added before its closing >>.  Its references stay references. */
static int dict_text(qpdf_data q, qpdf_oh dict, const char *const *keys, int nkeys,
                     const char *extra, sc_buf *out)
{
    for (int i = 0; i < nkeys; i++)
        if (sym_qpdf_oh_has_key(q, dict, keys[i]))
            sym_qpdf_oh_remove_key(q, dict, keys[i]);
    const char *t = sym_qpdf_oh_unparse_resolved(q, dict);
    size_t n = t ? strlen(t) : 0;
    if (n < 4 || strcmp(t + n - 2, ">>"))
        return 0;
    sc_buf_append(out, t, n - 2);
    sc_buf_puts(out, extra);
    sc_buf_puts(out, " >>");
    return 1;
}

/* dict, an object of the file, written again into the update so. */
static int rewrite_dict(update *u, qpdf_oh dict, const char *const *keys, int nkeys,
                        const char *extra)
{
    return dict_text(u->d->q, dict, keys, nkeys, extra, &u->b);
}

/* The references of an array (/Annots, /Fields) followed by `ref`. */
static void array_plus(update *u, qpdf_oh arr, const char *ref)
{
    qpdf_data q = u->d->q;
    sc_buf_puts(&u->b, "[");
    int n = sym_qpdf_oh_is_array(q, arr) ? sym_qpdf_oh_get_array_n_items(q, arr) : 0;
    for (int i = 0; i < n; i++) {
        const char *t = sym_qpdf_oh_unparse(q, sym_qpdf_oh_get_array_item(q, arr, i));
        sc_buf_printf(&u->b, " %s", t ? t : "null");
    }
    sc_buf_printf(&u->b, " %s ]", ref);
}

static int by_num(const void *a, const void *b)
{
    return ((const objent *)a)->num - ((const objent *)b)->num;
}

/* The cross-reference section of the update and its trailer. */
static void finish_update(update *u)
{
    qpdf_data q = u->d->q;
    size_t xref = u->d->len + u->b.len;
    qsort(u->obj, (size_t)u->nobj, sizeof *u->obj, by_num);
    sc_buf_puts(&u->b, "xref\n");
    for (int i = 0; i < u->nobj;) {
        int k = i;
        while (k + 1 < u->nobj && u->obj[k + 1].num == u->obj[k].num + 1)
            k++;
        sc_buf_printf(&u->b, "%d %d\n", u->obj[i].num, k - i + 1);
        for (; i <= k; i++)
            sc_buf_printf(&u->b, "%010zu %05d n\r\n", u->obj[i].off, u->obj[i].gen);
    }
    qpdf_oh tr = sym_qpdf_get_trailer(q);
    sc_buf_printf(&u->b, "trailer\n<< /Size %d /Root %s", u->next,
                  sym_qpdf_oh_unparse(q, sym_qpdf_oh_get_key(q, tr, "/Root")));
    if (sym_qpdf_oh_has_key(q, tr, "/Info"))
        sc_buf_printf(&u->b, " /Info %s", sym_qpdf_oh_unparse(q, sym_qpdf_oh_get_key(q, tr, "/Info")));
    if (sym_qpdf_oh_has_key(q, tr, "/ID"))
        sc_buf_printf(&u->b, " /ID %s", sym_qpdf_oh_unparse(q, sym_qpdf_oh_get_key(q, tr, "/ID")));
    sc_buf_printf(&u->b, " /Prev %lld >>\nstartxref\n%zu\n%%%%EOF\n", u->d->startxref, xref);
}

/* ---- the seal ------------------------------------------------------------------ */

/* The seal image as XObjects of the update: an /Image (with an /SMask
 * for a PNG's alpha, unless the file is PDF/A-1, which allows no
 * transparency: then the PNG is laid on white); *img gets its number. */
static sc_status add_seal_image(update *u, const sc_image *im, int pdfa1, int *img,
                                double *aspect, sc_error *err)
{
    *aspect = im->height ? (double)im->width / im->height : 1;
    if (im->kind == SC_IMAGE_JPEG) {
        int comps = 3;
        for (size_t i = 2; i + 9 < im->len; i++) /* SOFn: FF C0..C2 */
            if (im->data[i] == 0xFF && im->data[i + 1] >= 0xC0 && im->data[i + 1] <= 0xC2) {
                comps = im->data[i + 9];
                break;
            }
        if (comps != 1 && comps != 3)
            return sc_error_set(err, SC_ERR_USAGE, im->ref, 0, 0,
                                "the seal is a CMYK JPEG; save it as RGB");
        *img = new_obj(u);
        begin_obj(u, *img, 0);
        sc_buf_printf(&u->b,
                      "<< /Type /XObject /Subtype /Image /Width %u /Height %u /ColorSpace %s "
                      "/BitsPerComponent 8 /Filter /DCTDecode /Length %zu >>\nstream\n",
                      im->width, im->height, comps == 1 ? "/DeviceGray" : "/DeviceRGB", im->len);
        sc_buf_append(&u->b, (const char *)im->data, im->len);
        sc_buf_puts(&u->b, "\nendstream");
        end_obj(u);
        return SC_OK;
    }
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&pi, im->data, im->len))
        return sc_error_set(err, SC_ERR_USAGE, im->ref, 0, 0, "cannot read the seal PNG: %s",
                            pi.message);
    pi.format = PNG_FORMAT_RGBA;
    size_t w = pi.width, h = pi.height, npx = w * h;
    unsigned char *rgba = sc_malloc(npx * 4), *rgb = sc_malloc(npx * 3), *a = sc_malloc(npx);
    int ok = rgba && rgb && a && png_image_finish_read(&pi, NULL, rgba, 0, NULL);
    png_image_free(&pi);
    int alpha = 0;
    for (size_t i = 0; ok && i < npx; i++) {
        unsigned al = rgba[4 * i + 3];
        alpha |= al != 255;
        for (int c = 0; c < 3; c++) {
            unsigned v = rgba[4 * i + c];
            rgb[3 * i + c] = (unsigned char)(pdfa1 ? (v * al + 255 * (255 - al) + 127) / 255 : v);
        }
        a[i] = (unsigned char)al;
    }
    uLongf zl1 = compressBound(npx * 3), zl2 = compressBound(npx);
    unsigned char *z1 = ok ? sc_malloc(zl1) : NULL, *z2 = ok ? sc_malloc(zl2) : NULL;
    ok = ok && z1 && z2 && compress2(z1, &zl1, rgb, npx * 3, 6) == Z_OK &&
         compress2(z2, &zl2, a, npx, 6) == Z_OK;
    sc_free(rgba);
    sc_free(rgb);
    sc_free(a);
    if (!ok) {
        sc_free(z1);
        sc_free(z2);
        return sc_error_set(err, SC_ERR_NOMEM, im->ref, 0, 0, "cannot decode the seal image");
    }
    int smask = alpha && !pdfa1 ? new_obj(u) : 0;
    if (smask) {
        begin_obj(u, smask, 0);
        sc_buf_printf(&u->b,
                      "<< /Type /XObject /Subtype /Image /Width %zu /Height %zu /ColorSpace "
                      "/DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %lu >>\n"
                      "stream\n",
                      w, h, (unsigned long)zl2);
        sc_buf_append(&u->b, (const char *)z2, zl2);
        sc_buf_puts(&u->b, "\nendstream");
        end_obj(u);
    }
    *img = new_obj(u);
    begin_obj(u, *img, 0);
    sc_buf_printf(&u->b,
                  "<< /Type /XObject /Subtype /Image /Width %zu /Height %zu /ColorSpace "
                  "/DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /Length %lu",
                  w, h, (unsigned long)zl1);
    if (smask)
        sc_buf_printf(&u->b, " /SMask %d 0 R", smask);
    sc_buf_puts(&u->b, " >>\nstream\n");
    sc_buf_append(&u->b, (const char *)z1, zl1);
    sc_buf_puts(&u->b, "\nendstream");
    end_obj(u);
    sc_free(z1);
    sc_free(z2);
    return SC_OK;
}

/* The appearance of a field of width w and height h showing image img
 * (aspect w/h) as large as fits, centred; returns its object number. */
static int add_appearance(update *u, double w, double h, int img, double aspect)
{
    double iw = w, ih = w / aspect;
    if (ih > h) {
        ih = h;
        iw = h * aspect;
    }
    char content[160];
    int n = snprintf(content, sizeof content, "q %.3f 0 0 %.3f %.3f %.3f cm /Seal Do Q\n", iw,
                     ih, (w - iw) / 2, (h - ih) / 2);
    int num = new_obj(u);
    begin_obj(u, num, 0);
    sc_buf_printf(&u->b,
                  "<< /Type /XObject /Subtype /Form /BBox [0 0 %.3f %.3f] /Resources << "
                  "/XObject << /Seal %d 0 R >> >> /Length %d >>\nstream\n%s\nendstream",
                  w, h, img, n, content);
    end_obj(u);
    return num;
}

/* ---- signing ------------------------------------------------------------------- */

/* The document is PDF/A-1: its XMP says pdfaid:part 1. */
static int is_pdfa1(sc_pdfdoc *d)
{
    qpdf_oh md = sym_qpdf_oh_get_key(d->q, sym_qpdf_get_root(d->q), "/Metadata");
    unsigned char *x = NULL;
    size_t n = 0;
    sc_error e;
    if (sc_pdfdoc_stream(d, md, &x, &n, &e) != SC_OK)
        return 0;
    int one = 0;
    for (size_t i = 0; i + 16 < n && !one; i++)
        one = !memcmp(x + i, "pdfaid:part>1<", 14) || !memcmp(x + i, "pdfaid:part=\"1\"", 15);
    free(x);
    return one;
}

static void hexify(char *dst, const unsigned char *src, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        dst[2 * i] = hex[src[i] >> 4];
        dst[2 * i + 1] = hex[src[i] & 15];
    }
}

sc_status sc_sign(const sc_sign_opts *given, sc_error *err)
{
    sc_sign_opts o = SC_SIGN_OPTS_INIT;
    if (!given || given->size < offsetof(sc_sign_opts, field))
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0, "sc_sign needs SC_SIGN_OPTS_INIT");
    memcpy(&o, given, given->size < sizeof o ? given->size : sizeof o);
    if (!o.in || !o.key_file)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0, "sign needs a PDF and a key");
    if (!o.out)
        o.out = o.in;
    if (o.seal && !o.field && o.seal_page < 1)
        return sc_error_set(err, SC_ERR_USAGE, o.seal, 0, 0,
                            "a seal needs a place: sign an existing field (--field NAME) or "
                            "give --at PAGE:X,Y,W,H (millimetres from the top left)");
    sc_status st = sc_crypto_load(err); /* before anything is read */
    if (st != SC_OK)
        return st;
    sc_pdfdoc *d = NULL;
    st = sc_pdfdoc_open(&d, o.in, err);
    if (st != SC_OK)
        return st;
    signer sg;
    memset(&sg, 0, sizeof sg);
    sc_sigfield *fields = NULL;
    int nfields = 0;
    update u;
    memset(&u, 0, sizeof u);
    u.d = d;
    sc_arena *arena = NULL;
    unsigned char *cms = NULL, *outb = NULL;
    qpdf_data q = d->q;
    if (sym_qpdf_is_encrypted(q) || sym_qpdf_oh_has_key(q, sym_qpdf_get_trailer(q), "/Encrypt")) {
        st = sc_error_set(err, SC_ERR_USAGE, o.in, 0, 0,
                          "the file is encrypted: archive copies are signed and not "
                          "encrypted, e-mail copies are encrypted and not signed (encrypting "
                          "a signed file would rewrite it and break its signatures); sign "
                          "the archive copy made with render --profile archive");
        goto done;
    }
    if (d->startxref <= 0) {
        st = sc_error_set(err, SC_ERR_PDF, o.in, 0, 0,
                          "no startxref at the end of the file: it cannot take an "
                          "incremental update");
        goto done;
    }
    if ((st = load_signer(&o, &sg, err)) != SC_OK)
        goto done;
    nfields = sc_pdfdoc_sigfields(d, &fields);
    if (nfields < 0) {
        st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    qpdf_oh tr = sym_qpdf_get_trailer(q);
    u.next = sym_qpdf_oh_get_int_value_as_int(q, sym_qpdf_oh_get_key(q, tr, "/Size"));
    if (u.next <= 0) {
        st = sc_error_set(err, SC_ERR_PDF, o.in, 0, 0, "the trailer has no /Size");
        goto done;
    }
    /* the field to fill */
    const sc_sigfield *target = NULL;
    const char *name = o.field ? o.field : "公司签章";
    for (int i = 0; i < nfields; i++)
        if (!strcmp(fields[i].name, name))
            target = &fields[i];
    if (target && target->v) {
        st = sc_error_set(err, SC_ERR_USAGE, o.in, 0, 0,
                          "the field %s is already signed; sign another field (--field) or "
                          "let sign make a new one", name);
        goto done;
    }
    if (!target && o.field && o.seal_page < 1) {
        sc_buf names = {0};
        for (int i = 0; i < nfields; i++)
            if (!fields[i].v)
                sc_buf_printf(&names, "%s%s", names.len ? ", " : "", fields[i].name);
        st = sc_error_set(err, SC_ERR_USAGE, o.in, 0, 0,
                          "the file has no signature field %s; its unsigned fields: %s", name,
                          names.len ? names.data : "none");
        sc_buf_free(&names);
        goto done;
    }
    if (target && sym_qpdf_oh_get_object_id(q, target->field) <= 0) {
        st = sc_error_set(err, SC_ERR_PDF, o.in, 0, 0,
                          "the field %s is not an object of its own; it cannot be signed "
                          "by an incremental update", name);
        goto done;
    }

    /* the update starts on a line of its own */
    if (d->bytes[d->len - 1] != '\n' && d->bytes[d->len - 1] != '\r')
        sc_buf_puts(&u.b, "\n");

    /* where a new field goes, and the seal */
    int page_no = target ? target->page : o.seal_page > 0 ? o.seal_page - 1 : 0;
    int npages = sym_qpdf_get_num_pages(q);
    if (npages <= 0 || page_no < 0 || page_no >= npages) {
        st = sc_error_set(err, SC_ERR_USAGE, o.in, 0, 0, "page %d: the document has %d pages",
                          page_no + 1, npages);
        goto done;
    }
    qpdf_oh page = sym_qpdf_get_page_n(q, (size_t)page_no);
    double rect[4] = {0, 0, 0, 0};
    if (target) {
        memcpy(rect, target->rect, sizeof rect);
    } else if (o.seal) {
        qpdf_oh mb = sym_qpdf_oh_get_key(q, page, "/MediaBox");
        double top = sym_qpdf_oh_is_array(q, mb) && sym_qpdf_oh_get_array_n_items(q, mb) == 4
                         ? sym_qpdf_oh_get_numeric_value(q, sym_qpdf_oh_get_array_item(q, mb, 3))
                         : 842;
        rect[0] = o.seal_box[0] * MM;
        rect[3] = top - o.seal_box[1] * MM;
        rect[2] = rect[0] + o.seal_box[2] * MM;
        rect[1] = rect[3] - o.seal_box[3] * MM;
    }
    int ap = 0;
    if (o.seal) {
        if (rect[2] - rect[0] < 1 || rect[3] - rect[1] < 1) {
            st = sc_error_set(err, SC_ERR_USAGE, o.in, 0, 0,
                              "the field %s has no room to show a seal", name);
            goto done;
        }
        /* image.c checks the file as it checks the data's images */
        char dir[4096], msg[400];
        const char *slash = strrchr(o.seal, '/');
        snprintf(dir, sizeof dir, "%.*s/.", slash ? (int)(slash - o.seal) : 1,
                 slash ? o.seal : ".");
        sc_image *im = NULL;
        arena = sc_arena_new();
        st = arena ? sc_image_load(&im, dir, slash ? slash + 1 : o.seal, arena, msg, sizeof msg)
                   : SC_ERR_NOMEM;
        if (st != SC_OK) {
            st = sc_error_set(err, st, o.seal, 0, 0, "the seal image: %s", msg);
            goto done;
        }
        int img = 0;
        double aspect = 1;
        if ((st = add_seal_image(&u, im, is_pdfa1(d), &img, &aspect, err)) != SC_OK)
            goto done;
        ap = add_appearance(&u, rect[2] - rect[0], rect[3] - rect[1], img, aspect);
    } else if (!target) {
        /* an invisible signature still gets an (empty) appearance:
         * PDF/A-1 wants one on every widget */
        ap = new_obj(&u);
        begin_obj(&u, ap, 0);
        sc_buf_puts(&u.b, "<< /Type /XObject /Subtype /Form /BBox [0 0 0 0] /Length 0 >>\n"
                          "stream\n\nendstream");
        end_obj(&u);
    }

    /* the signature dictionary, with room for the byte range and CMS */
    size_t reserve = 8192;
    for (int i = 0; i < sym_sk_X509_num(sg.chain); i++)
        reserve += (size_t)sym_i2d_X509(sym_sk_X509_value(sg.chain, i), NULL);
    reserve += (size_t)sym_i2d_X509(sg.cert, NULL);
    int sig = new_obj(&u);
    begin_obj(&u, sig, 0);
    char mdate[32] = "";
    if (o.time >= 0)
        sc_pdf_date(mdate, o.time);
    sc_buf_puts(&u.b, "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
                      "/ByteRange [0");
    size_t br_at = d->len + u.b.len;
    sc_buf_printf(&u.b, "%*s] /Contents <", BR_WIDTH, "");
    size_t lt = d->len + u.b.len - 1;
    for (size_t i = 0; i < 2 * reserve; i++)
        sc_buf_append(&u.b, "0", 1);
    sc_buf_puts(&u.b, ">");
    size_t gt = d->len + u.b.len; /* just after '>' */
    if (mdate[0])
        sc_buf_printf(&u.b, " /M (%s)", mdate);
    if (o.reason && *o.reason) {
        sc_buf_puts(&u.b, " /Reason ");
        text_string(&u.b, o.reason);
    }
    if (o.location && *o.location) {
        sc_buf_puts(&u.b, " /Location ");
        text_string(&u.b, o.location);
    }
    sc_buf_puts(&u.b, " >>");
    end_obj(&u);

    /* the field: the existing one filled, or a new one */
    char extra[256];
    if (target) {
        int fnum = sym_qpdf_oh_get_object_id(q, target->field);
        int same = sym_qpdf_oh_get_object_id(q, target->widget) == fnum;
        begin_obj(&u, fnum, sym_qpdf_oh_get_generation(q, target->field));
        if (ap && same)
            snprintf(extra, sizeof extra, " /V %d 0 R /AP << /N %d 0 R >>", sig, ap);
        else
            snprintf(extra, sizeof extra, " /V %d 0 R", sig);
        static const char *const keys[] = {"/V", "/AP"};
        int ok = rewrite_dict(&u, target->field, keys, ap && same ? 2 : 1, extra);
        end_obj(&u);
        if (ok && ap && !same) {
            int wnum = sym_qpdf_oh_get_object_id(q, target->widget);
            begin_obj(&u, wnum, sym_qpdf_oh_get_generation(q, target->widget));
            snprintf(extra, sizeof extra, " /AP << /N %d 0 R >>", ap);
            ok = wnum > 0 && rewrite_dict(&u, target->widget, keys + 1, 1, extra);
            end_obj(&u);
        }
        if (!ok) {
            st = sc_error_set(err, SC_ERR_PDF, o.in, 0, 0, "cannot rewrite the field %s", name);
            goto done;
        }
    } else {
        int w = new_obj(&u);
        char ref[32];
        snprintf(ref, sizeof ref, "%d 0 R", w);
        begin_obj(&u, w, 0);
        sc_buf_printf(&u.b, "<< /Type /Annot /Subtype /Widget /FT /Sig /F 4 /T ");
        text_string(&u.b, name);
        sc_buf_printf(&u.b, " /Rect [%.3f %.3f %.3f %.3f] /P %s /V %d 0 R", rect[0], rect[1],
                      rect[2], rect[3], sym_qpdf_oh_unparse(q, page), sig);
        if (ap)
            sc_buf_printf(&u.b, " /AP << /N %d 0 R >>", ap);
        sc_buf_puts(&u.b, " >>");
        end_obj(&u);
        /* the page's /Annots: the array object, or the page */
        qpdf_oh annots = sym_qpdf_oh_get_key(q, page, "/Annots");
        static const char *const akey[] = {"/Annots"};
        int ok;
        if (sym_qpdf_oh_is_array(q, annots) && sym_qpdf_oh_get_object_id(q, annots) > 0) {
            begin_obj(&u, sym_qpdf_oh_get_object_id(q, annots), sym_qpdf_oh_get_generation(q, annots));
            array_plus(&u, annots, ref);
            ok = 1;
        } else {
            begin_obj(&u, sym_qpdf_oh_get_object_id(q, page), sym_qpdf_oh_get_generation(q, page));
            sc_buf tmp = u.b;
            u.b = (sc_buf){0};
            array_plus(&u, annots, ref);
            sc_buf arr = u.b;
            u.b = tmp;
            char *ex = sc_arena_printf(arena ? arena : (arena = sc_arena_new()), " /Annots %s",
                                       arr.data ? arr.data : "[]");
            sc_buf_free(&arr);
            ok = ex && rewrite_dict(&u, page, akey, 1, ex);
        }
        end_obj(&u);
        /* the AcroForm's /Fields and /SigFlags: its object, or the catalog */
        qpdf_oh root = sym_qpdf_get_root(q);
        qpdf_oh acro = sym_qpdf_oh_get_key(q, root, "/AcroForm");
        qpdf_oh flds = sym_qpdf_oh_get_key(q, acro, "/Fields");
        sc_buf tmp = u.b;
        u.b = (sc_buf){0};
        array_plus(&u, flds, ref);
        sc_buf arr = u.b;
        u.b = tmp;
        static const char *const fkeys[] = {"/Fields", "/SigFlags"};
        if (ok && sym_qpdf_oh_is_dictionary(q, acro) && sym_qpdf_oh_get_object_id(q, acro) > 0) {
            begin_obj(&u, sym_qpdf_oh_get_object_id(q, acro), sym_qpdf_oh_get_generation(q, acro));
            sc_buf ex = {0};
            sc_buf_printf(&ex, " /Fields %s /SigFlags 3", arr.data ? arr.data : "[]");
            ok = !ex.oom && rewrite_dict(&u, acro, fkeys, 2, ex.data);
            sc_buf_free(&ex);
            end_obj(&u);
        } else if (ok) {
            /* no AcroForm, or one inside the catalog: the catalog again */
            begin_obj(&u, sym_qpdf_oh_get_object_id(q, root), sym_qpdf_oh_get_generation(q, root));
            sc_buf fx = {0}, ex = {0};
            sc_buf_printf(&fx, " /Fields %s /SigFlags 3", arr.data ? arr.data : "[]");
            sc_buf_puts(&ex, " /AcroForm ");
            if (sym_qpdf_oh_is_dictionary(q, acro))
                ok = dict_text(q, acro, fkeys, 2, fx.data ? fx.data : "", &ex);
            else
                sc_buf_printf(&ex, "<<%s >>", fx.data ? fx.data : "");
            static const char *const ckey[] = {"/AcroForm"};
            ok = ok && !ex.oom && !fx.oom && rewrite_dict(&u, root, ckey, 1, ex.data);
            sc_buf_free(&fx);
            sc_buf_free(&ex);
            end_obj(&u);
        }
        sc_buf_free(&arr);
        if (!ok) {
            st = sc_error_set(err, SC_ERR_PDF, o.in, 0, 0,
                              "cannot add the field %s to the page and the form", name);
            goto done;
        }
    }
    if (target) {
        /* an existing field: /SigFlags 3 on its AcroForm, if it is an object */
        qpdf_oh acro = sym_qpdf_oh_get_key(q, sym_qpdf_get_root(q), "/AcroForm");
        qpdf_oh sf = sym_qpdf_oh_get_key(q, acro, "/SigFlags");
        if (sym_qpdf_oh_get_object_id(q, acro) > 0 &&
            !(sym_qpdf_oh_is_integer(q, sf) && sym_qpdf_oh_get_int_value_as_int(q, sf) == 3)) {
            begin_obj(&u, sym_qpdf_oh_get_object_id(q, acro), sym_qpdf_oh_get_generation(q, acro));
            static const char *const skey[] = {"/SigFlags"};
            rewrite_dict(&u, acro, skey, 1, " /SigFlags 3");
            end_obj(&u);
        }
    }
    finish_update(&u);
    if (u.b.oom) {
        st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }

    /* the whole new file; then the byte range, its digest, the CMS */
    size_t total = d->len + u.b.len;
    outb = sc_malloc(total);
    if (!outb) {
        st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    memcpy(outb, d->bytes, d->len);
    memcpy(outb + d->len, u.b.data, u.b.len);
    char br[BR_WIDTH + 8];
    int nbr = snprintf(br, sizeof br, " %zu %zu %zu", lt, gt, total - gt);
    if (nbr <= 0 || nbr > BR_WIDTH) {
        st = sc_error_set(err, SC_ERR_PDF, o.in, 0, 0, "the file is too large to sign");
        goto done;
    }
    memcpy(outb + br_at, br, (size_t)nbr);
    unsigned char digest[32];
    unsigned dn = 0;
    EVP_MD_CTX *md = sym_EVP_MD_CTX_new();
    int ok = md && sym_EVP_DigestInit_ex(md, sym_EVP_sha256(), NULL) == 1 &&
             sym_EVP_DigestUpdate(md, outb, lt) == 1 &&
             sym_EVP_DigestUpdate(md, outb + gt, total - gt) == 1 &&
             sym_EVP_DigestFinal_ex(md, digest, &dn) == 1;
    sym_EVP_MD_CTX_free(md);
    if (!ok) {
        st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "cannot compute the digest");
        goto done;
    }
    size_t ncms = 0;
    if ((st = make_cms(&sg, digest, &cms, &ncms, err)) != SC_OK)
        goto done;
    if (2 * ncms > gt - lt - 2) {
        st = sc_error_set(err, SC_ERR_PDF, o.in, 0, 0,
                          "the signature (%zu bytes) is larger than the room kept for it",
                          ncms);
        goto done;
    }
    hexify((char *)outb + lt + 1, cms, ncms);
    /* write: the file named by out, whole or not at all */
    {
        char dir[4096];
        const char *slash = strrchr(o.out, '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - o.out) : 1,
                 slash ? o.out : ".");
        if (!dir[0])
            snprintf(dir, sizeof dir, "/");
        st = sc_file_write(dir, slash ? slash + 1 : o.out, outb, total, err);
    }
done:
    sc_free(outb);
    sc_free(cms);
    sc_buf_free(&u.b);
    sc_sigfields_free(fields, nfields);
    signer_free(&sg);
    sc_arena_free(arena);
    sc_pdfdoc_free(d);
    return st;
}
