/* dl_hb.h -- HarfBuzz's subsetter, loaded when a font with CFF outlines is
 * first opened (dl.h).  libharfbuzz-subset brings libharfbuzz, freetype,
 * graphite2, glib, pcre2, brotli and libstdc++ with it; a map of TrueType
 * fonts (the default) never needs any of them.  The hb_* functions of
 * libharfbuzz are found through libharfbuzz-subset, which depends on it. */
#ifndef SC_DL_HB_H
#define SC_DL_HB_H

#include "dl.h"
#include "internal.h"

#include <hb-subset.h>
#include <hb.h>

/* sc_hb_load (internal.h) loads the library; these are its functions. */
SC_DL_DECLARE(hb_blob_create);
SC_DL_DECLARE(hb_blob_destroy);
SC_DL_DECLARE(hb_blob_get_data);
SC_DL_DECLARE(hb_face_create_for_tables);
SC_DL_DECLARE(hb_face_destroy);
SC_DL_DECLARE(hb_face_get_empty);
SC_DL_DECLARE(hb_face_reference_table);
SC_DL_DECLARE(hb_face_set_upem);
SC_DL_DECLARE(hb_map_get);
SC_DL_DECLARE(hb_set_add);
SC_DL_DECLARE(hb_set_clear);
SC_DL_DECLARE(hb_set_del);
SC_DL_DECLARE(hb_set_invert);
SC_DL_DECLARE(hb_subset_input_create_or_fail);
SC_DL_DECLARE(hb_subset_input_destroy);
SC_DL_DECLARE(hb_subset_input_glyph_set);
SC_DL_DECLARE(hb_subset_input_set);
SC_DL_DECLARE(hb_subset_input_set_flags);
SC_DL_DECLARE(hb_subset_input_unicode_set);
SC_DL_DECLARE(hb_subset_plan_create_or_fail);
SC_DL_DECLARE(hb_subset_plan_destroy);
SC_DL_DECLARE(hb_subset_plan_execute_or_fail);
SC_DL_DECLARE(hb_subset_plan_old_to_new_glyph_mapping);

#endif
