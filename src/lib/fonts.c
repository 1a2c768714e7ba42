/* fonts.c -- STUB: font roles, discovery and metrics. */
#include "internal.h"
sc_status sc_fonts_load(sc_fonts **out, const char *map_file, sc_error *err)
{ *out = NULL; return sc_error_set(err, SC_ERR_FONT, map_file, 0, 0, "not implemented"); }
void sc_fonts_free(sc_fonts *fonts) { (void)fonts; }
sc_status sc_fonts_describe(const sc_fonts *fonts, const char *text, char **out, sc_error *err)
{ (void)fonts; (void)text; *out = NULL; return sc_error_set(err, SC_ERR_FONT, NULL, 0, 0, "not implemented"); }
int sc_role_parse(const char *name) { (void)name; return -1; }
const char *sc_role_name(int role) { (void)role; return "?"; }
int sc_fonts_pick(const sc_fonts *f, int role, uint32_t cp) { (void)f; (void)role; (void)cp; return -1; }
int sc_fonts_nfaces(const sc_fonts *f) { (void)f; return 0; }
const sc_face *sc_fonts_face(const sc_fonts *f, int face) { (void)f; (void)face; return NULL; }
double sc_face_advance(const sc_face *face, uint32_t cp) { (void)face; (void)cp; return 1; }
double sc_face_ascent(const sc_face *face) { (void)face; return 0.88; }
double sc_face_descent(const sc_face *face) { (void)face; return 0.12; }
int sc_face_has(const sc_face *face, uint32_t cp) { (void)face; (void)cp; return 0; }
const char *sc_face_path(const sc_face *face) { (void)face; return ""; }
int sc_face_index(const sc_face *face) { (void)face; return 0; }
const char *sc_face_family(const sc_face *face) { (void)face; return ""; }
