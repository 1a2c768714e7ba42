/* chart.c -- a bound chart (bar, line, radar) lowered to page items.
 *
 * A chart is drawn in a fixed box (width x height from the template) with
 * nothing but the items layout already has -- text runs, rectangles, lines
 * -- plus SC_IT_PATH for polylines and polygons, so pdf.c draws it as PDF
 * vector graphics and dump.c shows it in golden tests.  Everything is
 * computed in page coordinates (origin top-left, y down) from the box's
 * top-left corner; layout.c only decides where the box goes.
 *
 * The box, top to bottom: the title (one line, bold), the legend (when a
 * series has a name), then the plot.  Bar and line charts: the value axis
 * on the left with "nice" ticks (1, 2, 2.5 or 5 x 10^k, about five of
 * them) and light gray gridlines, one slot per category with its label
 * centred below, values printed above bars and points.  Radar: one spoke
 * per category clockwise from 12 o'clock, a light gray polygon per tick,
 * the labels outside the spokes' ends aligned away from the centre, each
 * series a closed polygon (dashed and/or filled as the series says), its
 * values just outside its vertices.
 *
 * Values outside the axis range are clamped to it for drawing (the label
 * still prints the true value); a missing value (NAN) leaves a gap: no
 * bar, the line is broken there, the radar vertex sits at the centre.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define GRID_GRAY 0.82
#define AXIS_GRAY 0.55
#define GRID_LW 0.4
#define AXIS_LW 0.6
#define SERIES_LW 1.2
#define PI 3.14159265358979323846

typedef struct cx {
    const sc_chart *c;
    const sc_fonts *f;
    sc_arena *a;
    sc_error *err;
    const char *label;   /* record, for font errors */
    sc_item *items;
    size_t n, cap;
    int role;
    double size, color;
} cx;

static sc_status nomem(cx *C)
{
    return sc_error_set(C->err, SC_ERR_NOMEM, NULL, 0, 0, "out of memory");
}

static sc_status push(cx *C, const sc_item *it)
{
    if (sc_items_push(C->a, &C->items, &C->n, &C->cap, it))
        return nomem(C);
    return SC_OK;
}

/* A path of npts points from xy (copied into the arena). */
static sc_status path(cx *C, const double *xy, int npts, int closed,
                      double fill, double lw, double stroke, int dash)
{
    if (npts < 2)
        return SC_OK;
    double *p = sc_arena_alloc(C->a, (size_t)npts * 2 * sizeof *p);
    if (!p)
        return nomem(C);
    memcpy(p, xy, (size_t)npts * 2 * sizeof *p);
    sc_item it = {0};
    it.kind = SC_IT_PATH;
    it.pts = p;
    it.npts = npts;
    it.closed = closed;
    it.gray = fill;
    it.lw = lw;
    it.stroke = stroke;
    it.dash = dash;
    it.x = xy[0];
    it.y = xy[1];
    return push(C, &it);
}

static sc_status seg(cx *C, double x1, double y1, double x2, double y2,
                     double lw, double gray)
{
    double xy[4] = {x1, y1, x2, y2};
    return path(C, xy, 2, 0, -1, lw, gray, 0);
}

static sc_status rect(cx *C, double x, double y, double w, double h,
                      double gray)
{
    sc_item it = {0};
    it.kind = SC_IT_RECT;
    it.x = x;
    it.y = y;
    it.w = w;
    it.h = h;
    it.gray = gray;
    return push(C, &it);
}

/* ---- text --------------------------------------------------------------- */

static double text_w(cx *C, double size, const char *s)
{
    return sc_text_width(C->f, C->role, size, s, strlen(s));
}

/* Ascent of the role's CJK face, as a fraction of the size. */
static double ascent(cx *C)
{
    int fi = sc_fonts_pick(C->f, C->role, 0x4E2D);
    if (fi < 0)
        fi = sc_fonts_pick(C->f, C->role, '0');
    return fi >= 0 ? sc_face_ascent(sc_fonts_face(C->f, fi)) : 0.88;
}

