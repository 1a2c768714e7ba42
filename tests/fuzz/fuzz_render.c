/* fuzz_render.c -- fuzz binding and layout: a fixed, good template
 * (templates/kefu-monthly.xml) and the default fonts, loaded once, and
 * fuzzed data: every record the reader yields is laid out with
 * sc_render_dump.  Odd-sized inputs allow missing glyphs (marker path),
 * even-sized ones fail on them (error path). */
#include "fuzz.h"

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#ifndef SC_SOURCE_DIR
#error "SC_SOURCE_DIR must name the source tree"
#endif

static sc_fonts *fonts;
static sc_template *tpl;

static void ignore(void *ud, const sc_error *e)
{
    (void)ud;
    (void)e;
}

static void unload(void)
{
    sc_template_free(tpl);
    sc_fonts_free(fonts);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sc_error err;
    if (sc_fonts_load(&fonts, NULL, &err) ||
        sc_template_load(&tpl, SC_SOURCE_DIR "/templates/kefu-monthly.xml",
                         NULL, NULL, &err)) {
        fprintf(stderr, "fuzz_render: cannot set up: %s\n", err.message);
        exit(1);
    }
    atexit(unload);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("data.xml", data, size);
    sc_reader *r = NULL;
    sc_error err;
    if (sc_reader_open(&r, path, ignore, NULL, &err) != SC_OK)
        return 0;
    sc_render_opts opts = SC_RENDER_OPTS_INIT;
    opts.allow_missing_glyphs = (int)(size & 1);
    opts.diag = ignore;
    for (int i = 0; i < 1000; i++) {
        sc_record *rec = NULL;
        sc_status st = sc_reader_next(r, &rec, &err);
        if (st == SC_OK) {
            char *dump = NULL;
            if (sc_render_dump(tpl, fonts, rec, &opts, &dump, &err) == SC_OK)
                sc_free(dump);
            sc_record_free(rec);
        } else if (st != SC_ERR_SCHEMA && st != SC_ERR_DATA &&
                   st != SC_ERR_ENCODING) {
            break;
        }
    }
    sc_reader_free(r);
    return 0;
}
