/* fonts_fixture.h -- the cmocka group fixture shared by the tests that lay
 * out or draw text: the repository's font map (fonts/fonts.xml), loaded
 * once per test program into `fonts` and freed at the end. */
#ifndef SC_TEST_FONTS_FIXTURE_H
#define SC_TEST_FONTS_FIXTURE_H

#include <stdio.h>

#include "internal.h"

static sc_fonts *fonts;

static int setup(void **state)
{
    (void)state;
    sc_error err;
    if (sc_fonts_load(&fonts, SC_SOURCE_DIR "/fonts/fonts.xml", &err)) {
        fprintf(stderr, "cannot load fonts: %s\n", err.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sc_fonts_free(fonts);
    return 0;
}

#endif
