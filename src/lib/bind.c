/* bind.c -- STUB: template + record -> blocks. */
#include "internal.h"
sc_status sc_bind(const sc_template *tpl, const sc_record *rec, sc_arena *arena, sc_bound **out, sc_error *err)
{ (void)tpl; (void)rec; (void)arena; *out = NULL; return sc_error_set(err, SC_ERR_TEMPLATE, NULL, 0, 0, "not implemented"); }