/* Draw s with its box's horizontal anchor at x (align: 0 left, 1 centre,
 * 2 right) and its vertical centre at ymid. */
static sc_status text(cx *C, double size, int bold, const char *s, double x,
                      double ymid, int align)
{
    size_t n = strlen(s);
    if (!n)
        return SC_OK;
    /* items outlive the caller's buffers (tick labels are on the stack) */
    if (!(s = sc_arena_strndup(C->a, s, n)))
        return nomem(C);
    double w = sc_text_width(C->f, C->role, size, s, n);
    if (align == 1)
        x -= w / 2;
    else if (align == 2)
        x -= w;
    /* centre the em box (ascent above the baseline, the rest below) */
    double base = ymid + size * (ascent(C) - 0.5);
    sc_run *runs = NULL;
    size_t nruns = 0;
    sc_status rc = sc_text_runs(C->f, C->role, size, s, n, &runs, &nruns);
    if (rc != SC_OK)
        return rc == SC_ERR_NOMEM ? nomem(C)
                                  : sc_error_set(C->err, rc, NULL, 0, 0,
                                                 "cannot split chart text");
    for (size_t i = 0; i < nruns && rc == SC_OK; i++) {
        if (runs[i].face < 0) {
            uint32_t cp = 0xFFFD;
            sc_utf8_decode(s + runs[i].start, runs[i].len, &cp);
            rc = sc_error_set(C->err, SC_ERR_FONT, NULL, 0, 0,
                              "chart label \"%s\": character U+%04X is in no "
                              "font of role %s; install a font that has it "
                              "or change the text",
                              s, (unsigned)cp, sc_role_name(C->role));
            if (C->err && C->label)
                snprintf(C->err->employee, sizeof C->err->employee, "%s",
                         C->label);
            break;
        }
        sc_item it = {0};
        it.kind = SC_IT_TEXT;
        it.x = x;
        it.y = base;
        it.w = runs[i].width;
        it.h = size;
        it.face = runs[i].face;
        it.role = C->role;
        it.size = size;
        it.bold = bold;
        it.gray = C->color;
        it.text = s + runs[i].start;
        it.len = runs[i].len;
        rc = push(C, &it);
        x += runs[i].width;
    }
    sc_free(runs);
    return rc;
}

/* s centred at (x, ymid) on a white chip: gridlines and web lines
 * under a value never cross its digits. */
static sc_status chip_text(cx *C, double size, const char *s, double x,
                           double ymid)
{
    double tw = text_w(C, size, s);
    sc_status rc = rect(C, x - tw / 2 - 1, ymid - size * 0.6, tw + 2,
                        size * 1.2, 1);
    return rc != SC_OK ? rc : text(C, size, 0, s, x, ymid, 1);
}

/* ---- axis --------------------------------------------------------------- */

/* A step of 1, 2, 2.5 or 5 x 10^k giving about `want` intervals. */
static double nice_step(double range, int want)
{
    double raw = range / want;
    double k = pow(10, floor(log10(raw)));
    double m = raw / k;
    double s = m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10;
    return s * k;
}

