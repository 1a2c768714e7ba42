/* dl_crypto.h -- OpenSSL's libcrypto, loaded when sign or verify first
 * needs it (dl.h): CMS, X.509, PKCS#12.  dlopen()ing it costs 1-3 ms,
 * which no render, check or --version pays: the digests every rendered
 * file has (SHA-256, MD5) are Nettle's (util.c, pdfa.c).
 *
 * The table holds the functions the library calls, as libcrypto exports
 * them.  Some of OpenSSL's names are macros over others -- OPENSSL_free is
 * CRYPTO_free with the caller's file and line, BIO_reset is BIO_ctrl, the
 * sk_TYPE_* stack calls are OPENSSL_sk_* behind inline type checks -- and
 * those are redefined below over the table, each as the header defines it,
 * so that no call reaches the unlinked library directly. */
#ifndef SC_DL_CRYPTO_H
#define SC_DL_CRYPTO_H

#include "dl.h"
#include "internal.h"

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

/* sc_crypto_load (internal.h) loads the library; these are its functions. */
SC_DL_DECLARE(ASN1_STRING_get0_data);
SC_DL_DECLARE(ASN1_STRING_length);
SC_DL_DECLARE(ASN1_STRING_set);
SC_DL_DECLARE(ASN1_STRING_to_UTF8);
SC_DL_DECLARE(BIO_ctrl);
SC_DL_DECLARE(BIO_free);
SC_DL_DECLARE(BIO_new);
SC_DL_DECLARE(BIO_new_file);
SC_DL_DECLARE(BIO_read);
SC_DL_DECLARE(BIO_s_mem);
SC_DL_DECLARE(BIO_write);
SC_DL_DECLARE(CMS_ContentInfo_free);
SC_DL_DECLARE(CMS_SignerInfo_get0_algs);
SC_DL_DECLARE(CMS_SignerInfo_get0_signature);
SC_DL_DECLARE(CMS_add1_cert);
SC_DL_DECLARE(CMS_add1_signer);
SC_DL_DECLARE(CMS_get0_SignerInfos);
SC_DL_DECLARE(CMS_get0_signers);
SC_DL_DECLARE(CMS_set_detached);
SC_DL_DECLARE(CMS_sign);
SC_DL_DECLARE(CMS_signed_add1_attr_by_NID);
SC_DL_DECLARE(CMS_signed_get0_data_by_OBJ);
SC_DL_DECLARE(CMS_signed_get_attr);
SC_DL_DECLARE(CMS_signed_get_attr_by_NID);
SC_DL_DECLARE(CMS_signed_get_attr_count);
SC_DL_DECLARE(CMS_verify);
SC_DL_DECLARE(CRYPTO_free);
SC_DL_DECLARE(CRYPTO_malloc);
SC_DL_DECLARE(ERR_clear_error);
SC_DL_DECLARE(ERR_error_string_n);
SC_DL_DECLARE(ERR_get_error);
SC_DL_DECLARE(ERR_reason_error_string);
SC_DL_DECLARE(ESS_SIGNING_CERT_V2_free);
SC_DL_DECLARE(EVP_DigestFinal_ex);
SC_DL_DECLARE(EVP_DigestInit_ex);
SC_DL_DECLARE(EVP_DigestSign);
SC_DL_DECLARE(EVP_DigestSignInit);
SC_DL_DECLARE(EVP_DigestUpdate);
SC_DL_DECLARE(EVP_MD_CTX_free);
SC_DL_DECLARE(EVP_MD_CTX_new);
SC_DL_DECLARE(EVP_MD_get0_name);
SC_DL_DECLARE(EVP_PKEY_free);
SC_DL_DECLARE(EVP_get_digestbyname);
SC_DL_DECLARE(EVP_sha256);
SC_DL_DECLARE(OBJ_nid2obj);
SC_DL_DECLARE(OBJ_nid2sn);
SC_DL_DECLARE(OBJ_obj2nid);
SC_DL_DECLARE(OPENSSL_sk_free);
SC_DL_DECLARE(OPENSSL_sk_new_null);
SC_DL_DECLARE(OPENSSL_sk_num);
SC_DL_DECLARE(OPENSSL_sk_pop_free);
SC_DL_DECLARE(OPENSSL_sk_push);
SC_DL_DECLARE(OPENSSL_sk_value);
SC_DL_DECLARE(OSSL_ESS_check_signing_certs);
SC_DL_DECLARE(PEM_read_bio_PrivateKey);
SC_DL_DECLARE(PEM_read_bio_X509);
SC_DL_DECLARE(PKCS12_free);
SC_DL_DECLARE(PKCS12_parse);
SC_DL_DECLARE(X509_ALGOR_get0);
SC_DL_DECLARE(X509_NAME_ENTRY_get_data);
SC_DL_DECLARE(X509_NAME_get_entry);
SC_DL_DECLARE(X509_NAME_get_index_by_NID);
SC_DL_DECLARE(X509_STORE_free);
SC_DL_DECLARE(X509_STORE_load_file);
SC_DL_DECLARE(X509_STORE_new);
SC_DL_DECLARE(X509_STORE_set_purpose);
SC_DL_DECLARE(X509_check_private_key);
SC_DL_DECLARE(X509_free);
SC_DL_DECLARE(X509_get_subject_name);
SC_DL_DECLARE(d2i_CMS_ContentInfo);
SC_DL_DECLARE(d2i_ESS_SIGNING_CERT_V2);
SC_DL_DECLARE(d2i_PKCS12_bio);
SC_DL_DECLARE(i2d_CMS_ContentInfo);
SC_DL_DECLARE(i2d_X509);
SC_DL_DECLARE(i2d_X509_ATTRIBUTE);
/* deprecated in OpenSSL 3 but kept by it; util.c's sc_sha256_hex says why
 * they are used */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#pragma GCC diagnostic pop

