/* out_encrypt.c -- the output step that encrypts each document with its
 * employee's open password: AES-256, PDF 2.0 security handler R6, through
 * libqpdf's C API.
 *
 * It replaces the document's bytes before any later step sees them, so
 * the file written (temporary file, then rename, as every file) and the
 * message sent hold only the encrypted sheet; the plain bytes never reach
 * the disk.
 *
 * Permissions: printing (full quality), filling in form fields and
 * signing the signature fields, copying text and accessibility are
 * allowed; changing the document, adding comments and assembling pages
 * are not.  The owner password that guards them is 128 random bits, made
 * per document and forgotten: nobody can lift the restrictions by
 * knowing an employee's open password (if both passwords were the same,
 * opening the file would unlock everything).
 *
 * Encryption is random by design (the file key, the salts and every IV):
 * the same record encrypted twice gives two different files, so "same
 * input, same bytes" holds for the PDF before this step only.
 *
 * Passwords are wiped from our memory after use; libqpdf keeps its own
 * copies until its handle is cleaned up, which happens at once. */
#include "internal.h"

#include "dl_qpdf.h"

#include <stdio.h>
#include <string.h>

typedef struct enc_step {
    sc_step step;
    sc_passwords *pw;
} enc_step;

/* A record without a usable password fails before it is drawn. */
static sc_status enc_admit(sc_step *self, sc_doc *d, sc_error *err)
{
    enc_step *es = (enc_step *)self;
    char pw[SC_PASSWORD_MAX + 1];
    sc_status st = sc_passwords_get(es->pw, d->rec, pw, sizeof pw, err);
    sc_wipe(pw, sizeof pw);
    return st;
}

static sc_status qpdf_failed(qpdf_data q, sc_error *err, const char *what)
{
    qpdf_error e = sym_qpdf_has_error(q) ? sym_qpdf_get_error(q) : NULL;
    const char *text = e ? sym_qpdf_get_error_full_text(q, e) : "unknown error";
    return sc_error_set(err, SC_ERR_PDF, NULL, 0, 0, "cannot %s the sheet (libqpdf: %s)",
                        what, text);
}

/* pdf[0..len) encrypted into *out (sc_malloc'd). */
static sc_status encrypt(const unsigned char *pdf, size_t len, const char *user,
                         const char *owner, unsigned char **out, size_t *outlen,
                         sc_error *err)
{
    *out = NULL;
    /* loaded when the run's steps were made; asked again (sc_dl_load:
     * nothing after the first) so that no caller can reach a NULL table */
    sc_status ld = sc_qpdf_load(err);
    if (ld != SC_OK)
        return ld;
    qpdf_data q = sym_qpdf_init();
    if (!q)
        return sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
    sym_qpdf_silence_errors(q);
    sym_qpdf_set_suppress_warnings(q, QPDF_TRUE);
    sc_status st = SC_OK;
    if (sym_qpdf_read_memory(q, "sheet", (const char *)pdf, (unsigned long long)len, NULL) &
        QPDF_ERRORS)
        st = qpdf_failed(q, err, "read");
    if (st == SC_OK && (sym_qpdf_init_write_memory(q) & QPDF_ERRORS))
        st = qpdf_failed(q, err, "prepare to encrypt");
    if (st == SC_OK) {
        /* Our streams are compressed as they should be: copy them as they
         * are rather than inflate and deflate them again (1.5 of the ~8 ms
         * of CPU a kefu sheet takes here; nearly all the rest is R6's key
         * setup, deliberately slow hashing). */
        sym_qpdf_set_decode_level(q, qpdf_dl_none);
        sym_qpdf_set_compress_streams(q, QPDF_FALSE);
        sym_qpdf_set_r6_encryption_parameters2(q, user, owner,
                                           QPDF_TRUE,  /* accessibility */
                                           QPDF_TRUE,  /* copy text */
                                           QPDF_FALSE, /* assemble pages */
                                           QPDF_FALSE, /* comments, form edits */
                                           QPDF_TRUE,  /* fill in fields, sign */
                                           QPDF_FALSE, /* other changes */
                                           qpdf_r3p_full, QPDF_TRUE);
        if (sym_qpdf_has_error(q))
            st = qpdf_failed(q, err, "encrypt");
    }
    if (st == SC_OK && (sym_qpdf_write(q) & QPDF_ERRORS))
        st = qpdf_failed(q, err, "encrypt");
    if (st == SC_OK) {
        size_t n = sym_qpdf_get_buffer_length(q);
        const unsigned char *b = sym_qpdf_get_buffer(q);
        if (!b || !n)
            st = sc_error_set(err, SC_ERR_PDF, NULL, 0, 0,
                              "libqpdf wrote no encrypted sheet");
        else if (!(*out = sc_malloc(n)))
            st = sc_error_set(err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
        else {
            memcpy(*out, b, n);
            *outlen = n;
        }
    }
    sym_qpdf_cleanup(&q);
    return st;
}

static sc_status enc_doc(sc_step *self, sc_doc *d, sc_error *err)
{
    enc_step *es = (enc_step *)self;
    if (!d->pdf)
        return SC_OK; /* a check: nothing drawn to encrypt, admit did the rest */
    char user[SC_PASSWORD_MAX + 1], owner[33];
    unsigned char r[16];
    sc_status st = sc_passwords_get(es->pw, d->rec, user, sizeof user, err);
    if (st == SC_OK && sc_random(r, sizeof r) != 0)
        st = sc_error_set(err, SC_ERR_IO, NULL, 0, 0,
                          "no random numbers from the kernel for the owner password");
    if (st == SC_OK) {
        for (size_t i = 0; i < sizeof r; i++)
            snprintf(owner + 2 * i, 3, "%02x", r[i]);
        unsigned char *enc = NULL;
        size_t len = 0;
        st = encrypt(d->pdf, d->len, user, owner, &enc, &len, err);
        if (st == SC_OK) {
            d->pdf = enc; /* the driver frees the bytes it replaces */
            d->len = len;
        }
    }
    sc_wipe(user, sizeof user);
    sc_wipe(owner, sizeof owner);
    sc_wipe(r, sizeof r);
    return st;
}

static void enc_free(sc_step *self)
{
    enc_step *es = (enc_step *)self;
    sc_passwords_free(es->pw);
    sc_free(es);
}

sc_step *sc_step_encrypt(sc_passwords *pw)
{
    enc_step *es = sc_calloc(1, sizeof *es);
    if (!es)
        return NULL;
    es->step.what = "encryption";
    es->step.doc = enc_doc;
    es->step.admit = enc_admit;
    es->step.free = enc_free;
    es->pw = pw;
    return &es->step;
}