/* The axis range: the template's, or 0 .. a nice value above the data. */
static void axis_range(const sc_chart *c, double *lo, double *hi,
                       double *step)
{
    double mn = 0, mx = 0;
    for (int s = 0; s < c->nseries; s++)
        for (int i = 0; i < c->n; i++) {
            double v = c->series[s].values[i];
            if (isnan(v))
                continue;
            if (v < mn)
                mn = v;
            if (v > mx)
                mx = v;
        }
    *lo = isnan(c->min) ? mn : c->min;
    if (!isnan(c->max)) {
        *hi = c->max;
    } else {
        double st = nice_step(mx - *lo > 0 ? mx - *lo : 1, 5);
        *hi = *lo + ceil((mx - *lo) / st) * st;
        if (*hi <= mx)
            *hi += st;
    }
    if (!(*hi > *lo))
        *hi = *lo + 1;
    *step = nice_step(*hi - *lo, 5);
    /* A range from the template (0..120) should end on a tick: prefer a
     * nice step that divides it into 4..8 intervals, closest to 5. */
    double range = *hi - *lo, best = 0, bestd = 1e9;
    double k = pow(10, floor(log10(range)) - 1);
    static const double m[] = {1, 2, 2.5, 5};
    for (int e = 0; e < 3; e++, k *= 10)
        for (int i = 0; i < 4; i++) {
            double st = m[i] * k, q = range / st;
            if (q < 3.999 || q > 8.001 || fabs(q - round(q)) > 1e-6)
                continue;
            if (fabs(q - 5) < bestd)
                bestd = fabs(q - 5), best = st;
        }
    if (best > 0)
        *step = best;
}

static void fmt_tick(char *out, size_t n, double v)
{
    if (fabs(v - round(v)) < 1e-9)
        snprintf(out, n, "%.0f", v);
    else
        sc_format_decimal(out, n, v, fabs(v * 10 - round(v * 10)) < 1e-9 ? 1
                                                                          : 2);
}

/* ---- title and legend --------------------------------------------------- */

/* Draws title and legend from y; returns the y below them. */
static sc_status head(cx *C, double x, double y, double w, double *below)
{
    const sc_chart *c = C->c;
    sc_status rc;
    if (c->title && *c->title) {
        double ts = C->size + 1.5;
        if ((rc = text(C, ts, 1, c->title, x + w / 2, y + ts * 0.7, 1)))
            return rc;
        y += ts * 1.6;
    }
    /* a legend only tells series apart: none for a single series */
    int named = 0;
    double lw = 0, ls = C->size;
    for (int s = 0; s < c->nseries && c->nseries > 1; s++)
        if (c->series[s].name && *c->series[s].name) {
            named++;
            lw += 18 + 4 + text_w(C, ls, c->series[s].name) + 12;
        }
    if (named) {
        double lx = x + (w - lw + 12) / 2, ly = y + ls * 0.7;
        for (int s = 0; s < c->nseries; s++) {
            const sc_chart_series *se = &c->series[s];
            if (!se->name || !*se->name)
                continue;
            if (c->type == SC_CHART_BAR) {
                rc = rect(C, lx + 4, ly - 4, 10, 8, se->gray);
            } else {
                double xy[8] = {lx, ly - 4, lx + 18, ly - 4, lx + 18, ly + 4,
                                lx, ly + 4};
                double ln[4] = {lx, ly, lx + 18, ly};
                rc = se->fill >= 0 && c->type == SC_CHART_RADAR
                         ? path(C, xy, 4, 1, se->fill, SERIES_LW, se->gray,
                                se->dash)
                         : path(C, ln, 2, 0, -1, SERIES_LW, se->gray,
                                se->dash);
            }
            if (rc || (rc = text(C, ls, 0, se->name, lx + 22, ly, 0)))
                return rc;
            lx += 18 + 4 + text_w(C, ls, se->name) + 12;
        }
        y += ls * 1.7;
    }
    *below = y;
    return SC_OK;
}

/* ---- bar and line ------------------------------------------------------- */

