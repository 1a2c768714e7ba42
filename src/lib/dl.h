/* dl.h -- libraries loaded when a feature first needs them, not at start.
 *
 * libcurl (mail), libqpdf (encryption, sign, verify), libxlsxwriter
 * (check --format xlsx), ICU's collation (--sort name), libcrypto
 * (sign, verify), HarfBuzz's subsetter (fonts with CFF outlines) and fontconfig
 * (a font of the map found by family, its file missing) pull in some
 * fifty shared objects between them, which the dynamic loader would map
 * and relocate before every run -- more than the rest of the start-up of
 * a render that uses none of them (docs/performance.md).  So the program
 * is not linked with them: each has a small module (dl_curl.c,
 * dl_qpdf.c, dl_icu.c, dl_crypto.c, dl_hb.c, dl_fc.c, src/cli/dl_xlsx.c)
 * that dlopen()s the exact SONAME it was built against the first time a
 * feature asks, once per process (sc_dl_load), and fills a table of
 * function pointers with dlsym().  tests/install/linked_libs.sh keeps
 * them out of the link, missing_libs.sh checks the message without them.
 *
 * Each pointer is declared with the type of the header's own prototype
 * (SC_DL_DECLARE), so a call through it is checked as a direct call would
 * be; the header is still included, only the link is gone.  Call sites say
 * sym_curl_easy_init(...) to show the call goes through the table.
 *
 * This file is standalone (no internal.h): the CLI's xlsx module uses it
 * too.
 */
#ifndef SC_DL_H
#define SC_DL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#define SC_DL_STR_(x) #x
#define SC_DL_STR(x) SC_DL_STR_(x)
/* The pointer for function f, typed from f's prototype. */
#define SC_DL_DECLARE(f) extern __typeof__(f) *sym_##f
#define SC_DL_DEFINE(f) __typeof__(f) *sym_##f
/* A table row: f's link name (after the header's macros: ICU renames
 * ucol_open to ucol_open_72) and where its address goes.  A header's
 * function-like macro (OpenSSL's OPENSSL_free, sk_X509_num) is not a
 * symbol: its module redefines it over the table (dl_crypto.h). */
#define SC_DL_SYM(f) {SC_DL_STR(f), (void **)&sym_##f}

typedef struct sc_dl_sym {
    const char *name;
    void **fn;
} sc_dl_sym;

typedef struct sc_dl_lib {
    const char *soname;  /* exactly what the build linked against: "libcurl.so.4" */
    const char *package; /* the Debian package that has it: "libcurl4" */
    const char *feature; /* what needs it, for the message: "sending mail" */
    const sc_dl_sym *syms;
    size_t nsyms;
    int loaded;          /* set by sc_dl_load: every symbol found */
    char why[400];       /* else the message for the user */
    pthread_mutex_t lock; /* one attempt per process, on whichever thread */
    atomic_int tried;     /* the attempt is over: loaded and why are final */
} sc_dl_lib;

/* A module's library: its SONAME, package, feature and table. */
#define SC_DL_LIB(soname, package, feature, syms)                           \
    {(soname), (package), (feature), (syms), sizeof(syms) / sizeof *(syms), \
     0, "", PTHREAD_MUTEX_INITIALIZER, 0}

/* The first call (any thread; the others wait for it) opens lib->soname
 * and resolves every symbol, or fills lib->why and leaves the library
 * closed, every pointer NULL; later calls only answer.  1 if loaded. */
int sc_dl_load(sc_dl_lib *lib);

#endif
