/* layout.c -- STUB: blocks -> pages. */
#include "internal.h"
sc_status sc_layout(const sc_bound *b, const sc_fonts *fonts, sc_arena *arena, sc_laid **out, sc_error *err)
{ (void)b; (void)fonts; (void)arena; *out = NULL; return sc_error_set(err, SC_ERR_LAYOUT, NULL, 0, 0, "not implemented"); }