static sc_status cartesian(cx *C, double x, double y, double w, double h)
{
    const sc_chart *c = C->c;
    sc_status rc;
    double top;
    if ((rc = head(C, x, y, w, &top)))
        return rc;
    double lo, hi, step;
    axis_range(c, &lo, &hi, &step);
    double vs = C->size * 0.85; /* value labels */
    char buf[64];
    double axw = 0;
    for (double t = lo; t <= hi + step * 1e-6; t += step) {
        fmt_tick(buf, sizeof buf, t);
        double tw = text_w(C, vs, buf);
        if (tw > axw)
            axw = tw;
    }
    double px0 = x + axw + 6, px1 = x + w - 4;
    double py0 = top + vs * 1.6;          /* room for the top value label */
    double py1 = y + h - C->size * 1.8;   /* room for category labels */
    if (py1 - py0 < 10 || px1 - px0 < 10)
        return sc_error_set(C->err, SC_ERR_TEMPLATE, NULL, 0, 0,
                            "chart too small for its labels: make it larger");
    double ph = py1 - py0;
/* y of value v, clamped to the axis */
#define VY(v) \
    (py1 - ((((v) < lo ? lo : (v) > hi ? hi : (v)) - lo) / (hi - lo)) * ph)
    /* gridlines and tick labels */
    for (double t = lo; t <= hi + step * 1e-6; t += step) {
        double ty = VY(t);
        if (t > lo + step * 1e-6 &&
            (rc = seg(C, px0, ty, px1, ty, GRID_LW, GRID_GRAY)))
            return rc;
        fmt_tick(buf, sizeof buf, t);
        if ((rc = text(C, vs, 0, buf, px0 - 3, ty, 2)))
            return rc;
    }
    /* axes */
    if ((rc = seg(C, px0, py0 - vs * 0.5, px0, py1, AXIS_LW, AXIS_GRAY)) ||
        (rc = seg(C, px0, py1, px1, py1, AXIS_LW, AXIS_GRAY)))
        return rc;
    int n = c->n > 0 ? c->n : 1;
    double slot = (px1 - px0) / n;
    /* category labels, shrunk to fit their slot */
    for (int i = 0; i < c->n; i++) {
        double ls = C->size, lw = text_w(C, ls, c->labels[i]);
        if (lw > slot - 2 && lw > 0)
            ls *= (slot - 2) / lw;
        if ((rc = text(C, ls, 0, c->labels[i], px0 + slot * (i + 0.5),
                       py1 + C->size * 0.9, 1)))
            return rc;
        if ((rc = seg(C, px0 + slot * (i + 1), py1, px0 + slot * (i + 1),
                      py1 + 2.5, AXIS_LW, AXIS_GRAY)))
            return rc;
    }
    if (c->type == SC_CHART_BAR) {
        double gw = slot * 0.64, bw = gw / c->nseries;
        for (int s = 0; s < c->nseries; s++) {
            const sc_chart_series *se = &c->series[s];
            for (int i = 0; i < c->n; i++) {
                double v = se->values[i];
                if (isnan(v))
                    continue;
                double bx = px0 + slot * i + (slot - gw) / 2 + bw * s;
                double base = VY(lo > 0 ? lo : hi < 0 ? hi : 0), vy = VY(v);
                double ty = vy < base ? vy : base;
                if ((rc = rect(C, bx, ty, bw, fabs(base - vy), se->gray)))
                    return rc;
                if (se->show_values && se->texts[i][0] &&
                    (rc = chip_text(C, vs, se->texts[i], bx + bw / 2,
                                    ty - vs * 0.75)))
                    return rc;
            }
        }
    } else {
        double *xy = sc_arena_alloc(C->a, (size_t)n * 2 * sizeof *xy);
        if (!xy)
            return nomem(C);
        for (int s = 0; s < c->nseries; s++) {
            const sc_chart_series *se = &c->series[s];
            int k = 0;
            for (int i = 0; i <= c->n; i++) {
                double v = i < c->n ? se->values[i] : NAN;
                if (!isnan(v)) {
                    xy[2 * k] = px0 + slot * (i + 0.5);
                    xy[2 * k + 1] = VY(v);
                    k++;
                    continue;
                }
                /* a gap (or the end): draw the run so far */
                if (k >= 2 && (rc = path(C, xy, k, 0, -1, SERIES_LW, se->gray,
                                         se->dash)))
                    return rc;
                k = 0;
            }
            for (int i = 0; i < c->n; i++) {
                double v = se->values[i];
                if (isnan(v))
                    continue;
                double mx = px0 + slot * (i + 0.5), my = VY(v);
                if ((rc = rect(C, mx - 2, my - 2, 4, 4, se->gray)))
                    return rc;
                if (se->show_values && se->texts[i][0] &&
                    (rc = chip_text(C, vs, se->texts[i], mx, my - vs * 1.0)))
                    return rc;
            }
        }
    }
#undef VY
    return SC_OK;
}

