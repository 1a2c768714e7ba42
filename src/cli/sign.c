/* sign.c -- `scorecard sign`: a company signature on an archive copy.
 *
 *   scorecard sign FILE --key KEY [--cert CERT] [--pass-file F | --pass-env V]
 *                  [-o OUT] [--field NAME] [--seal IMAGE [--at P:X,Y,W,H]]
 *                  [--reason TEXT] [--location TEXT]
 *
 * The library does the signing (sc_sign); this file parses the arguments.
 * The key's password is read from a file or an environment variable,
 * never taken from the command line, where other users of the machine
 * could read it.  The signing time is now, or SOURCE_DATE_EPOCH. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
    fputs("usage: scorecard sign FILE --key KEY [--cert CERT] [--pass-file F | --pass-env V]\n"
          "                      [-o OUT] [--field NAME] [--seal IMAGE [--at P:X,Y,W,H]]\n"
          "                      [--reason TEXT] [--location TEXT]\n"
          "\n"
          "Adds a PAdES signature (CMS, SHA-256, ETSI.CAdES.detached) to FILE as an\n"
          "incremental update: signatures already in the file stay valid, and the fields\n"
          "left unsigned can still be signed after.\n"
          "\n"
          "  --key KEY         the signer's private key (PEM) or a PKCS#12 file (.p12)\n"
          "  --cert CERT       PEM: the signer's certificate, then its chain (default: KEY)\n"
          "  --pass-file F     the password of KEY: the first line of F\n"
          "  --pass-env V      ... or the environment variable V (never an argument)\n"
          "  -o, --output OUT  write the signed copy to OUT (default: replace FILE)\n"
          "  --field NAME      sign this unsigned signature field (default: a new\n"
          "                    invisible field 公司签章)\n"
          "  --seal IMAGE      show IMAGE (PNG, JPEG) in the field: the company seal\n"
          "  --at P:X,Y,W,H    a new field with the seal on page P, at X,Y (mm from the\n"
          "                    top left), W x H mm\n"
          "  --reason TEXT, --location TEXT   recorded in the signature\n"
          "\n"
          "exit status: 0 signed; 2 usage error; 3 the file or the key cannot be used\n",
          f);
}

char *cli_password(const char *file, const char *env)
{
    if (env) {
        const char *v = getenv(env);
        if (!v) {
            errorf("the environment variable %s (--pass-env) is not set", env);
            return NULL;
        }
        return strdup(v);
    }
    FILE *f = fopen(file, "r");
    if (!f) {
        errorf("%s: cannot read the password file (--pass-file)", file);
        return NULL;
    }
    char line[1024] = "";
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    return strdup(line);
}

/* P:X,Y,W,H */
static int parse_at(const char *s, sc_sign_opts *o)
{
    char tail;
    return sscanf(s, "%d:%lf,%lf,%lf,%lf%c", &o->seal_page, &o->seal_box[0], &o->seal_box[1],
                  &o->seal_box[2], &o->seal_box[3], &tail) == 5 &&
           o->seal_page >= 1 && o->seal_box[2] > 0 && o->seal_box[3] > 0;
}

int cmd_sign(int argc, char **argv)
{
    sc_sign_opts o = SC_SIGN_OPTS_INIT;
    const char *pass_file = NULL, *pass_env = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return EXIT_ALL_OK;
        } else if (!strcmp(a, "--key")) {
            slot = &o.key_file;
        } else if (!strcmp(a, "--cert")) {
            slot = &o.cert_file;
        } else if (!strcmp(a, "--pass-file")) {
            slot = &pass_file;
        } else if (!strcmp(a, "--pass-env")) {
            slot = &pass_env;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            slot = &o.out;
        } else if (!strcmp(a, "--field")) {
            slot = &o.field;
        } else if (!strcmp(a, "--seal")) {
            slot = &o.seal;
        } else if (!strcmp(a, "--reason")) {
            slot = &o.reason;
        } else if (!strcmp(a, "--location")) {
            slot = &o.location;
        } else if (!strcmp(a, "--at")) {
            if (i + 1 >= argc || !parse_at(argv[++i], &o)) {
                errorf("--at takes PAGE:X,Y,W,H (millimetres from the top left), e.g. "
                           "--at 2:150,200,40,40");
                return EXIT_USAGE;
            }
            continue;
        } else if (!strcmp(a, "--password") || !strcmp(a, "--pass")) {
            errorf("a password is never given on the command line (other users can "
                       "see it): use --pass-file FILE or --pass-env VARIABLE");
            return EXIT_USAGE;
        } else if (a[0] == '-' && a[1]) {
            errorf("unknown option '%s' (try: scorecard sign --help)", a);
            return EXIT_USAGE;
        } else if (!o.in) {
            o.in = a;
            continue;
        } else {
            errorf("sign takes one file at a time; '%s' is a second one", a);
            return EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            errorf("option '%s' needs a value", a);
            return EXIT_USAGE;
        }
        *slot = argv[++i];
    }
    if (!o.in || !o.key_file) {
        errorf("sign needs a PDF and --key KEY (try: scorecard sign --help)");
        return EXIT_USAGE;
    }
    if (pass_file && pass_env) {
        errorf("give --pass-file or --pass-env, not both");
        return EXIT_USAGE;
    }
    if (o.seal_page && !o.seal) {
        errorf("--at places the seal: give --seal IMAGE too");
        return EXIT_USAGE;
    }
    char *pass = NULL;
    if ((pass_file || pass_env) && !(pass = cli_password(pass_file, pass_env)))
        return EXIT_USAGE;
    o.password = pass;
    long long t;
    int sd = source_date(&t);
    if (sd < 0) {
        errorf("SOURCE_DATE_EPOCH must be a number of seconds since 1970");
        free(pass);
        return EXIT_USAGE;
    }
    o.time = sd ? t : (long long)time(NULL);
    sc_error err;
    memset(&err, 0, sizeof err);
    sc_status st = sc_sign(&o, &err);
    if (pass) {
        memset(pass, 0, strlen(pass));
        free(pass);
    }
    if (st != SC_OK) {
        print_error(&err);
        return st == SC_ERR_USAGE ? EXIT_USAGE : EXIT_UNUSABLE;
    }
    printf("scorecard: signed %s%s%s -> %s\n", o.in, o.field ? ", field " : "",
           o.field ? o.field : "", o.out ? o.out : o.in);
    return EXIT_ALL_OK;
}
