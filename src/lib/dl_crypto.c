/* dl_crypto.c -- libcrypto's table (dl.h). */
#include "dl_crypto.h"

#include <pthread.h>

SC_DL_DEFINE(ASN1_STRING_get0_data);
SC_DL_DEFINE(ASN1_STRING_length);
SC_DL_DEFINE(ASN1_STRING_set);
SC_DL_DEFINE(ASN1_STRING_to_UTF8);
SC_DL_DEFINE(BIO_ctrl);
SC_DL_DEFINE(BIO_free);
SC_DL_DEFINE(BIO_new);
SC_DL_DEFINE(BIO_new_file);
SC_DL_DEFINE(BIO_read);
SC_DL_DEFINE(BIO_s_mem);
SC_DL_DEFINE(BIO_write);
SC_DL_DEFINE(CMS_ContentInfo_free);
SC_DL_DEFINE(CMS_SignerInfo_get0_algs);
SC_DL_DEFINE(CMS_SignerInfo_get0_signature);
SC_DL_DEFINE(CMS_add1_cert);
SC_DL_DEFINE(CMS_add1_signer);
SC_DL_DEFINE(CMS_get0_SignerInfos);
SC_DL_DEFINE(CMS_get0_signers);
SC_DL_DEFINE(CMS_set_detached);
SC_DL_DEFINE(CMS_sign);
SC_DL_DEFINE(CMS_signed_add1_attr_by_NID);
SC_DL_DEFINE(CMS_signed_get0_data_by_OBJ);
SC_DL_DEFINE(CMS_signed_get_attr);
SC_DL_DEFINE(CMS_signed_get_attr_by_NID);
SC_DL_DEFINE(CMS_signed_get_attr_count);
SC_DL_DEFINE(CMS_verify);
SC_DL_DEFINE(CRYPTO_free);
SC_DL_DEFINE(CRYPTO_malloc);
SC_DL_DEFINE(ERR_clear_error);
SC_DL_DEFINE(ERR_error_string_n);
SC_DL_DEFINE(ERR_get_error);
SC_DL_DEFINE(ERR_reason_error_string);
SC_DL_DEFINE(ESS_SIGNING_CERT_V2_free);
SC_DL_DEFINE(EVP_DigestFinal_ex);
SC_DL_DEFINE(EVP_DigestInit_ex);
SC_DL_DEFINE(EVP_DigestSign);
SC_DL_DEFINE(EVP_DigestSignInit);
SC_DL_DEFINE(EVP_DigestUpdate);
SC_DL_DEFINE(EVP_MD_CTX_free);
SC_DL_DEFINE(EVP_MD_CTX_new);
SC_DL_DEFINE(EVP_MD_get0_name);
SC_DL_DEFINE(EVP_PKEY_free);
SC_DL_DEFINE(EVP_get_digestbyname);
SC_DL_DEFINE(EVP_sha256);
SC_DL_DEFINE(OBJ_nid2obj);
SC_DL_DEFINE(OBJ_nid2sn);
SC_DL_DEFINE(OBJ_obj2nid);
SC_DL_DEFINE(OPENSSL_sk_free);
SC_DL_DEFINE(OPENSSL_sk_new_null);
SC_DL_DEFINE(OPENSSL_sk_num);
SC_DL_DEFINE(OPENSSL_sk_pop_free);
SC_DL_DEFINE(OPENSSL_sk_push);
SC_DL_DEFINE(OPENSSL_sk_value);
SC_DL_DEFINE(OSSL_ESS_check_signing_certs);
SC_DL_DEFINE(PEM_read_bio_PrivateKey);
SC_DL_DEFINE(PEM_read_bio_X509);
SC_DL_DEFINE(PKCS12_free);
SC_DL_DEFINE(PKCS12_parse);
SC_DL_DEFINE(X509_ALGOR_get0);
SC_DL_DEFINE(X509_NAME_ENTRY_get_data);
SC_DL_DEFINE(X509_NAME_get_entry);
SC_DL_DEFINE(X509_NAME_get_index_by_NID);
SC_DL_DEFINE(X509_STORE_free);
SC_DL_DEFINE(X509_STORE_load_file);
SC_DL_DEFINE(X509_STORE_new);
SC_DL_DEFINE(X509_STORE_set_purpose);
SC_DL_DEFINE(X509_check_private_key);
SC_DL_DEFINE(X509_free);
SC_DL_DEFINE(X509_get_subject_name);
SC_DL_DEFINE(d2i_CMS_ContentInfo);
SC_DL_DEFINE(d2i_ESS_SIGNING_CERT_V2);
SC_DL_DEFINE(d2i_PKCS12_bio);
SC_DL_DEFINE(i2d_CMS_ContentInfo);
SC_DL_DEFINE(i2d_X509);
SC_DL_DEFINE(i2d_X509_ATTRIBUTE);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#pragma GCC diagnostic pop