/* The headers' macros, over the table. */
#define sym_OPENSSL_free(addr) sym_CRYPTO_free(addr, OPENSSL_FILE, OPENSSL_LINE)
#define sym_OPENSSL_malloc(num) sym_CRYPTO_malloc(num, OPENSSL_FILE, OPENSSL_LINE)
#define sym_BIO_reset(b) (int)sym_BIO_ctrl(b, BIO_CTRL_RESET, 0, NULL)
#define sym_EVP_get_digestbyobj(a) sym_EVP_get_digestbyname(sym_OBJ_nid2sn(sym_OBJ_obj2nid(a)))
#define sym_sk_X509_num(sk) sym_OPENSSL_sk_num(ossl_check_const_X509_sk_type(sk))
#define sym_sk_X509_value(sk, idx) \
    ((X509 *)sym_OPENSSL_sk_value(ossl_check_const_X509_sk_type(sk), (idx)))
#define sym_sk_X509_new_null() ((STACK_OF(X509) *)sym_OPENSSL_sk_new_null())
#define sym_sk_X509_free(sk) sym_OPENSSL_sk_free(ossl_check_X509_sk_type(sk))
#define sym_sk_X509_push(sk, ptr) \
    sym_OPENSSL_sk_push(ossl_check_X509_sk_type(sk), ossl_check_X509_type(ptr))
#define sym_sk_X509_pop_free(sk, freefunc) \
    sym_OPENSSL_sk_pop_free(ossl_check_X509_sk_type(sk), ossl_check_X509_freefunc_type(freefunc))
#define sym_sk_CMS_SignerInfo_num(sk) \
    sym_OPENSSL_sk_num(ossl_check_const_CMS_SignerInfo_sk_type(sk))
#define sym_sk_CMS_SignerInfo_value(sk, idx) \
    ((CMS_SignerInfo *)sym_OPENSSL_sk_value(ossl_check_const_CMS_SignerInfo_sk_type(sk), (idx)))

#endif