/* ---- radar -------------------------------------------------------------- */

static sc_status radar(cx *C, double x, double y, double w, double h)
{
    const sc_chart *c = C->c;
    sc_status rc;
    double top;
    if ((rc = head(C, x, y, w, &top)))
        return rc;
    int n = c->n;
    if (n < 3)
        return sc_error_set(C->err, SC_ERR_DATA, NULL, 0, 0,
                            "a radar chart needs at least 3 points, the "
                            "data has %d", n);
    double lo, hi, step;
    axis_range(c, &lo, &hi, &step);
    double labw = 0;
    for (int i = 0; i < n; i++) {
        double lw = text_w(C, C->size, c->labels[i]);
        if (lw > labw)
            labw = lw;
    }
    double cxp = x + w / 2, cyp = (top + y + h) / 2;
    /* room for a label line (1.1em) 6pt beyond the ends of the spokes */
    double r = (y + h - top) / 2 - 6 - C->size * 1.2;
    double rw = w / 2 - labw - 10;
    if (rw < r)
        r = rw;
    if (r < 10)
        return sc_error_set(C->err, SC_ERR_TEMPLATE, NULL, 0, 0,
                            "radar chart too small for its labels: make it "
                            "larger");
    double *xy = sc_arena_alloc(C->a, (size_t)n * 2 * sizeof *xy);
    double *ca = sc_arena_alloc(C->a, (size_t)n * sizeof *ca);
    double *sa = sc_arena_alloc(C->a, (size_t)n * sizeof *sa);
    if (!xy || !ca || !sa)
        return nomem(C);
    for (int i = 0; i < n; i++) {
        double a = -PI / 2 + 2 * PI * i / n;
        ca[i] = cos(a);
        sa[i] = sin(a);
    }
    /* web: one polygon per tick, spokes */
    for (double t = lo + step; t <= hi + step * 1e-6; t += step) {
        double rr = r * (t - lo) / (hi - lo);
        for (int i = 0; i < n; i++)
            xy[2 * i] = cxp + rr * ca[i], xy[2 * i + 1] = cyp + rr * sa[i];
        if ((rc = path(C, xy, n, 1, -1, GRID_LW,
                       t >= hi - step * 1e-6 ? AXIS_GRAY : GRID_GRAY, 0)))
            return rc;
    }
    for (int i = 0; i < n; i++)
        if ((rc = seg(C, cxp, cyp, cxp + r * ca[i], cyp + r * sa[i], GRID_LW,
                      GRID_GRAY)))
            return rc;
    /* category labels outside the spokes */
    for (int i = 0; i < n; i++) {
        double lx = cxp + (r + 6) * ca[i], ly = cyp + (r + 6) * sa[i];
        int al = ca[i] > 0.15 ? 0 : ca[i] < -0.15 ? 2 : 1;
        if (al == 1)
            ly += sa[i] * C->size * 0.6;
        if ((rc = text(C, C->size, 0, c->labels[i], lx, ly, al)))
            return rc;
    }
    /* series, filled ones first so outlines stay visible */
    for (int pass = 0; pass < 2; pass++)
        for (int s = 0; s < c->nseries; s++) {
            const sc_chart_series *se = &c->series[s];
            if ((pass == 0) != (se->fill >= 0))
                continue;
            for (int i = 0; i < n; i++) {
                double v = se->values[i];
                double rr = isnan(v) ? 0
                            : r * ((v < lo ? lo : v > hi ? hi : v) - lo) /
                                  (hi - lo);
                xy[2 * i] = cxp + rr * ca[i];
                xy[2 * i + 1] = cyp + rr * sa[i];
            }
            if ((rc = path(C, xy, n, 1, se->fill, SERIES_LW, se->gray,
                           se->dash)))
                return rc;
            for (int i = 0; i < n; i++) {
                if (isnan(se->values[i]))
                    continue;
                if ((rc = rect(C, xy[2 * i] - 1.8, xy[2 * i + 1] - 1.8, 3.6,
                               3.6, se->gray)))
                    return rc;
            }
        }
    /* tick values up the first spoke, over the polygons */
    double vs = C->size * 0.8;
    char buf[64];
    for (double t = lo + step; t <= hi + step * 1e-6; t += step) {
        fmt_tick(buf, sizeof buf, t);
        double rr = r * (t - lo) / (hi - lo);
        double save = C->color;
        C->color = 0.45;
        rc = text(C, vs * 0.9, 0, buf, cxp - 2, cyp - rr + vs * 0.55, 2);
        C->color = save;
        if (rc)
            return rc;
    }
    /* values: beside each vertex, off the spoke (to its clockwise side
     * for the first series shown, the other side for the second; the
     * tick values sit left of the first spoke), on a white
     * chip so that web lines and a second polygon do not cross them */
    for (int s = 0, shown = 0; s < c->nseries; s++) {
        const sc_chart_series *se = &c->series[s];
        if (!se->show_values)
            continue;
        double side = shown++ % 2 == 0 ? 1 : -1;
        for (int i = 0; i < n; i++) {
            double v = se->values[i];
            if (isnan(v) || !se->texts[i][0])
                continue;
            double rr = r * ((v < lo ? lo : v > hi ? hi : v) - lo) / (hi - lo);
            double tw = text_w(C, vs, se->texts[i]);
            /* perpendicular to the spoke, far enough for the text box */
            double px = -sa[i] * side, py = ca[i] * side;
            double d = 5 + fabs(px) * tw / 2 + fabs(py) * vs * 0.6;
            double vx = cxp + rr * ca[i] + px * d;
            double vy = cyp + rr * sa[i] + py * d;
            if ((rc = chip_text(C, vs, se->texts[i], vx, vy)))
                return rc;
        }
    }
    return SC_OK;
}

