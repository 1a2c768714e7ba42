/* template.c -- STUB: template loading. */
#include "internal.h"
sc_status sc_template_load(sc_template **out, const char *path, sc_diag_fn diag, void *ud, sc_error *err)
{ (void)diag; (void)ud; *out = NULL; return sc_error_set(err, SC_ERR_IO, path, 0, 0, "not implemented"); }
void sc_template_free(sc_template *tpl) { (void)tpl; }
const char *sc_template_name(const sc_template *tpl) { (void)tpl; return ""; }
sc_status sc_template_find(char *out, size_t n, const char *name, const char *dir, const char *data_file, sc_error *err)
{ (void)out; (void)n; (void)dir; (void)data_file; return sc_error_set(err, SC_ERR_IO, NULL, 0, 0, "no template %s", name); }