static const sc_dl_sym syms[] = {
    SC_DL_SYM(ASN1_STRING_get0_data),
    SC_DL_SYM(ASN1_STRING_length),
    SC_DL_SYM(ASN1_STRING_set),
    SC_DL_SYM(ASN1_STRING_to_UTF8),
    SC_DL_SYM(BIO_ctrl),
    SC_DL_SYM(BIO_free),
    SC_DL_SYM(BIO_new),
    SC_DL_SYM(BIO_new_file),
    SC_DL_SYM(BIO_read),
    SC_DL_SYM(BIO_s_mem),
    SC_DL_SYM(BIO_write),
    SC_DL_SYM(CMS_ContentInfo_free),
    SC_DL_SYM(CMS_SignerInfo_get0_algs),
    SC_DL_SYM(CMS_SignerInfo_get0_signature),
    SC_DL_SYM(CMS_add1_cert),
    SC_DL_SYM(CMS_add1_signer),
    SC_DL_SYM(CMS_get0_SignerInfos),
    SC_DL_SYM(CMS_get0_signers),
    SC_DL_SYM(CMS_set_detached),
    SC_DL_SYM(CMS_sign),
    SC_DL_SYM(CMS_signed_add1_attr_by_NID),
    SC_DL_SYM(CMS_signed_get0_data_by_OBJ),
    SC_DL_SYM(CMS_signed_get_attr),
    SC_DL_SYM(CMS_signed_get_attr_by_NID),
    SC_DL_SYM(CMS_signed_get_attr_count),
    SC_DL_SYM(CMS_verify),
    SC_DL_SYM(CRYPTO_free),
    SC_DL_SYM(CRYPTO_malloc),
    SC_DL_SYM(ERR_clear_error),
    SC_DL_SYM(ERR_error_string_n),
    SC_DL_SYM(ERR_get_error),
    SC_DL_SYM(ERR_reason_error_string),
    SC_DL_SYM(ESS_SIGNING_CERT_V2_free),
    SC_DL_SYM(EVP_DigestFinal_ex),
    SC_DL_SYM(EVP_DigestInit_ex),
    SC_DL_SYM(EVP_DigestSign),
    SC_DL_SYM(EVP_DigestSignInit),
    SC_DL_SYM(EVP_DigestUpdate),
    SC_DL_SYM(EVP_MD_CTX_free),
    SC_DL_SYM(EVP_MD_CTX_new),
    SC_DL_SYM(EVP_MD_get0_name),
    SC_DL_SYM(EVP_PKEY_free),
    SC_DL_SYM(EVP_get_digestbyname),
    SC_DL_SYM(EVP_sha256),
    SC_DL_SYM(OBJ_nid2obj),
    SC_DL_SYM(OBJ_nid2sn),
    SC_DL_SYM(OBJ_obj2nid),
    SC_DL_SYM(OPENSSL_sk_free),
    SC_DL_SYM(OPENSSL_sk_new_null),
    SC_DL_SYM(OPENSSL_sk_num),
    SC_DL_SYM(OPENSSL_sk_pop_free),
    SC_DL_SYM(OPENSSL_sk_push),
    SC_DL_SYM(OPENSSL_sk_value),
    SC_DL_SYM(OSSL_ESS_check_signing_certs),
    SC_DL_SYM(PEM_read_bio_PrivateKey),
    SC_DL_SYM(PEM_read_bio_X509),
    SC_DL_SYM(PKCS12_free),
    SC_DL_SYM(PKCS12_parse),
    SC_DL_SYM(X509_ALGOR_get0),
    SC_DL_SYM(X509_NAME_ENTRY_get_data),
    SC_DL_SYM(X509_NAME_get_entry),
    SC_DL_SYM(X509_NAME_get_index_by_NID),
    SC_DL_SYM(X509_STORE_free),
    SC_DL_SYM(X509_STORE_load_file),
    SC_DL_SYM(X509_STORE_new),
    SC_DL_SYM(X509_STORE_set_purpose),
    SC_DL_SYM(X509_check_private_key),
    SC_DL_SYM(X509_free),
    SC_DL_SYM(X509_get_subject_name),
    SC_DL_SYM(d2i_CMS_ContentInfo),
    SC_DL_SYM(d2i_ESS_SIGNING_CERT_V2),
    SC_DL_SYM(d2i_PKCS12_bio),
    SC_DL_SYM(i2d_CMS_ContentInfo),
    SC_DL_SYM(i2d_X509),
    SC_DL_SYM(i2d_X509_ATTRIBUTE),
};

static sc_dl_lib lib = {SC_SONAME_CRYPTO, SC_PACKAGE_CRYPTO,
                        "signing and verifying sheets (sign, verify)",
                        syms, sizeof syms / sizeof *syms, 0, ""};
static pthread_once_t once = PTHREAD_ONCE_INIT;
static void load(void) { sc_dl_load(&lib); }

sc_status sc_crypto_load(sc_error *err)
{
    pthread_once(&once, load);
    if (!lib.loaded)
        return sc_error_set(err, SC_ERR_LIBRARY, NULL, 0, 0, "%s", lib.why);
    return SC_OK;
}