/* ---- public ------------------------------------------------------------- */

sc_status sc_chart_lower(const sc_chart *c, const sc_fonts *fonts, double x,
                         double y, sc_arena *arena, const char *label,
                         sc_item **out, size_t *nout, sc_error *err)
{
    *out = NULL;
    *nout = 0;
    if (!c || !fonts || !arena || c->nseries < 1 ||
        c->nseries > SC_CHART_SERIES_MAX || c->n < 0 ||
        c->n > SC_CHART_POINTS_MAX)
        return sc_error_set(err, SC_ERR_USAGE, NULL, 0, 0,
                            "sc_chart_lower: bad chart (1..%d series, "
                            "0..%d points)", SC_CHART_SERIES_MAX,
                            SC_CHART_POINTS_MAX);
    cx C = {.c = c, .f = fonts, .a = arena, .err = err, .label = label};
    C.role = c->style ? c->style->role : SC_ROLE_BODY;
    C.size = c->style && c->style->size > 0 ? c->style->size : 9;
    C.color = c->style ? c->style->color : 0;
    sc_status rc = c->type == SC_CHART_RADAR
                       ? radar(&C, x, y, c->width, c->height)
                       : cartesian(&C, x, y, c->width, c->height);
    if (rc != SC_OK)
        return rc;
    *out = C.items;
    *nout = C.n;
    return SC_OK;
}
