/* verify.c -- `scorecard verify FILE...`: is each archive copy unchanged
 * since signing, a PDF/A file, and are its figures those its embedded
 * record scores to?  The library checks (sc_verify); this prints each
 * finding, one line each, and the verdict per file.
 *
 * Exit status: 0 every file passed every check; 1 a check failed; 2 usage
 * error; 3 a file could not be read at all. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: scorecard verify [--ca FILE] [-q] FILE...\n"
          "\n"
          "For each archive copy: every signature (its byte range, digest and CMS, who\n"
          "signed which field), required fields signed, the last signature covering the\n"
          "whole file; the PDF/A checks; the embedded record validated, scored again and\n"
          "compared with the embedded results and the printed figures.\n"
          "\n"
          "  --ca FILE   PEM certificates to trust: each signer's certificate must chain\n"
          "              to one (without it, signatures are checked, certificates not)\n"
          "  -q          print only what fails and the verdict\n"
          "\n"
          "exit status: 0 all checks passed; 1 a check failed; 2 usage error;\n"
          "             3 a file cannot be read\n",
          f);
}

typedef struct out {
    int quiet;
} out;

static void on_check(void *ud, const sc_check *c)
{
    const out *o = ud;
    if (o->quiet && c->result != SC_CHECK_FAIL)
        return;
    static const char *const tag[] = {"ok  ", "FAIL", "note"};
    printf("  %s %-9s %s\n", tag[c->result <= 2 ? c->result : 1], c->what, c->text);
}

int cmd_verify(int argc, char **argv)
{
    sc_verify_opts vo = SC_VERIFY_OPTS_INIT;
    out o = {0};
    const char *files[256];
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return EXIT_ALL_OK;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o.quiet = 1;
        } else if (!strcmp(a, "--ca")) {
            if (i + 1 >= argc) {
                errorf("option '--ca' needs a value");
                return EXIT_USAGE;
            }
            vo.ca_file = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            errorf("unknown option '%s' (try: scorecard verify --help)", a);
            return EXIT_USAGE;
        } else if (nfiles < 256) {
            files[nfiles++] = a;
        } else {
            errorf("at most 256 files at once");
            return EXIT_USAGE;
        }
    }
    if (!nfiles) {
        errorf("verify needs the PDF files to check (try: scorecard verify --help)");
        return EXIT_USAGE;
    }
    vo.report = on_check;
    vo.report_ud = &o;
    int bad = 0, unreadable = 0;
    for (int i = 0; i < nfiles; i++) {
        printf("%s\n", files[i]);
        fflush(stdout);
        int failed = 0;
        sc_error err;
        memset(&err, 0, sizeof err);
        sc_status st = sc_verify(files[i], &vo, &failed, &err);
        if (st == SC_OK) {
            printf("%s: verified\n", files[i]);
        } else if (st == SC_ERR_DATA) {
            printf("%s: NOT verified: %d check%s failed\n", files[i], failed,
                   failed > 1 ? "s" : "");
            bad++;
        } else {
            print_error(&err);
            if (st == SC_ERR_USAGE)
                return EXIT_USAGE;
            unreadable++;
        }
        fflush(stdout);
    }
    return unreadable ? EXIT_UNUSABLE : bad ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}
