/* dl_hb.c -- HarfBuzz subsetter's table (dl.h). */
#include "dl_hb.h"

SC_DL_DEFINE(hb_blob_create);
SC_DL_DEFINE(hb_blob_destroy);
SC_DL_DEFINE(hb_blob_get_data);
SC_DL_DEFINE(hb_face_create_for_tables);
SC_DL_DEFINE(hb_face_destroy);
SC_DL_DEFINE(hb_face_get_empty);
SC_DL_DEFINE(hb_face_reference_table);
SC_DL_DEFINE(hb_face_set_upem);
SC_DL_DEFINE(hb_map_get);
SC_DL_DEFINE(hb_set_add);
SC_DL_DEFINE(hb_set_clear);
SC_DL_DEFINE(hb_set_del);
SC_DL_DEFINE(hb_set_invert);
SC_DL_DEFINE(hb_subset_input_create_or_fail);
SC_DL_DEFINE(hb_subset_input_destroy);
SC_DL_DEFINE(hb_subset_input_glyph_set);
SC_DL_DEFINE(hb_subset_input_set);
SC_DL_DEFINE(hb_subset_input_set_flags);
SC_DL_DEFINE(hb_subset_input_unicode_set);
SC_DL_DEFINE(hb_subset_plan_create_or_fail);
SC_DL_DEFINE(hb_subset_plan_destroy);
SC_DL_DEFINE(hb_subset_plan_execute_or_fail);
SC_DL_DEFINE(hb_subset_plan_old_to_new_glyph_mapping);

static const sc_dl_sym syms[] = {
    SC_DL_SYM(hb_blob_create),
    SC_DL_SYM(hb_blob_destroy),
    SC_DL_SYM(hb_blob_get_data),
    SC_DL_SYM(hb_face_create_for_tables),
    SC_DL_SYM(hb_face_destroy),
    SC_DL_SYM(hb_face_get_empty),
    SC_DL_SYM(hb_face_reference_table),
    SC_DL_SYM(hb_face_set_upem),
    SC_DL_SYM(hb_map_get),
    SC_DL_SYM(hb_set_add),
    SC_DL_SYM(hb_set_clear),
    SC_DL_SYM(hb_set_del),
    SC_DL_SYM(hb_set_invert),
    SC_DL_SYM(hb_subset_input_create_or_fail),
    SC_DL_SYM(hb_subset_input_destroy),
    SC_DL_SYM(hb_subset_input_glyph_set),
    SC_DL_SYM(hb_subset_input_set),
    SC_DL_SYM(hb_subset_input_set_flags),
    SC_DL_SYM(hb_subset_input_unicode_set),
    SC_DL_SYM(hb_subset_plan_create_or_fail),
    SC_DL_SYM(hb_subset_plan_destroy),
    SC_DL_SYM(hb_subset_plan_execute_or_fail),
    SC_DL_SYM(hb_subset_plan_old_to_new_glyph_mapping),
};

static sc_dl_lib lib = SC_DL_LIB(SC_SONAME_HBSUBSET, SC_PACKAGE_HBSUBSET,
                                 "a font with CFF outlines (OpenType .otf, Noto CJK)", syms);

sc_status sc_hb_load(sc_error *err)
{
    return sc_dl_load(&lib) ? SC_OK
                            : sc_error_set(err, SC_ERR_LIBRARY, NULL, 0, 0, "%s", lib.why);
}
