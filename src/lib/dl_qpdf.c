/* dl_qpdf.c -- libqpdf's table (dl.h). */
#include "dl_qpdf.h"

SC_DL_DEFINE(qpdf_cleanup);
SC_DL_DEFINE(qpdf_get_buffer);
SC_DL_DEFINE(qpdf_get_buffer_length);
SC_DL_DEFINE(qpdf_get_error);
SC_DL_DEFINE(qpdf_get_error_full_text);
SC_DL_DEFINE(qpdf_get_error_message_detail);
SC_DL_DEFINE(qpdf_get_num_pages);
SC_DL_DEFINE(qpdf_get_page_n);
SC_DL_DEFINE(qpdf_get_root);
SC_DL_DEFINE(qpdf_get_trailer);
SC_DL_DEFINE(qpdf_has_error);
SC_DL_DEFINE(qpdf_init);
SC_DL_DEFINE(qpdf_init_write_memory);
SC_DL_DEFINE(qpdf_is_encrypted);
SC_DL_DEFINE(qpdf_oh_begin_dict_key_iter);
SC_DL_DEFINE(qpdf_oh_dict_more_keys);
SC_DL_DEFINE(qpdf_oh_dict_next_key);
SC_DL_DEFINE(qpdf_oh_get_array_item);
SC_DL_DEFINE(qpdf_oh_get_array_n_items);
SC_DL_DEFINE(qpdf_oh_get_binary_string_value);
SC_DL_DEFINE(qpdf_oh_get_binary_utf8_value);
SC_DL_DEFINE(qpdf_oh_get_dict);
SC_DL_DEFINE(qpdf_oh_get_generation);
SC_DL_DEFINE(qpdf_oh_get_int_value);
SC_DL_DEFINE(qpdf_oh_get_int_value_as_int);
SC_DL_DEFINE(qpdf_oh_get_key);
SC_DL_DEFINE(qpdf_oh_get_name);
SC_DL_DEFINE(qpdf_oh_get_numeric_value);
SC_DL_DEFINE(qpdf_oh_get_object_id);
SC_DL_DEFINE(qpdf_oh_get_page_content_data);
SC_DL_DEFINE(qpdf_oh_get_stream_data);
SC_DL_DEFINE(qpdf_oh_has_key);
SC_DL_DEFINE(qpdf_oh_is_array);
SC_DL_DEFINE(qpdf_oh_is_dictionary);
SC_DL_DEFINE(qpdf_oh_is_integer);
SC_DL_DEFINE(qpdf_oh_is_name);
SC_DL_DEFINE(qpdf_oh_is_stream);
SC_DL_DEFINE(qpdf_oh_is_string);
SC_DL_DEFINE(qpdf_oh_remove_key);
SC_DL_DEFINE(qpdf_oh_unparse);
SC_DL_DEFINE(qpdf_oh_unparse_resolved);
SC_DL_DEFINE(qpdf_read_memory);
SC_DL_DEFINE(qpdf_set_compress_streams);
SC_DL_DEFINE(qpdf_set_decode_level);
SC_DL_DEFINE(qpdf_set_r6_encryption_parameters2);
SC_DL_DEFINE(qpdf_set_suppress_warnings);
SC_DL_DEFINE(qpdf_silence_errors);
SC_DL_DEFINE(qpdf_write);

static const sc_dl_sym syms[] = {
    SC_DL_SYM(qpdf_cleanup),
    SC_DL_SYM(qpdf_get_buffer),
    SC_DL_SYM(qpdf_get_buffer_length),
    SC_DL_SYM(qpdf_get_error),
    SC_DL_SYM(qpdf_get_error_full_text),
    SC_DL_SYM(qpdf_get_error_message_detail),
    SC_DL_SYM(qpdf_get_num_pages),
    SC_DL_SYM(qpdf_get_page_n),
    SC_DL_SYM(qpdf_get_root),
    SC_DL_SYM(qpdf_get_trailer),
    SC_DL_SYM(qpdf_has_error),
    SC_DL_SYM(qpdf_init),
    SC_DL_SYM(qpdf_init_write_memory),
    SC_DL_SYM(qpdf_is_encrypted),
    SC_DL_SYM(qpdf_oh_begin_dict_key_iter),
    SC_DL_SYM(qpdf_oh_dict_more_keys),
    SC_DL_SYM(qpdf_oh_dict_next_key),
    SC_DL_SYM(qpdf_oh_get_array_item),
    SC_DL_SYM(qpdf_oh_get_array_n_items),
    SC_DL_SYM(qpdf_oh_get_binary_string_value),
    SC_DL_SYM(qpdf_oh_get_binary_utf8_value),
    SC_DL_SYM(qpdf_oh_get_dict),
    SC_DL_SYM(qpdf_oh_get_generation),
    SC_DL_SYM(qpdf_oh_get_int_value),
    SC_DL_SYM(qpdf_oh_get_int_value_as_int),
    SC_DL_SYM(qpdf_oh_get_key),
    SC_DL_SYM(qpdf_oh_get_name),
    SC_DL_SYM(qpdf_oh_get_numeric_value),
    SC_DL_SYM(qpdf_oh_get_object_id),
    SC_DL_SYM(qpdf_oh_get_page_content_data),
    SC_DL_SYM(qpdf_oh_get_stream_data),
    SC_DL_SYM(qpdf_oh_has_key),
    SC_DL_SYM(qpdf_oh_is_array),
    SC_DL_SYM(qpdf_oh_is_dictionary),
    SC_DL_SYM(qpdf_oh_is_integer),
    SC_DL_SYM(qpdf_oh_is_name),
    SC_DL_SYM(qpdf_oh_is_stream),
    SC_DL_SYM(qpdf_oh_is_string),
    SC_DL_SYM(qpdf_oh_remove_key),
    SC_DL_SYM(qpdf_oh_unparse),
    SC_DL_SYM(qpdf_oh_unparse_resolved),
    SC_DL_SYM(qpdf_read_memory),
    SC_DL_SYM(qpdf_set_compress_streams),
    SC_DL_SYM(qpdf_set_decode_level),
    SC_DL_SYM(qpdf_set_r6_encryption_parameters2),
    SC_DL_SYM(qpdf_set_suppress_warnings),
    SC_DL_SYM(qpdf_silence_errors),
    SC_DL_SYM(qpdf_write),
};

static sc_dl_lib lib = SC_DL_LIB(SC_SONAME_QPDF, SC_PACKAGE_QPDF,
                                 "encrypting, signing or verifying a PDF", syms);

sc_status sc_qpdf_load(sc_error *err)
{
    return sc_dl_load(&lib) ? SC_OK
                            : sc_error_set(err, SC_ERR_LIBRARY, NULL, 0, 0, "%s", lib.why);
}
