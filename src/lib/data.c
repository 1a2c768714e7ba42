/* data.c -- STUB: streaming reader of evaluation batches. */
#include "internal.h"
sc_status sc_reader_open(sc_reader **out, const char *path, sc_diag_fn diag, void *ud, sc_error *err)
{ (void)diag; (void)ud; *out = NULL; return sc_error_set(err, SC_ERR_IO, path, 0, 0, "not implemented"); }
const char *sc_reader_template(const sc_reader *r) { (void)r; return NULL; }
sc_status sc_reader_next(sc_reader *r, sc_record **out, sc_error *err) { (void)r; (void)err; *out = NULL; return SC_END; }
void sc_reader_free(sc_reader *r) { (void)r; }
const char *sc_record_get(const sc_record *rec, const char *key) { (void)rec; (void)key; return ""; }
void sc_record_free(sc_record *rec) { (void)rec; }
sc_status sc_record_filename(const sc_record *rec, const char *pattern, char *out, size_t n, sc_error *err)
{ (void)rec; (void)pattern; (void)n; (void)err; out[0] = 0; return SC_OK; }
