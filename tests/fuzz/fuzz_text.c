/* fuzz_text.c -- fuzz the text engine on arbitrary bytes with the default
 * fonts (loaded once): UTF-8 validation and decoding, measuring, runs and
 * line breaking.
 *
 * Input: byte 0 picks the role (low 2 bits) and the size (6..69 pt),
 * byte 1 the line width (0..255 pt: 0 and widths narrower than one
 * character are the interesting ones); the rest is the text, not
 * necessarily valid UTF-8 and possibly with NULs (sc_text_break gets the
 * part before the first NUL, as its contract is NUL-terminated). */
#include "fuzz.h"

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sc_fonts *fonts;

static void unload(void)
{
    sc_fonts_free(fonts);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sc_error err;
    if (sc_fonts_load(&fonts, NULL, &err)) {
        fprintf(stderr, "fuzz_text: cannot load fonts: %s\n", err.message);
        exit(1);
    }
    atexit(unload);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int role = data[0] & 3;
    double pt = 6 + (data[0] >> 2);
    double width = data[1];
    const char *s = (const char *)data + 2;
    size_t n = size - 2;

    size_t bad = 0;
    int valid = sc_utf8_valid(s, n, &bad);
    if (!valid && bad >= n)
        abort(); /* the offset of the bad byte must lie inside */
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t k = sc_utf8_decode(s + i, n - i, &cp);
        if (k > n - i || (k && cp > 0x10FFFF))
            abort();
        i += k ? k : 1;
    }
    (void)sc_text_width(fonts, role, pt, s, n);

    sc_run *runs = NULL;
    size_t nruns = 0;
    if (sc_text_runs(fonts, role, pt, s, n, &runs, &nruns) == SC_OK) {
        size_t end = 0;
        for (size_t i = 0; i < nruns; i++) {
            if (runs[i].start != end || runs[i].len == 0)
                abort(); /* runs must tile the text */
            end = runs[i].start + runs[i].len;
        }
        if (end != n && valid)
            abort();
        free(runs);
    }

    char *z = malloc(n + 1);
    if (!z)
        return 0;
    memcpy(z, s, n);
    z[n] = 0;
    size_t zn = strlen(z);
    sc_line *lines = NULL;
    size_t nlines = 0;
    unsigned flags = data[1] & 1 ? SC_BREAK_HANG : 0;
    if (sc_text_break(fonts, role, pt, z, width, flags, &lines, &nlines) ==
        SC_OK) {
        if (nlines == 0)
            abort(); /* even "" is one line */
        size_t end = 0;
        for (size_t i = 0; i < nlines; i++) {
            if (lines[i].start > zn || lines[i].len > zn - lines[i].start)
                abort();
            if (lines[i].start < end || lines[i].indent < 0 ||
                lines[i].indent > width / 2 + 1e-9)
                abort(); /* in order, and a hang leaves half the width */
            end = lines[i].start + lines[i].len;
        }
        free(lines);
    }
    free(z);
    return 0;
}
