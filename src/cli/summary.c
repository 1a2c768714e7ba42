/* summary.c -- `scorecard summary -d DATA -o FILE.pdf`: the department
 * summary (部门绩效汇总表) of the data's records, without their sheets.
 * Every record is read, scored and laid out as `check` does, so that the
 * summary lists as errors exactly the records `check` and `render` fail;
 * the library's summary step makes the sheet (src/lib/summary.c). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static void print_dump(void *ud, const char *dump)
{
    (void)ud;
    fputs(dump, stdout);
}

int cmd_summary(const summary_args *a)
{
    if (!a->dump && !a->out) {
        errorf("summary: give the file to write with -o FILE.pdf (or --dump)");
        return EXIT_USAGE;
    }
    sc_error err;
    memset(&err, 0, sizeof err);
    sc_batch_opts bo = SC_BATCH_OPTS_INIT;
    if (source_date(&bo.created) < 0) {
        errorf("SOURCE_DATE_EPOCH must be a number of seconds since 1970");
        return EXIT_USAGE;
    }
    char mapbuf[4300], tplbuf[8400];
    sc_fonts *fonts = NULL;
    if (sc_fonts_load(&fonts, cli_font_map(a->fonts_map, mapbuf, sizeof mapbuf), &err) != SC_OK) {
        print_error(&err);
        return EXIT_UNUSABLE;
    }
    bo.data = a->data;
    bo.ndata = a->ndata;
    bo.produce = SC_PRODUCE_CHECK;
    bo.template_file = a->template_file;
    bo.template_dir = a->template_dir;
    bo.template_path = cli_template_path(tplbuf, sizeof tplbuf);
    bo.allow_missing_glyphs = a->allow_missing;
    bo.diag = on_diag;
    bo.warn = on_warning;
    bo.sort = a->sort;
    bo.summary = a->out ? a->out : "summary.pdf";
    bo.summary_template = a->summary_template;
    if (a->dump)
        bo.on_summary_dump = print_dump;
    sc_batch_summary sum;
    sc_status st = sc_batch_run(fonts, &bo, &sum, &err);
    sc_fonts_free(fonts);
    if (st != SC_OK)
        print_error(&err);
    if (!a->quiet && st == SC_OK)
        fprintf(a->dump ? stderr : stdout,
                "scorecard: summary of %d records (%d with problems)%s%s\n", sum.records,
                sum.failed, sum.files ? " -> " : "", sum.files ? a->out : "");
    if (st != SC_OK)
        return st == SC_ERR_USAGE ? EXIT_USAGE : EXIT_UNUSABLE;
    if (sum.records == 0) {
        if (!sum.unusable && !sum.cut_short)
            errorf("the data holds no employee record");
        return EXIT_UNUSABLE;
    }
    return sum.failed || sum.unusable || sum.cut_short ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}
