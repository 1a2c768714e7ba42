/* score.c -- the scoring engine: declared rules -> scores, totals, grades,
 * bonuses, computed exactly and written into the record's document.
 *
 * Why fixed point, and where rounding happens
 * -------------------------------------------
 * A sheet is held against HR's spreadsheet to the cent, so nothing shown or
 * summed here is ever a binary floating-point number.  Rule parameters and
 * raw results are read from their decimal strings into integers of 1/10000
 * (SC_UNIT: "units"); shown scores are integers of 1/100 point ("centi");
 * money is integer fen.  Each rule computes its score as an exact fraction
 * (128-bit numerator and denominator) and rounds it ONCE, half away from
 * zero, to 0.01 point: "weight x actual / target" never goes through an
 * intermediate rounding that could move the last digit.  Sums are sums of
 * the rounded figures, because that is what the sheet prints and what a
 * reader adds up by hand: category subtotal = sum of its KPI scores;
 * total = KPI sum (x its share) + rater composite (x its share) +
 * adjustments, rounded once; bonus = base x total / 100, rounded once to
 * the fen.
 *
 * What the engine writes into the record (so templates bind it with XPath,
 * like data): an empty or absent <score> of a KPI with a rule, <total>,
 * <grade>, bonus/@amount and the current month of a year sheet, when the
 * data leaves them out; category/@subtotal; and one <result> element per
 * employee with every computed figure; and the scheme itself (/batch/scheme,
 * kpi/scheme-rule, kpi/@rule-type) so a sheet prints the rule's numbers
 * from the one place they are declared.  Where the data states a value the
 * engine can compute, the two must agree: a difference is SC_ERR_DATA
 * naming the employee, the field, the given and the computed value.
 *
 * The ranking awards and the 大客户部 quarterly bonus are library
 * functions (sc_rank_awards, sc_quarter_bonus) with their own tests: their
 * inputs span several periods or employees.  A record may still carry a
 * whole 季度奖金 statement (<quarters>, issue 5): score_quarters runs
 * sc_quarter_bonus over it and writes every figure onto the quarters.
 * docs/scoring.md describes the rules for users.
 */
#include "internal.h"

#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef __int128 i128;

#define MAX_LEVELS 32
#define MAX_ITEMS 32
#define MAX_KPIS 256
#define MAX_GRADES 16
#define MAX_RATERS 16
#define MAX_QUARTERS 64
#define MAX_RANKS 16
#define MAX_AWARDS 16
#define MAX_RANKED 100000

/* ---- numbers ------------------------------------------------------------ */

static int is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int sc_parse_fixed(const char *s, int scale, long long *out)
{
    if (!s || scale < 0 || scale > 6)
        return 0;
    while (is_space((unsigned char)*s))
        s++;
    int neg = 0;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    long long v = 0;
    int digits = 0, dec = -1;
    for (;; s++) {
        if (*s == '.' && dec < 0) {
            dec = 0;
            continue;
        }
        if (*s < '0' || *s > '9')
            break;
        if (dec >= 0 && ++dec > scale) {
            if (*s != '0')
                return 0; /* a significant digit beyond the scale */
            continue;
        }
        if (++digits > 16)
            return 0;
        v = v * 10 + (*s - '0');
    }
    while (is_space((unsigned char)*s))
        s++;
    if (*s || digits == 0)
        return 0;
    for (int k = dec < 0 ? 0 : dec; k < scale; k++)
        v *= 10;
    *out = neg ? -v : v;
    return 1;
}

/* n / d rounded half away from zero; d != 0. */
static i128 rdiv128(i128 n, i128 d)
{
    if (d < 0) {
        n = -n;
        d = -d;
    }
    i128 q = n / d, r = n % d;
    if (r < 0)
        r = -r;
    if (2 * r >= d)
        q += n < 0 ? -1 : 1;
    return q;
}

long long sc_div_round(long long n, long long d)
{
    return d ? (long long)rdiv128(n, d) : 0;
}

void sc_format_fixed(char *out, size_t n, long long v, int scale, int trim)
{
    long long p = 1;
    for (int i = 0; i < scale; i++)
        p *= 10;
    unsigned long long a = v < 0 ? (unsigned long long)0 - (unsigned long long)v
                                 : (unsigned long long)v;
    char frac[16];
    snprintf(frac, sizeof frac, "%0*llu", scale, a % (unsigned long long)p);
    int fl = scale;
    if (trim)
        while (fl > 0 && frac[fl - 1] == '0')
            fl--;
    frac[fl] = '\0';
    snprintf(out, n, "%s%llu%s%s", v < 0 ? "-" : "", a / (unsigned long long)p,
             fl ? "." : "", frac);
}

/* ---- rules ---------------------------------------------------------------- */

static const char *const type_names[] = {"given", "achievement", "pro-rata", "step",
                                         "threshold", "deduct", "per-unit", "choice",
                                         "free"};

const char *sc_rule_type_name(int type)
{
    return type >= 0 && type < (int)(sizeof type_names / sizeof *type_names)
               ? type_names[type]
               : "?";
}

/* Steps of size `step` in the fraction gn/gd (>= 0): floor, ceil or the
 * exact fraction.  Result as a fraction *sn / *sd. */
static void steps_of(i128 gn, i128 gd, long long step, int mode, i128 *sn, i128 *sd)
{
    i128 den = gd * step;
    if (mode == SC_COUNT_LINEAR) {
        *sn = gn;
        *sd = den;
        return;
    }
    i128 k = gn / den;
    if (mode == SC_COUNT_CEIL && gn % den)
        k++;
    *sn = k;
    *sd = 1;
}

/* Round the score fraction sn/sd (units) into centi and clamp to [lo, hi]
 * (units).  Clamping before rounding keeps the cap exact.  *capped is set
 * when hi limited the score. */
static long long finish(i128 sn, i128 sd, long long lo, long long hi, int *capped)
{
    if (sd < 0) {
        sn = -sn;
        sd = -sd;
    }
    if (sn < (i128)lo * sd)
        return (long long)rdiv128(lo, 100);
    if (sn > (i128)hi * sd) {
        if (capped)
            *capped = 1;
        return (long long)rdiv128(hi, 100);
    }
    return (long long)rdiv128(sn, sd * 100);
}

static int worse_zero(const sc_rule *r, i128 mn, i128 md)
{
    /* measure mn/md (md > 0) strictly below zero-below / above zero-above */
    if (r->has_zero_below && mn < (i128)r->zero_below * md)
        return 1;
    if (r->has_zero_above && mn > (i128)r->zero_above * md)
        return 1;
    return 0;
}

static sc_status need(char *msg, size_t n, const char *what)
{
    snprintf(msg, n, "%s", what);
    return SC_ERR_DATA;
}

/* Occurrences by kind against the rule's items: how many deductions there
 * were (for max-count), the net points they cost (units: deductions minus
 * additions) and the worst reverse (倒扣) they trigger (units, 0 if none).
 * Used by "deduct" and, on top of the computed score, by the other
 * measured rules (每出现一次服务禁语另扣3分, 新增一个客户加5分).
 * SC_ERR_DATA for a kind the rule does not know. */
static sc_status kind_effects(const sc_rule *r, const sc_rule_input *in, long long *count,
                              i128 *ded, long long *reverse, char *msg, size_t nmsg)
{
    *count = 0;
    *ded = 0;
    *reverse = 0;
    for (int i = 0; i < in->ncounts; i++) {
        int found = -1;
        for (int j = 0; j < r->nitems && found < 0; j++)
            if (!strcmp(r->items[j].kind, in->kinds[i]))
                found = j;
        if (found < 0) {
            size_t used = (size_t)snprintf(msg, nmsg, "kind \"%s\" is not in the rule; %s",
                                           in->kinds[i], r->nitems ? "it knows" :
                                           "it counts no kinds");
            for (int j = 0; j < r->nitems && used < nmsg; j++)
                used += (size_t)snprintf(msg + used, nmsg - used, " \"%s\"", r->items[j].kind);
            return SC_ERR_DATA;
        }
        const sc_rule_item *it = &r->items[found];
        if (it->effect == SC_ITEM_REVERSE) {
            if (in->counts[i] > 0 && it->points > *reverse)
                *reverse = it->points;
        } else if (it->effect == SC_ITEM_ADD) {
            *ded -= (i128)in->counts[i] * it->points;
        } else {
            *count += in->counts[i];
            *ded += (i128)in->counts[i] * it->points;
        }
    }
    return SC_OK;
}

long long sc_rule_floor(const sc_rule *r)
{
    long long lo = 0;
    for (int j = 0; r && j < r->nitems; j++)
        if (r->items[j].effect == SC_ITEM_REVERSE && -r->items[j].points < lo)
            lo = -r->items[j].points;
    return lo;
}

/* completion = v / t x 100 in 1/100 percent, rounded once */
static void set_completion(sc_rule_work *w, long long v, long long t)
{
    if (t > 0) {
        w->has_completion = 1;
        w->completion = (long long)rdiv128((i128)v * 10000, t);
    }
}

sc_status sc_rule_score(const sc_rule *r, const sc_rule_input *in, long long *centi,
                        char *msg, size_t nmsg)
{
    return sc_rule_score_work(r, in, centi, NULL, msg, nmsg);
}

sc_status sc_rule_score_work(const sc_rule *r, const sc_rule_input *in, long long *centi,
                             sc_rule_work *work, char *msg, size_t nmsg)
{
    sc_rule_work scratch;
    sc_rule_work *w = work ? work : &scratch;
    memset(w, 0, sizeof *w);
    msg[0] = '\0';
    long long wt = r->has_weight ? r->weight : in->weight;
    long long cap = r->has_cap ? r->cap : wt;
    long long base = r->has_base ? r->base : wt;
    long long target = in->has_target ? in->target : r->target;
    int has_target = in->has_target || r->has_target;
    long long v = in->value;
    long long extra_n = 0, reverse = 0;
    i128 extra = 0; /* extra deduction by kind, units (not for deduct) */
    if (r->type != SC_RULE_DEDUCT && r->type != SC_RULE_CHOICE && r->type != SC_RULE_FREE &&
        kind_effects(r, in, &extra_n, &extra, &reverse, msg, nmsg) != SC_OK)
        return SC_ERR_DATA;

    switch (r->type) {
    case SC_RULE_GIVEN:
        return need(msg, nmsg, "the rule is \"given\": the score must be in the data");

    case SC_RULE_ACHIEVEMENT:
    case SC_RULE_PRORATA: {
        if (!in->has_value)
            return need(msg, nmsg, "needs the actual result as <actual value=\"…\">");
        if (!has_target || target <= 0)
            return need(msg, nmsg, "needs a target above 0 (<target value=\"…\"> or the "
                                   "scheme's target=)");
        if (!r->lower_better)
            set_completion(w, v, target);
        if (worse_zero(r, v, 1)) {
            w->zeroed = 1;
            *centi = 0;
            break;
        }
        i128 sn, sd;
        if (r->lower_better && v <= 0) { /* nothing is better than zero days */
            sn = r->type == SC_RULE_PRORATA ? wt : cap;
            sd = 1;
        } else if (!r->lower_better) {
            sn = (i128)wt * v;
            sd = target;
        } else {
            sn = (i128)wt * target;
            sd = v;
        }
        /* pro rata: the measured part is never above the weight; items
         * then deduct from it and additions add to it (新增一个客户加5分),
         * within the rule's cap (default the weight) */
        if (r->type == SC_RULE_PRORATA && sn > (i128)wt * sd) {
            sn = (i128)wt * sd;
            w->capped = 1;
        }
        *centi = finish(sn - extra * sd, sd, 0, cap, &w->capped);
        break;
    }

    case SC_RULE_STEP: {
        if (!in->has_value)
            return need(msg, nmsg, "needs the actual result as <actual value=\"…\">");
        if (!has_target || (r->completion && target <= 0))
            return need(msg, nmsg, "needs a target (<target value=\"…\"> or the scheme's "
                                   "target=)");
        /* measure m = mn/md and the target measure tm (same denominator). */
        i128 mn, md, tm;
        if (r->completion) {
            mn = (i128)v * 100 * SC_UNIT; /* completion in units of a percent */
            md = target;
            tm = (i128)100 * SC_UNIT * md;
            set_completion(w, v, target);
        } else {
            mn = v;
            md = 1;
            tm = target;
        }
        if (worse_zero(r, mn, md)) {
            w->zeroed = 1;
            *centi = 0;
            break;
        }
        i128 gap = r->lower_better ? mn - tm : tm - mn; /* > 0: short of target */
        i128 sn = (i128)base, sd = 1;
        if (gap > 0 && r->step_below > 0) {
            i128 kn, kd;
            steps_of(gap, md, r->step_below, r->count, &kn, &kd);
            sn = (i128)base * kd - (i128)r->points_below * kn;
            sd = kd;
            if (kd == 1) {
                w->has_steps = 1;
                w->steps = -(long long)kn;
                w->step_points = -(long long)((i128)r->points_below * kn);
            }
        } else if (gap < 0 && r->step_above > 0) {
            i128 kn, kd;
            steps_of(-gap, md, r->step_above, r->count_above, &kn, &kd);
            sn = (i128)base * kd + (i128)r->points_above * kn;
            sd = kd;
            if (kd == 1) {
                w->has_steps = 1;
                w->steps = (long long)kn;
                w->step_points = (long long)((i128)r->points_above * kn);
            }
        } else {
            w->has_steps = 1; /* on target: no step */
        }
        *centi = finish(sn - extra * sd, sd, 0, cap, &w->capped);
        break;
    }

    case SC_RULE_THRESHOLD: {
        if (!in->has_value)
            return need(msg, nmsg, "needs the actual result as <actual value=\"…\">");
        if (!has_target)
            return need(msg, nmsg, "needs a target (<target value=\"…\"> or the scheme's "
                                   "target=)");
        int met = r->lower_better ? v <= target : v >= target;
        *centi = finish((i128)(met ? base : r->otherwise) - extra, 1, 0,
                        met ? base : r->otherwise, &w->capped);
        break;
    }

    case SC_RULE_DEDUCT: {
        long long occurrences = 0;
        i128 ded = 0;
        if (r->nitems == 0) {
            /* one kind: the count is actual/@value (absent: none) */
            if (in->ncounts > 0)
                return need(msg, nmsg, "the rule has no kinds (<item>): give the count as "
                                       "<actual value=\"…\"> instead of <counts>");
            if (in->has_value) {
                if (v < 0 || v % SC_UNIT)
                    return need(msg, nmsg, "the count in <actual value=\"…\"> must be a "
                                           "whole number, not negative");
                occurrences = v / SC_UNIT;
                ded = (i128)occurrences * r->points;
            }
        } else {
            if (in->has_value)
                return need(msg, nmsg, "the rule counts kinds: give <counts><count kind=\"…\" "
                                       "n=\"…\"/></counts>, not <actual value>");
            sc_status st = kind_effects(r, in, &occurrences, &ded, &reverse, msg, nmsg);
            if (st != SC_OK)
                return st;
        }
        if (reverse > 0)
            break; /* below, for every type */
        if (r->has_max_count && occurrences > r->max_count) {
            w->zeroed = 1;
            *centi = 0;
            break;
        }
        *centi = finish((i128)base - ded, 1, 0, cap, &w->capped); /* 扣完为止: floor 0 */
        break;
    }

    case SC_RULE_PER_UNIT:
        if (!in->has_value)
            return need(msg, nmsg, "needs the number of units as <actual value=\"…\">");
        if (v < 0)
            return need(msg, nmsg, "the number of units must not be negative");
        *centi = finish((i128)v * r->per - extra * SC_UNIT, SC_UNIT, 0, cap, &w->capped);
        break;

    case SC_RULE_CHOICE:
        if (!in->level || !in->level[0]) {
            size_t used = (size_t)snprintf(msg, nmsg, "needs the chosen level as "
                                                      "<actual level=\"…\">, one of");
            for (int j = 0; j < r->nlevels && used < nmsg; j++)
                used += (size_t)snprintf(msg + used, nmsg - used, " %s", r->levels[j].id);
            return SC_ERR_DATA;
        }
        for (int j = 0; j < r->nlevels; j++)
            if (!strcmp(r->levels[j].id, in->level)) {
                *centi = (long long)rdiv128(r->levels[j].points, 100);
                return SC_OK;
            }
        {
            size_t used = (size_t)snprintf(msg, nmsg, "level \"%s\" is not one of", in->level);
            for (int j = 0; j < r->nlevels && used < nmsg; j++)
                used += (size_t)snprintf(msg + used, nmsg - used, " %s", r->levels[j].id);
        }
        return SC_ERR_DATA;

    case SC_RULE_FREE: {
        if (!in->has_value)
            return need(msg, nmsg, "needs the points as <actual value=\"…\"> and the reason "
                                   "as its text");
        if (!in->has_reason)
            return need(msg, nmsg, "free points need a reason: write it as the text of "
                                   "<actual>");
        long long lo = r->has_min ? r->min : 0, hi = r->has_max ? r->max : wt;
        if (v < lo || v > hi) {
            char a[32], b[32], c[32];
            sc_format_fixed(a, sizeof a, v, 4, 1);
            sc_format_fixed(b, sizeof b, lo, 4, 1);
            sc_format_fixed(c, sizeof c, hi, 4, 1);
            snprintf(msg, nmsg, "points %s are outside the allowed %s to %s", a, b, c);
            return SC_ERR_DATA;
        }
        *centi = (long long)rdiv128(v, 100);
        return SC_OK;
    }
    default:
        return need(msg, nmsg, "unknown rule type");
    }
    /* 本项倒扣N分: an occurrence of a reverse kind sets the score to -N,
     * below everything else the rule would give (seed 001, BD 会议表现). */
    if (reverse > 0) {
        memset(w, 0, sizeof *w);
        w->reversed = 1;
        *centi = -(long long)rdiv128(reverse, 100);
    }
    return SC_OK;
}

/* ---- money ------------------------------------------------------------- */

long long sc_bonus_proportional(long long base_fen, long long total_centi)
{
    /* base x total / 100, total in 1/100 points: / 10^4, half up */
    return (long long)rdiv128((i128)base_fen * total_centi, 10000);
}

/* The base part of an uplift bonus over den = 100% x U x sd: all of it at
 * or above the threshold, else by `below` (total% of it, none, or all). */
static i128 uplift_base(const sc_bonus_rule *b, long long total_centi, long long sd)
{
    i128 den = (i128)100 * SC_UNIT * sd;
    if ((i128)total_centi * 100 >= b->threshold || b->below == SC_BELOW_BASE)
        return den;
    if (b->below == SC_BELOW_ZERO)
        return 0;
    return (i128)total_centi * 100 * sd; /* total / 100 of den */
}

sc_status sc_bonus_compute_steps(const sc_bonus_rule *b, long long base_fen,
                                 long long total_centi, long long sn, long long sd,
                                 long long *out_fen, long long *rise_bp)
{
    if (b->type != SC_BONUS_UPLIFT || sd <= 0 || sn < 0)
        return SC_ERR_USAGE;
    /* factor = base part + rise% x steps, over 100% x U x sd */
    i128 den = (i128)100 * SC_UNIT * sd;
    i128 rise = (i128)b->rise * sn;
    i128 amt = rdiv128((i128)base_fen * (uplift_base(b, total_centi, sd) + rise), den);
    if (rise_bp)
        *rise_bp = (long long)rdiv128(rise * 100, (i128)SC_UNIT * sd);
    *out_fen = amt < 0 ? 0 : (long long)amt;
    return SC_OK;
}

sc_status sc_bonus_compute(const sc_bonus_rule *b, long long base_fen, long long total_centi,
                           long long *out_fen)
{
    long long amt = 0;
    switch (b->type) {
    case SC_BONUS_NONE:
        return SC_END;
    case SC_BONUS_PROPORTIONAL:
        amt = sc_bonus_proportional(base_fen, total_centi);
        break;
    case SC_BONUS_UPLIFT: {
        /* base 100%; every `per` points above `threshold`, `rise` % more. */
        i128 excess = (i128)total_centi * 100 - b->threshold; /* units */
        i128 kn = 0, kd = 1;
        if (excess >= 0)
            steps_of(excess, 1, b->per > 0 ? b->per : SC_UNIT, b->count, &kn, &kd);
        return sc_bonus_compute_steps(b, base_fen, total_centi, (long long)kn, (long long)kd,
                                      out_fen, NULL);
    }
    default:
        return SC_ERR_USAGE;
    }
    *out_fen = amt < 0 ? 0 : amt;
    return SC_OK;
}

/* ---- ranking awards ------------------------------------------------------ */

void sc_rank_awards(const long long *scores, int n, const long long *awards, int nawards,
                    int *rank, long long *award)
{
    /* Competition ranking ("1224"): tied scores share the better rank and
     * each receives its award (名次并列的同时奖励); the next rank skips. */
    for (int i = 0; i < n; i++) {
        int better = 0;
        for (int j = 0; j < n; j++)
            if (scores[j] > scores[i])
                better++;
        rank[i] = better + 1;
        award[i] = rank[i] <= nawards ? awards[rank[i] - 1] : 0;
    }
}

/* ---- the 大客户部 quarterly bonus ---------------------------------------
 *
 * Seed 001 "大客户部销售人员绩效考核办法", per quarter with actual X, base B
 * (基数), target T and rate r (4%):
 *   X < B:  no floating wage, no bonus, 600 元 of the fixed wage withheld;
 *           the shortfall B - X is owed and must be made up later.
 *   B <= X: the excess X - B first makes up earlier shortfalls, oldest
 *           first.  A quarter whose shortfall is fully made up now gets its
 *           base bonus paid (补发: its B x r).  What remains, plus B, is
 *           this quarter's bonus base: [(X - B - owed)+ + B] x r.
 *   X >= T with nothing owed: the floating wage is paid and only the
 *           target counts: T x r; X - T is carried into the next quarter
 *           (超出目标额部分转入下季核算).  The same cap applies after making
 *           up: a bonus base above T is cut to T and the rest carried.
 * 实际奖金 = 计提奖金 x (80% + 20% x KPI奖金系数).  Every step is integer fen;
 * 计提奖金 and 实际奖金 are each rounded half up to the fen.  The seed's text
 * breaks off at the 30万 bound; it is not modelled. */
sc_status sc_quarter_bonus(const sc_quarter_rule *rule, const sc_quarter_in *q, int n,
                           sc_quarter_out *out)
{
    if (!rule || !q || !out || n < 0 || n > MAX_QUARTERS)
        return SC_ERR_USAGE;
    long long owed[MAX_QUARTERS], owed_base[MAX_QUARTERS];
    int nowed = 0;
    long long carry = 0;
    for (int i = 0; i < n; i++) {
        sc_quarter_out *o = &out[i];
        memset(o, 0, sizeof *o);
        long long x = q[i].actual_fen + carry;
        long long b = q[i].base_fen, t = q[i].target_fen;
        o->counted_fen = x;
        carry = 0;
        if (b < 0 || t < b || q[i].actual_fen < 0)
            return SC_ERR_USAGE;
        int owed_before = nowed > 0;
        if (x < b) {
            o->withheld_fen = rule->withhold_fen;
            owed[nowed] = b - x;
            owed_base[nowed++] = b;
        } else {
            long long avail = x - b;
            int k = 0;
            while (k < nowed && avail > 0) {
                long long use = avail < owed[k] ? avail : owed[k];
                owed[k] -= use;
                avail -= use;
                o->covered_fen += use;
                if (owed[k] == 0) {
                    o->made_up_fen += owed_base[k];
                    k++;
                }
            }
            /* drop the quarters made up, keep the rest in order */
            memmove(owed, owed + k, (size_t)(nowed - k) * sizeof *owed);
            memmove(owed_base, owed_base + k, (size_t)(nowed - k) * sizeof *owed_base);
            nowed -= k;
            long long bonus_base = b + avail;
            if (bonus_base > t) {
                carry = bonus_base - t;
                bonus_base = t;
            }
            o->floating = x >= t && !owed_before;
            o->bonus_base_fen = bonus_base;
            o->accrued_fen = (long long)rdiv128(
                (i128)(bonus_base + o->made_up_fen) * rule->rate_bp, 10000);
        }
        o->carry_fen = carry;
        long long owed_sum = 0;
        for (int k = 0; k < nowed; k++)
            owed_sum += owed[k];
        o->owed_fen = owed_sum;
        /* 80% + 20% x coefficient (coefficient in units: 1.0 = 10000) */
        i128 factor = (i128)rule->fixed_bp * SC_UNIT + (i128)rule->kpi_bp * q[i].kpi_coef;
        o->actual_fen = (long long)rdiv128((i128)o->accrued_fen * factor,
                                           (i128)10000 * SC_UNIT);
    }
    return SC_OK;
}

/* ---- the scheme ------------------------------------------------------------ */

struct sc_scheme {
    sc_arena *a;
    sc_rule *rules;
    int nrules;
    struct {
        const char *name;
        long long weight; /* centi */
    } cats[MAX_KPIS];
    int ncats;
    struct {
        const char *role;
        long long weight; /* centi */
    } raters[MAX_RATERS];
    int nraters;
    long long rater_share; /* centi percent */
    int has_adj_min, has_adj_max;
    long long adj_min, adj_max; /* centi */
    struct {
        const char *name;
        int has_min;
        long long min; /* centi */
    } grades[MAX_GRADES];
    int ngrades;
    sc_bonus_rule bonus;
    const char *over[MAX_KPIS]; /* bonus/over/@kpi: uplift by these KPIs */
    sc_quarter_rule quarter; /* <quarter-bonus>, default seed 001's */
    int has_quarter;         /* declared (else the defaults) */
    /* <rank-award months="3"><award rank amount/>: 连续3个月综合排名 */
    int rank_months;         /* 0: no rank award */
    long long rank_award[MAX_RANKS]; /* fen, by rank 1.. */
    int nrank_awards;
    /* <awards><award id name amount/>: fixed amounts per occurrence (创新奖) */
    struct {
        const char *id, *name;
        long long fen;
    } awards[MAX_AWARDS];
    int nawards;
    xmlDocPtr doc;           /* a private copy of the <scheme> element (its root) */
};

static xmlNodePtr first_elem(xmlNodePtr n)
{
    for (n = n ? n->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            return n;
    return NULL;
}

static xmlNodePtr next_el(xmlNodePtr n)
{
    for (n = n ? n->next : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            return n;
    return NULL;
}

static int is(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static xmlNodePtr child(xmlNodePtr p, const char *name)
{
    for (xmlNodePtr c = first_elem(p); c; c = next_el(c))
        if (is(c, name))
            return c;
    return NULL;
}

/* Attribute value borrowed from the tree, or NULL. */
static const char *av(xmlNodePtr n, const char *name)
{
    xmlAttrPtr a = n ? xmlHasProp(n, (const xmlChar *)name) : NULL;
    if (!a)
        return NULL;
    return a->children && a->children->content ? (const char *)a->children->content : "";
}

typedef struct reporter {
    sc_score_report fn;
    void *ud;
    int count;
} reporter;

static void report(reporter *rp, xmlNodePtr node, const char *attr, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rp->count++;
    if (rp->fn)
        rp->fn(rp->ud, SC_ERR_DATA, node, attr, msg);
}

/* Number attribute in units (scale 4); *has = presence.  Reports a bad one. */
static long long num_attr(reporter *rp, xmlNodePtr n, const char *name, int scale, int *has)
{
    const char *v = av(n, name);
    long long x = 0;
    if (has)
        *has = 0;
    if (!v)
        return 0;
    if (!sc_parse_fixed(v, scale, &x)) {
        report(rp, n, name, "%s=\"%s\" is not a number with at most %d decimals", name, v,
               scale);
        return 0;
    }
    if (has)
        *has = 1;
    return x;
}

static int parse_count_mode(const char *v)
{
    if (v && !strcmp(v, "ceil"))
        return SC_COUNT_CEIL;
    if (v && !strcmp(v, "linear"))
        return SC_COUNT_LINEAR;
    return SC_COUNT_FLOOR;
}

static void parse_rule(sc_scheme *s, reporter *rp, xmlNodePtr k, sc_rule *r)
{
    const char *type = av(k, "type");
    r->kpi = sc_arena_strdup(s->a, av(k, "id") ? av(k, "id") : "");
    r->line = (int)xmlGetLineNo(k);
    r->type = -1;
    for (int i = 0; i < (int)(sizeof type_names / sizeof *type_names); i++)
        if (type && !strcmp(type, type_names[i]))
            r->type = i;
    if (r->type < 0) {
        report(rp, k, "type", "unknown rule type \"%s\"", type ? type : "");
        r->type = SC_RULE_GIVEN;
    }
    const char *better = av(k, "better");
    r->lower_better = better && !strcmp(better, "lower");
    const char *basis = av(k, "basis");
    r->completion = basis && !strcmp(basis, "completion");
    r->count = parse_count_mode(av(k, "count"));
    r->count_above = parse_count_mode(av(k, "count-above"));
    int h;
    r->weight = num_attr(rp, k, "weight", 4, &r->has_weight);
    r->target = num_attr(rp, k, "target", 4, &r->has_target);
    r->base = num_attr(rp, k, "base", 4, &r->has_base);
    r->cap = num_attr(rp, k, "cap", 4, &r->has_cap);
    r->step_below = num_attr(rp, k, "step-below", 4, &h);
    r->points_below = num_attr(rp, k, "points-below", 4, &h);
    r->step_above = num_attr(rp, k, "step-above", 4, &h);
    r->points_above = num_attr(rp, k, "points-above", 4, &h);
    r->zero_below = num_attr(rp, k, "zero-below", 4, &r->has_zero_below);
    r->zero_above = num_attr(rp, k, "zero-above", 4, &r->has_zero_above);
    r->otherwise = num_attr(rp, k, "otherwise", 4, &h);
    r->per = num_attr(rp, k, "per", 4, &h);
    r->points = num_attr(rp, k, "points", 4, &h);
    long long mc = num_attr(rp, k, "max-count", 0, &r->has_max_count);
    r->max_count = mc;
    r->min = num_attr(rp, k, "min", 4, &r->has_min);
    r->max = num_attr(rp, k, "max", 4, &r->has_max);
    r->month_average = av(k, "actual") && !strcmp(av(k, "actual"), "month-average");
    if (r->month_average && r->type != SC_RULE_ACHIEVEMENT && r->type != SC_RULE_PRORATA &&
        r->type != SC_RULE_STEP && r->type != SC_RULE_THRESHOLD)
        report(rp, k, "actual", "actual=\"month-average\" gives a measured rule "
                                "(achievement, pro-rata, step, threshold) its actual value; "
                                "a %s rule has none", sc_rule_type_name(r->type));

    /* what each type needs from the scheme itself */
    if (r->type == SC_RULE_STEP && av(k, "step-below") && r->step_below <= 0)
        report(rp, k, "step-below", "step-below must be above 0");
    if (r->type == SC_RULE_STEP && av(k, "step-above") && r->step_above <= 0)
        report(rp, k, "step-above", "step-above must be above 0");
    if (r->type == SC_RULE_STEP && !av(k, "step-below") && !av(k, "step-above"))
        report(rp, k, NULL, "a step rule needs step-below/points-below or "
                            "step-above/points-above");
    if (r->type == SC_RULE_PER_UNIT && !av(k, "per"))
        report(rp, k, NULL, "a per-unit rule needs per= (points per unit)");
    if (r->has_cap && r->cap < 0)
        report(rp, k, "cap", "cap must not be negative");

    int nitems = 0, nlevels = 0;
    for (xmlNodePtr c = first_elem(k); c; c = next_el(c)) {
        if (is(c, "item") || is(c, "addition"))
            nitems++;
        else if (is(c, "level"))
            nlevels++;
    }
    if (nitems > MAX_ITEMS || nlevels > MAX_LEVELS) {
        report(rp, k, NULL, "at most %d items and %d levels per rule", MAX_ITEMS, MAX_LEVELS);
        return;
    }
    r->items = sc_arena_alloc(s->a, (size_t)(nitems + 1) * sizeof *r->items);
    r->levels = sc_arena_alloc(s->a, (size_t)(nlevels + 1) * sizeof *r->levels);
    if (!r->items || !r->levels)
        return;
    for (xmlNodePtr c = first_elem(k); c; c = next_el(c)) {
        if (is(c, "item") || is(c, "addition")) {
            sc_rule_item *it = &r->items[r->nitems];
            it->kind = sc_arena_strdup(s->a, av(c, "kind") ? av(c, "kind") : "");
            it->unit = av(c, "unit") ? sc_arena_strdup(s->a, av(c, "unit")) : NULL;
            if (is(c, "addition")) {
                it->effect = SC_ITEM_ADD;
                it->points = num_attr(rp, c, "points", 4, &h);
            } else if (av(c, "reverse")) {
                it->effect = SC_ITEM_REVERSE;
                it->points = num_attr(rp, c, "reverse", 4, &h);
            } else {
                it->points = num_attr(rp, c, "points", 4, &h);
            }
            if (it->points <= 0 || (av(c, "reverse") && av(c, "points")))
                report(rp, c, NULL, "an <%s> needs %s above 0%s", (const char *)c->name,
                       it->effect == SC_ITEM_REVERSE ? "reverse=" : "points=",
                       it->effect == SC_ITEM_ADD ? "" : " (points= to deduct per "
                       "occurrence, or reverse= for 本项倒扣N分, not both)");
            for (int j = 0; j < r->nitems; j++)
                if (it->kind && !strcmp(r->items[j].kind, it->kind))
                    report(rp, c, "kind", "kind \"%s\" is declared twice", it->kind);
            r->nitems++;
        } else if (is(c, "level")) {
            sc_rule_level *lv = &r->levels[r->nlevels];
            lv->id = sc_arena_strdup(s->a, av(c, "id") ? av(c, "id") : "");
            lv->points = num_attr(rp, c, "points", 4, &h);
            xmlChar *t = xmlNodeGetContent(c);
            lv->text = sc_arena_strdup(s->a, t ? (const char *)t : "");
            xmlFree(t);
            for (int j = 0; j < r->nlevels; j++)
                if (lv->id && !strcmp(r->levels[j].id, lv->id))
                    report(rp, c, "id", "level \"%s\" is declared twice", lv->id);
            r->nlevels++;
        }
    }
    if (r->type == SC_RULE_CHOICE && r->nlevels == 0)
        report(rp, k, NULL, "a choice rule needs at least one <level>");
    if (r->type == SC_RULE_DEDUCT && r->nitems == 0 && !av(k, "points"))
        report(rp, k, NULL, "a deduct rule needs points= (one kind) or <item kind points>");
}

sc_status sc_scheme_parse(sc_scheme **out, xmlNodePtr root, sc_score_report fn, void *ud)
{
    *out = NULL;
    reporter rp = {fn, ud, 0};
    sc_scheme *s = sc_calloc(1, sizeof *s);
    if (!s || !(s->a = sc_arena_new())) {
        free(s);
        return SC_ERR_NOMEM;
    }
    s->bonus.type = SC_BONUS_PROPORTIONAL;
    s->quarter = (sc_quarter_rule){400, 60000, 8000, 2000, 0};
    int nk = 0;
    for (xmlNodePtr c = first_elem(root); c; c = next_el(c))
        if (is(c, "kpi"))
            nk++;
    if (nk > MAX_KPIS) {
        report(&rp, root, NULL, "a scheme may declare at most %d KPIs", MAX_KPIS);
        nk = MAX_KPIS;
    }
    s->rules = sc_arena_alloc(s->a, (size_t)(nk + 1) * sizeof *s->rules);
    if (!s->rules) {
        sc_scheme_free(s);
        return SC_ERR_NOMEM;
    }
    int h;
    for (xmlNodePtr c = first_elem(root); c; c = next_el(c)) {
        if (is(c, "category") && s->ncats < MAX_KPIS) {
            const char *nm = av(c, "name");
            for (int j = 0; j < s->ncats; j++)
                if (nm && !strcmp(s->cats[j].name, nm))
                    report(&rp, c, "name", "category \"%s\" is declared twice", nm);
            s->cats[s->ncats].name = sc_arena_strdup(s->a, nm ? nm : "");
            s->cats[s->ncats++].weight = num_attr(&rp, c, "weight", 2, &h);
        } else if (is(c, "kpi") && s->nrules < nk) {
            sc_rule *r = &s->rules[s->nrules];
            parse_rule(s, &rp, c, r);
            for (int j = 0; j < s->nrules; j++)
                if (!strcmp(s->rules[j].kpi, r->kpi))
                    report(&rp, c, "id", "KPI \"%s\" has two rules", r->kpi);
            s->nrules++;
        } else if (is(c, "raters")) {
            s->rater_share = num_attr(&rp, c, "share", 2, &h);
            long long sum = 0;
            for (xmlNodePtr q = first_elem(c); q; q = next_el(q)) {
                if (!is(q, "rater") || s->nraters >= MAX_RATERS)
                    continue;
                s->raters[s->nraters].role = sc_arena_strdup(s->a, av(q, "role"));
                s->raters[s->nraters].weight = num_attr(&rp, q, "weight", 2, &h);
                sum += s->raters[s->nraters++].weight;
            }
            if (sum != 10000) {
                char a[32];
                sc_format_fixed(a, sizeof a, sum, 2, 1);
                report(&rp, c, NULL, "the rater weights sum to %s, not 100", a);
            }
        } else if (is(c, "adjustments")) {
            s->adj_min = num_attr(&rp, c, "min", 2, &s->has_adj_min);
            s->adj_max = num_attr(&rp, c, "max", 2, &s->has_adj_max);
            if (s->has_adj_min && s->has_adj_max && s->adj_min > s->adj_max)
                report(&rp, c, NULL, "adjustments min is above max");
        } else if (is(c, "grades")) {
            for (xmlNodePtr g = first_elem(c); g; g = next_el(g)) {
                if (!is(g, "grade") || s->ngrades >= MAX_GRADES)
                    continue;
                int i = s->ngrades++;
                s->grades[i].name = sc_arena_strdup(s->a, av(g, "name"));
                s->grades[i].min = num_attr(&rp, g, "min", 2, &s->grades[i].has_min);
                if (i > 0 && !s->grades[i - 1].has_min)
                    report(&rp, g, NULL, "only the last grade may leave out min=");
                else if (i > 0 && s->grades[i].has_min &&
                         s->grades[i].min >= s->grades[i - 1].min)
                    report(&rp, g, "min", "grades go from the best down: min must be "
                                          "below the previous grade's");
            }
        } else if (is(c, "bonus")) {
            const char *t = av(c, "type");
            s->bonus.type = !t || !strcmp(t, "proportional") ? SC_BONUS_PROPORTIONAL
                            : !strcmp(t, "uplift")           ? SC_BONUS_UPLIFT
                                                             : SC_BONUS_NONE;
            int ht;
            s->bonus.threshold = num_attr(&rp, c, "threshold", 4, &ht);
            if (!ht)
                s->bonus.threshold = 100 * SC_UNIT;
            s->bonus.per = num_attr(&rp, c, "per", 4, &h);
            if (!h)
                s->bonus.per = SC_UNIT;
            if (s->bonus.per <= 0)
                report(&rp, c, "per", "per must be above 0");
            s->bonus.rise = num_attr(&rp, c, "rise", 4, &h);
            s->bonus.count = parse_count_mode(av(c, "count"));
            const char *b = av(c, "below");
            s->bonus.below = b && !strcmp(b, "zero")   ? SC_BELOW_ZERO
                             : b && !strcmp(b, "base") ? SC_BELOW_BASE
                                                       : SC_BELOW_PROPORTIONAL;
            for (xmlNodePtr o = first_elem(c); o; o = next_el(o))
                if (is(o, "over") && s->bonus.nover < MAX_KPIS)
                    s->over[s->bonus.nover++] = sc_arena_strdup(s->a, av(o, "kpi"));
            s->bonus.over = s->over;
            if (s->bonus.nover && s->bonus.type != SC_BONUS_UPLIFT)
                report(&rp, c, NULL, "<over kpi> names the KPIs of an uplift: set "
                                     "type=\"uplift\"");
        } else if (is(c, "quarter-bonus")) {
            /* percentages in centi percent = basis points; money in fen */
            if (av(c, "rate"))
                s->quarter.rate_bp = num_attr(&rp, c, "rate", 2, &h);
            if (av(c, "withhold"))
                s->quarter.withhold_fen = num_attr(&rp, c, "withhold", 2, &h);
            if (av(c, "fixed"))
                s->quarter.fixed_bp = num_attr(&rp, c, "fixed", 2, &h);
            if (av(c, "kpi"))
                s->quarter.kpi_bp = num_attr(&rp, c, "kpi", 2, &h);
            if (av(c, "base-ratio"))
                s->quarter.base_ratio_bp = num_attr(&rp, c, "base-ratio", 2, &h);
            s->has_quarter = 1;
        } else if (is(c, "rank-award")) {
            long long m = num_attr(&rp, c, "months", 0, &h);
            s->rank_months = (int)(m > 0 && m <= 24 ? m : 0);
            if (!s->rank_months)
                report(&rp, c, "months", "months must be 1 to 24");
            for (xmlNodePtr a = first_elem(c); a; a = next_el(a)) {
                if (!is(a, "award"))
                    continue;
                long long rank = num_attr(&rp, a, "rank", 0, &h);
                if (rank != s->nrank_awards + 1 || rank > MAX_RANKS) {
                    report(&rp, a, "rank", "awards go by rank 1, 2, 3 … in order (at most "
                                           "%d)", MAX_RANKS);
                    continue;
                }
                s->rank_award[s->nrank_awards++] = num_attr(&rp, a, "amount", 2, &h);
            }
        } else if (is(c, "awards")) {
            for (xmlNodePtr a = first_elem(c); a; a = next_el(a)) {
                if (!is(a, "award") || s->nawards >= MAX_AWARDS)
                    continue;
                const char *id = av(a, "id");
                for (int j = 0; j < s->nawards; j++)
                    if (id && !strcmp(s->awards[j].id, id))
                        report(&rp, a, "id", "award \"%s\" is declared twice", id);
                s->awards[s->nawards].id = sc_arena_strdup(s->a, id ? id : "");
                s->awards[s->nawards].name = sc_arena_strdup(s->a, av(a, "name"));
                s->awards[s->nawards++].fen = num_attr(&rp, a, "amount", 2, &h);
            }
        }
    }
    /* declared category weights are the whole sheet's: said once here,
     * not once per employee whose sheet then disagrees */
    long long catsum = 0;
    for (int j = 0; j < s->ncats; j++)
        catsum += s->cats[j].weight;
    if (s->ncats && catsum != 10000) {
        char a[32];
        sc_format_fixed(a, sizeof a, catsum, 2, 1);
        report(&rp, root, NULL, "the scheme's category weights sum to %s, not 100", a);
    }
    if (rp.count) {
        sc_scheme_free(s);
        return SC_ERR_DATA;
    }
    /* Keep the element itself: every record gets a copy (/batch/scheme)
     * and each KPI a copy of its rule (kpi/scheme-rule), so a sheet prints
     * the numbers the engine computes with instead of repeating them. */
    xmlNodePtr copy = NULL;
    if (!(s->doc = xmlNewDoc((const xmlChar *)"1.0")) ||
        !(copy = xmlDocCopyNode(root, s->doc, 1))) {
        sc_scheme_free(s);
        return SC_ERR_NOMEM;
    }
    xmlDocSetRootElement(s->doc, copy);
    *out = s;
    return SC_OK;
}

void sc_scheme_free(sc_scheme *s)
{
    if (!s)
        return;
    xmlFreeDoc(s->doc);
    sc_arena_free(s->a);
    free(s);
}

const sc_rule *sc_scheme_rule(const sc_scheme *s, const char *kpi)
{
    for (int i = 0; s && kpi && i < s->nrules; i++)
        if (!strcmp(s->rules[i].kpi, kpi))
            return &s->rules[i];
    return NULL;
}

xmlNodePtr sc_scheme_node(const sc_scheme *s)
{
    return s && s->doc ? xmlDocGetRootElement(s->doc) : NULL;
}

int sc_scheme_nrules(const sc_scheme *s)
{
    return s ? s->nrules : 0;
}

const sc_rule *sc_scheme_rule_at(const sc_scheme *s, int i)
{
    return s && i >= 0 && i < s->nrules ? &s->rules[i] : NULL;
}

const char *sc_scheme_grade(const sc_scheme *s, long long total_centi)
{
    for (int i = 0; s && i < s->ngrades; i++)
        if (!s->grades[i].has_min || total_centi >= s->grades[i].min)
            return s->grades[i].name;
    return NULL;
}

/* ---- scoring one employee -------------------------------------------------- */

static void fmt_centi(char *out, size_t n, long long c) { sc_format_fixed(out, n, c, 2, 1); }
static void fmt_fen(char *out, size_t n, long long f) { sc_format_fixed(out, n, f, 2, 0); }

/* Set the text of `parent/name` (created at the end if absent). */
static xmlNodePtr set_child_text(xmlNodePtr parent, xmlNodePtr existing, const char *name,
                                 const char *text)
{
    if (existing) {
        xmlNodeSetContent(existing, NULL);
        xmlNodeAddContent(existing, (const xmlChar *)text);
        return existing;
    }
    return xmlNewTextChild(parent, NULL, (const xmlChar *)name, (const xmlChar *)text);
}

/* Given text as centi; 1 = parsed, 0 = empty, -1 = not a number. */
static int given_centi(xmlNodePtr n, long long *out)
{
    char *t = sc_xml_text(n);
    if (!t || !t[0]) {
        free(t);
        return 0;
    }
    int ok = sc_parse_fixed(t, 2, out);
    free(t);
    return ok ? 1 : -1;
}

/* ---- the quarterly bonus statement (<quarters>) ---------------------------
 *
 * A 季度奖金 statement lists the quarters oldest first (usually the last
 * four); sc_quarter_bonus carries shortfalls and excess through them.  The
 * batch period names the statement's own quarter: its KPI奖金系数 may be
 * left out and is then this sheet's total / 100 (92.5 分 -> 0.925), and its
 * 实际奖金 is the record's bonus (a year batch: the sum of that year's
 * quarters).  Every figure is written onto its <quarter> as yuan with two
 * decimals, so the template prints the working, not just the result. */
static void set_fen(xmlNodePtr n, const char *name, long long fen)
{
    char b[48];
    fmt_fen(b, sizeof b, fen);
    xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)b);
}

static void score_quarters(const sc_scheme *s, xmlNodePtr emp, int have_total,
                           long long total_centi, reporter *rp, sc_score_summary *sum)
{
    xmlNodePtr qs = child(emp, "quarters");
    if (!qs)
        return;
    static const sc_quarter_rule seed = {400, 60000, 8000, 2000, 0};
    const sc_quarter_rule *rule = s ? &s->quarter : &seed;
    xmlNodePtr period = child(emp->parent, "period");
    const char *kind = av(period, "kind");
    long long py = 0, pq = 0;
    sc_parse_fixed(av(period, "year"), 0, &py);
    sc_parse_fixed(av(period, "quarter"), 0, &pq);
    int by_quarter = kind && !strcmp(kind, "quarter");
    long long pkey = py * 4 + pq - 1;

    sc_quarter_in in[MAX_QUARTERS];
    xmlNodePtr node[MAX_QUARTERS];
    long long key[MAX_QUARTERS];
    int n = 0, cur = -1, bad = 0;
    char a[48], b[48];
    for (xmlNodePtr q = child(qs, "quarter"); q; q = next_el(q)) {
        if (!is(q, "quarter"))
            continue;
        if (n == MAX_QUARTERS) {
            report(rp, q, NULL, "a statement holds at most %d quarters", MAX_QUARTERS);
            return;
        }
        long long y = py, qn = 0;
        if (av(q, "year"))
            sc_parse_fixed(av(q, "year"), 0, &y);
        sc_parse_fixed(av(q, "n"), 0, &qn);
        sc_quarter_in *x = &in[n];
        memset(x, 0, sizeof *x);
        /* the schema has checked the amounts (yuan, 2 decimals, >= 0) */
        sc_parse_fixed(av(q, "actual"), 2, &x->actual_fen);
        sc_parse_fixed(av(q, "base"), 2, &x->base_fen);
        sc_parse_fixed(av(q, "target"), 2, &x->target_fen);
        key[n] = y * 4 + qn - 1;
        node[n] = q;
        if (n > 0 && key[n] <= key[n - 1]) {
            report(rp, q, "n", "quarter %lld-Q%lld does not follow %lld-Q%lld: list the "
                               "quarters oldest first, each once",
                   y, qn, key[n - 1] / 4, key[n - 1] % 4 + 1);
            bad = 1;
        }
        if (by_quarter && key[n] > pkey) {
            report(rp, q, "n", "quarter %lld-Q%lld is after the batch period %lld-Q%lld",
                   y, qn, py, pq);
            bad = 1;
        }
        if (x->target_fen < x->base_fen) {
            report(rp, q, "target", "target %s is below the base (基数) %s",
                   av(q, "target"), av(q, "base"));
            bad = 1;
        } else if (rule->base_ratio_bp &&
                   (i128)x->base_fen * 10000 != (i128)x->target_fen * rule->base_ratio_bp) {
            sc_format_fixed(a, sizeof a, rule->base_ratio_bp, 2, 1);
            report(rp, q, "base", "the base (基数) %s is not %s%% of the target %s, as the "
                                  "scheme's base-ratio says", av(q, "base"), a,
                   av(q, "target"));
            bad = 1;
        }
        if (by_quarter && key[n] == pkey)
            cur = n;
        const char *cs = av(q, "kpi-coefficient");
        if (cs) {
            sc_parse_fixed(cs, 4, &x->kpi_coef);
        } else if (n == cur && have_total) {
            x->kpi_coef = total_centi; /* total / 100 in 1/10000 */
        } else {
            report(rp, q, NULL, "quarter %lld-Q%lld needs its KPI奖金系数 as "
                                "kpi-coefficient=\"…\"%s", y, qn,
                   by_quarter ? " (only the period's own quarter takes it from the total)"
                              : "");
            bad = 1;
        }
        n++;
    }
    if (by_quarter && cur < 0) {
        report(rp, qs, NULL, "the statement has no <quarter> for the batch period %lld-Q%lld",
               py, pq);
        bad = 1;
    }
    if (bad)
        return;

    sc_quarter_out out[MAX_QUARTERS];
    if (sc_quarter_bonus(rule, in, n, out) != SC_OK) {
        report(rp, qs, NULL, "the quarters cannot be computed");
        return;
    }
    long long accrued = 0, amount = 0, withheld = 0, year = 0;
    for (int i = 0; i < n; i++) {
        xmlNodePtr q = node[i];
        const sc_quarter_out *o = &out[i];
        set_fen(q, "counted", o->counted_fen);
        set_fen(q, "carry-in", o->counted_fen - in[i].actual_fen);
        set_fen(q, "covered", o->covered_fen);
        set_fen(q, "made-up", o->made_up_fen);
        set_fen(q, "bonus-base", o->bonus_base_fen);
        /* split 计提 into this quarter's own part and 补发, summing exactly */
        long long own = o->accrued_fen ? sc_div_round(o->bonus_base_fen * rule->rate_bp, 10000)
                                       : 0;
        set_fen(q, "own-bonus", own);
        set_fen(q, "made-up-bonus", o->accrued_fen - own);
        set_fen(q, "accrued", o->accrued_fen);
        set_fen(q, "withheld", o->withheld_fen);
        set_fen(q, "owed", o->owed_fen);
        set_fen(q, "carry", o->carry_fen);
        xmlSetProp(q, (const xmlChar *)"floating", (const xmlChar *)(o->floating ? "是" : "否"));
        sc_format_fixed(a, sizeof a, in[i].kpi_coef, 4, 1);
        xmlSetProp(q, (const xmlChar *)"coefficient", (const xmlChar *)a);
        /* (fixed% + kpi% x coefficient) as a percentage, e.g. 98.5 */
        long long factor = sc_div_round(rule->fixed_bp * SC_UNIT + rule->kpi_bp * in[i].kpi_coef,
                                        100);
        sc_format_fixed(a, sizeof a, factor, 4, 1);
        xmlSetProp(q, (const xmlChar *)"factor", (const xmlChar *)a);
        long long given;
        const char *gs = av(q, "amount");
        if (gs && sc_parse_fixed(gs, 2, &given)) {
            if (given != o->actual_fen) {
                fmt_fen(a, sizeof a, o->actual_fen);
                report(rp, q, "amount", "quarter %lld-Q%lld 实际奖金 %s differs from the "
                                        "computed %s; correct it or leave amount= out",
                       key[i] / 4, key[i] % 4 + 1, gs, a);
            }
        } else {
            set_fen(q, "amount", o->actual_fen);
        }
        accrued += o->accrued_fen;
        amount += o->actual_fen;
        withheld += o->withheld_fen;
        if (key[i] / 4 == py)
            year += o->actual_fen;
    }
    /* the parameters it was computed with, defaults filled in, so the
     * sheet prints the rule from them (4%, 600元, 80% + 20%) */
    sc_format_fixed(a, sizeof a, rule->rate_bp, 2, 1);
    xmlSetProp(qs, (const xmlChar *)"rate", (const xmlChar *)a);
    set_fen(qs, "withhold", rule->withhold_fen);
    sc_format_fixed(a, sizeof a, rule->fixed_bp, 2, 1);
    xmlSetProp(qs, (const xmlChar *)"fixed", (const xmlChar *)a);
    sc_format_fixed(a, sizeof a, rule->kpi_bp, 2, 1);
    xmlSetProp(qs, (const xmlChar *)"kpi", (const xmlChar *)a);
    if (rule->base_ratio_bp) {
        sc_format_fixed(a, sizeof a, rule->base_ratio_bp, 2, 1);
        xmlSetProp(qs, (const xmlChar *)"base-ratio", (const xmlChar *)a);
    }
    set_fen(qs, "accrued-total", accrued);
    set_fen(qs, "amount-total", amount);
    set_fen(qs, "withheld-total", withheld);
    set_fen(qs, "owed", out[n - 1].owed_fen);
    set_fen(qs, "carry", out[n - 1].carry_fen);
    xmlNodePtr result = child(emp, "result");
    if (result) {
        if (cur >= 0) {
            fmt_fen(b, sizeof b, out[cur].actual_fen);
            xmlSetProp(result, (const xmlChar *)"quarter-bonus", (const xmlChar *)b);
        }
        fmt_fen(b, sizeof b, amount);
        xmlSetProp(result, (const xmlChar *)"quarters-bonus", (const xmlChar *)b);
    }
    /* the record's bonus (scorecard check), unless a monthly bonus is there */
    if (!sum->have_bonus && (cur >= 0 || (kind && !strcmp(kind, "year")))) {
        sum->have_bonus = 1;
        sum->bonus_fen = cur >= 0 ? out[cur].actual_fen : year;
    }
}

/* ---- the scheme in the record ------------------------------------------------
 *
 * The numbers of a rule are written once, in the scheme.  A sheet that
 * prints a rule's standard (每超出预算1%，减2分) binds them from the record
 * rather than repeating them in the data's <rule> text, where nothing would
 * check that they agree with what computed the score.  So the record gets
 *   /batch/scheme            a copy of the batch's scheme (inline or file),
 *                            before the <employee>;
 *   kpi/scheme-rule          a copy of the scheme's <kpi> rule that scores
 *                            this KPI (attributes and <item>/<level>
 *                            children as declared, defaults not filled in);
 *   kpi/@rule-type           its type (step, deduct, choice, …).
 * A KPI without a rule has neither. */
static xmlNodePtr scheme_kpi(const sc_scheme *s, const char *id)
{
    xmlNodePtr root = s && s->doc ? xmlDocGetRootElement(s->doc) : NULL;
    for (xmlNodePtr c = first_elem(root); c && id; c = next_el(c)) {
        const char *cid = av(c, "id");
        if (is(c, "kpi") && cid && !strcmp(cid, id))
            return c;
    }
    return NULL;
}

static void attach_scheme(const sc_scheme *s, xmlNodePtr emp, reporter *rp)
{
    xmlNodePtr root = s && s->doc ? xmlDocGetRootElement(s->doc) : NULL;
    xmlNodePtr batch = emp->parent;
    if (!root || !batch || batch->type != XML_ELEMENT_NODE || child(batch, "scheme"))
        return;
    xmlNodePtr copy = xmlDocCopyNode(root, emp->doc, 1);
    if (!copy || !xmlAddPrevSibling(emp, copy)) {
        xmlFreeNode(copy);
        report(rp, emp, NULL, "out of memory");
    }
}

static void attach_rule(const sc_scheme *s, const sc_rule *r, xmlNodePtr k, reporter *rp)
{
    xmlSetProp(k, (const xmlChar *)"rule-type", (const xmlChar *)sc_rule_type_name(r->type));
    xmlNodePtr src = scheme_kpi(s, r->kpi);
    if (!src || child(k, "scheme-rule"))
        return;
    xmlNodePtr copy = xmlDocCopyNode(src, k->doc, 1);
    if (copy)
        xmlNodeSetName(copy, (const xmlChar *)"scheme-rule");
    if (!copy || !xmlAddChild(k, copy)) {
        xmlFreeNode(copy);
        report(rp, k, NULL, "out of memory");
    }
}

/* ---- a KPI nothing scores ---------------------------------------------------
 *
 * A KPI without a score and without a rule to compute one would leave its
 * 得分, the subtotal, the total, the grade and the bonus blank on a sheet
 * that otherwise looks fine: a typo in an id (P4 for p4) or a rule missing
 * from the scheme.  That fails the record, naming the KPI, its weight and
 * the rules the scheme has, with the one probably meant. */
static void unscored(reporter *rp, const sc_scheme *s, xmlNodePtr k, const char *id,
                     long long weight_centi, const sc_rule *r)
{
    char w[32];
    sc_format_fixed(w, sizeof w, weight_centi, 2, 1);
    if (r) {
        report(rp, k, NULL, "KPI %s (weight %s) has no score: its rule (given, scheme line "
                            "%d) takes the score from the data; give <score>",
               id ? id : "", w, r->line);
        return;
    }
    if (!s || s->nrules == 0) {
        report(rp, k, NULL, "KPI %s (weight %s) has no score and %s: give <score>, or a "
                            "rule for %s in the scheme (docs/scoring.md)", id ? id : "", w,
               s ? "the scheme has no KPI rules" : "the batch has no scheme", id ? id : "");
        return;
    }
    const char *ids[MAX_KPIS];
    char list[300] = "", near[64];
    size_t used = 0;
    for (int i = 0; i < s->nrules && i < MAX_KPIS; i++) {
        ids[i] = s->rules[i].kpi;
        if (used < sizeof list - 1)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                     s->rules[i].kpi);
    }
    if (used >= sizeof list - 1)
        snprintf(list + sizeof list - 5, 5, "...");
    char hint[120] = "";
    if (id && sc_suggest(id, ids, s->nrules < MAX_KPIS ? s->nrules : MAX_KPIS, near,
                         sizeof near))
        snprintf(hint, sizeof hint, "; did you mean %s?", near);
    report(rp, k, NULL, "KPI %s (weight %s) has no score and the scheme has no rule for it "
                        "(its rules: %s%s): correct the id, give <score>, or add a rule",
           id ? id : "", w, list, hint);
}

/* A rule text's <param name kind level/> (the data's <rule> and <target>)
 * becomes the number of the KPI's rule it names, as the scheme declares
 * it: the sheet prints the number that computed the score, and changing
 * the scheme changes the printed rule with the amounts.  target is the
 * sheet's target/@value when it has one (it overrides the scheme's);
 * weight is the sheet's weight (checked against the scheme's); cap and
 * base default to the weight, a free rule's min and max to 0 and the
 * weight, as the rules compute.  A name the rule does not have is an
 * error naming the KPI, the rule and the param's line. */
static const char *param_value(const sc_scheme *s, const sc_rule *r, xmlNodePtr k,
                               xmlNodePtr p, char *why, size_t nwhy)
{
    const char *name = av(p, "name"), *kind = av(p, "kind"), *level = av(p, "level");
    xmlNodePtr src = r ? scheme_kpi(s, r->kpi) : NULL;
    const char *id = av(k, "id") ? av(k, "id") : "";
    if (!name)
        name = "";
    if (!src) {
        snprintf(why, nwhy, "<param name=\"%s\"/> prints a number of KPI %s's scheme rule, "
                            "but the scheme has no rule for %s: write the number, or add "
                            "the rule", name, id, id);
        return NULL;
    }
    if (kind || level) {
        for (xmlNodePtr c = first_elem(src); c; c = next_el(c)) {
            const char *key = kind ? av(c, "kind") : av(c, "id");
            if (!key || strcmp(key, kind ? kind : level) ||
                !(kind ? is(c, "item") || is(c, "addition") : is(c, "level")))
                continue;
            if (av(c, name))
                return av(c, name);
            snprintf(why, nwhy, "<param name=\"%s\" %s=\"%s\"/>: that %s of KPI %s's rule "
                                "(scheme line %d) has no %s", name, kind ? "kind" : "level",
                     kind ? kind : level, kind ? "kind" : "level", id, r->line, name);
            return NULL;
        }
        size_t used = (size_t)snprintf(why, nwhy, "<param %s=\"%s\"/>: KPI %s's rule (scheme "
                                       "line %d) has no %s \"%s\"; it has",
                                       kind ? "kind" : "level", kind ? kind : level, id,
                                       r->line, kind ? "kind" : "level", kind ? kind : level);
        int any = 0;
        for (xmlNodePtr c = first_elem(src); c && used < nwhy; c = next_el(c)) {
            const char *key = kind ? av(c, "kind") : av(c, "id");
            if (key && (kind ? is(c, "item") || is(c, "addition") : is(c, "level"))) {
                used += (size_t)snprintf(why + used, nwhy - used, " \"%s\"", key);
                any = 1;
            }
        }
        if (!any && used < nwhy)
            snprintf(why + used, nwhy - used, " none");
        return NULL;
    }
    if (!strcmp(name, "target")) {
        xmlNodePtr tn = child(k, "target");
        if (tn && av(tn, "value"))
            return av(tn, "value");
    }
    if (!strcmp(name, "weight"))
        return NULL; /* the caller prints the sheet's weight */
    if (av(src, name))
        return av(src, name);
    int to_weight = !strcmp(name, "cap") || !strcmp(name, "base") ||
                    (!strcmp(name, "max") && r->type == SC_RULE_FREE);
    if (!strcmp(name, "min") && r->type == SC_RULE_FREE)
        return "0";
    if (to_weight)
        return NULL;
    snprintf(why, nwhy, "<param name=\"%s\"/>: KPI %s's rule (%s, scheme line %d) has no "
                        "%s=; print one of its numbers, or declare %s in the scheme",
             name, id, sc_rule_type_name(r->type), r->line, name, name);
    return NULL;
}

static void expand_params(const sc_scheme *s, const sc_rule *r, xmlNodePtr k, reporter *rp)
{
    static const char *const texts[] = {"rule", "target"};
    char why[400];
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
        xmlNodePtr e = child(k, texts[t]);
        xmlNodePtr next;
        for (xmlNodePtr p = e ? e->children : NULL; p; p = next) {
            next = p->next;
            if (!is(p, "param"))
                continue;
            why[0] = '\0';
            const char *v = param_value(s, r, k, p, why, sizeof why);
            char *weight = NULL;
            if (!v && !why[0]) /* the sheet's weight: cap, base, max default to it */
                v = weight = sc_xml_text(child(k, "weight"));
            if (!v) {
                report(rp, p, "name", "%s", why);
                continue;
            }
            xmlNodePtr txt = xmlNewDocText(k->doc, (const xmlChar *)v);
            free(weight);
            if (!txt || !xmlReplaceNode(p, txt)) {
                xmlFreeNode(txt);
                report(rp, p, NULL, "out of memory");
                continue;
            }
            xmlFreeNode(p);
        }
    }
}

/* ---- the ranking table (<ranking>) -------------------------------------------
 *
 * 连续3个月综合排名前三名 500 / 300 / 200 元 (seed 001): the basis is the
 * sum of the employee's totals over the scheme's months (the same as the
 * average, without a rounding); competition ranking, ties share a rank
 * and each receives its award.  Only an employee with a total in every
 * one of the months is ranked (连续: a month missing is no streak).  The
 * table is header data spanning employees; each record gets only its own
 * line (see sc_ranking in internal.h). */
struct sc_ranking {
    int months, n, line;
    char **ids;
    long long *scores; /* n x months, centi */
    long long *sum;    /* centi */
    int *rank;         /* 1.. */
};

static int cmp_desc(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

void sc_ranking_free(sc_ranking *rk)
{
    if (!rk)
        return;
    for (int i = 0; i < rk->n; i++)
        free(rk->ids[i]);
    free(rk->ids);
    free(rk->scores);
    free(rk->sum);
    free(rk->rank);
    free(rk);
}

sc_status sc_ranking_parse(sc_ranking **out, xmlNodePtr node, sc_score_report fn, void *ud)
{
    *out = NULL;
    reporter rp = {fn, ud, 0};
    int h;
    long long months = num_attr(&rp, node, "months", 0, &h);
    if (months < 1 || months > 24) {
        report(&rp, node, "months", "months must be 1 to 24");
        return SC_ERR_DATA;
    }
    int n = 0;
    for (xmlNodePtr e = first_elem(node); e; e = next_el(e))
        n += is(e, "entry");
    if (n > MAX_RANKED) {
        report(&rp, node, NULL, "a ranking holds at most %d entries", MAX_RANKED);
        return SC_ERR_DATA;
    }
    sc_ranking *rk = sc_calloc(1, sizeof *rk);
    if (!rk)
        return SC_ERR_NOMEM;
    rk->months = (int)months;
    rk->line = (int)xmlGetLineNo(node);
    size_t cnt = (size_t)(n ? n : 1);
    rk->ids = sc_calloc(cnt, sizeof *rk->ids);
    rk->scores = sc_calloc(cnt * (size_t)months, sizeof *rk->scores);
    rk->sum = sc_calloc(cnt, sizeof *rk->sum);
    rk->rank = sc_calloc(cnt, sizeof *rk->rank);
    long long *sorted = sc_calloc(cnt, sizeof *sorted);
    if (!rk->ids || !rk->scores || !rk->sum || !rk->rank || !sorted) {
        free(sorted);
        sc_ranking_free(rk);
        return SC_ERR_NOMEM;
    }
    for (xmlNodePtr e = first_elem(node); e; e = next_el(e)) {
        if (!is(e, "entry"))
            continue;
        const char *id = av(e, "id");
        for (int j = 0; j < rk->n; j++)
            if (id && !strcmp(rk->ids[j], id))
                report(&rp, e, "id", "employee %s is ranked twice", id);
        /* scores="96.5 95 91.82": oldest first, the last is this period's */
        const char *p = av(e, "scores");
        int k = 0;
        long long sum = 0;
        char tok[64];
        while (p && *p) {
            while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                p++;
            size_t len = strcspn(p, " \t\r\n");
            if (!len)
                break;
            long long v = 0;
            snprintf(tok, sizeof tok, "%.*s", (int)(len < 63 ? len : 63), p);
            if (k < months && sc_parse_fixed(tok, 2, &v))
                rk->scores[(size_t)rk->n * (size_t)months + (size_t)k] = v;
            sum += v;
            k++;
            p += len;
        }
        if (k != months)
            report(&rp, e, "scores", "employee %s has %d scores; the ranking is over %lld "
                                     "months (oldest first, the last is this period's)",
                   id ? id : "", k, months);
        rk->ids[rk->n] = sc_strdup(id ? id : "");
        if (!rk->ids[rk->n]) {
            free(sorted);
            sc_ranking_free(rk);
            return SC_ERR_NOMEM;
        }
        sorted[rk->n] = rk->sum[rk->n] = sum;
        rk->n++;
    }
    /* competition ranking: 1 + how many have a greater sum */
    qsort(sorted, (size_t)rk->n, sizeof *sorted, cmp_desc);
    for (int i = 0; i < rk->n; i++) {
        int lo = 0, hi = rk->n; /* first index whose sum is not greater */
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (sorted[mid] > rk->sum[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        rk->rank[i] = lo + 1;
    }
    free(sorted);
    if (rp.count) {
        sc_ranking_free(rk);
        return SC_ERR_DATA;
    }
    *out = rk;
    return SC_OK;
}

/* ---- scoring one employee, by phase ------------------------------------------- */

/* What the phases hand each other for one employee. */
typedef struct sheet {
    const sc_scheme *s;
    xmlNodePtr emp;
    reporter *rp;
    const char *period_kind; /* month | quarter | year */
    long long period_year, period_month;
    int rated;               /* the KPIs are rated by the raters (多方评分) */
    int complete;            /* every KPI and category has its score */
    long long kpi_sum, adj, comp, total;
    int have_comp;
    /* KPIs of an uplift by KPIs: their excess over the target (units) */
    int over_have[MAX_KPIS];
    long long over_excess[MAX_KPIS];
    xmlNodePtr over_node[MAX_KPIS];
} sheet;

static void set_units(xmlNodePtr n, const char *name, long long units)
{
    char b[48];
    sc_format_fixed(b, sizeof b, units, 4, 1);
    xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)b);
}

/* How a computed score came about, on the <kpi> and its <count>s, so the
 * sheet prints the inputs and the working next to the score (完成率
 * 109.67%，超过目标9个百分点，加18分；新增客户2家，加10分).  Counts and
 * points are written as magnitudes with the direction in the name
 * (steps-above / steps-below) or in @effect (add, deduct, reverse): a
 * template prints them as they are, without arithmetic. */
static void write_work(const sc_rule *r, xmlNodePtr k, const sc_rule_work *w)
{
    char b[48];
    if (w->has_completion) {
        sc_format_fixed(b, sizeof b, w->completion, 2, 0);
        xmlSetProp(k, (const xmlChar *)"completion", (const xmlChar *)b);
    }
    if (w->has_steps && w->steps) {
        snprintf(b, sizeof b, "%lld", w->steps > 0 ? w->steps : -w->steps);
        xmlSetProp(k, (const xmlChar *)(w->steps > 0 ? "steps-above" : "steps-below"),
                   (const xmlChar *)b);
        set_units(k, "step-points", w->step_points > 0 ? w->step_points : -w->step_points);
    }
    if (w->zeroed)
        xmlSetProp(k, (const xmlChar *)"zeroed", (const xmlChar *)"1");
    if (w->capped)
        xmlSetProp(k, (const xmlChar *)"capped", (const xmlChar *)"1");
    if (w->reversed)
        xmlSetProp(k, (const xmlChar *)"reversed", (const xmlChar *)"1");
    /* each count: what its occurrences did (4 deducted, 10 added, 倒扣 10) */
    static const char *const effects[] = {"deduct", "add", "reverse"};
    for (xmlNodePtr c = first_elem(child(k, "counts")); c; c = next_el(c)) {
        long long nn = 0;
        sc_parse_fixed(av(c, "n"), 0, &nn);
        for (int j = 0; j < r->nitems; j++) {
            const sc_rule_item *it = &r->items[j];
            if (!av(c, "kind") || strcmp(it->kind, av(c, "kind")))
                continue;
            set_units(c, "points", it->effect == SC_ITEM_REVERSE ? (nn > 0 ? it->points : 0)
                                                                  : nn * it->points);
            xmlSetProp(c, (const xmlChar *)"effect", (const xmlChar *)effects[it->effect]);
            xmlSetProp(c, (const xmlChar *)"unit",
                       (const xmlChar *)(it->unit ? it->unit : "次"));
        }
    }
}

/* Raw results of one KPI for its rule; kinds/counts point into the
 * caller's arrays. */
static void rule_input(reporter *rp, xmlNodePtr k, long long weight_centi, sc_rule_input *in,
                       const char **kinds, long long *counts)
{
    memset(in, 0, sizeof *in);
    xmlNodePtr tn = child(k, "target"), an = child(k, "actual");
    in->weight = weight_centi * 100;
    int hv;
    in->target = num_attr(rp, tn, "value", 4, &hv);
    in->has_target = hv;
    in->value = num_attr(rp, an, "value", 4, &hv);
    in->has_value = hv;
    in->level = av(an, "level");
    for (xmlNodePtr c = first_elem(child(k, "counts")); c && in->ncounts < MAX_ITEMS;
         c = next_el(c)) {
        kinds[in->ncounts] = av(c, "kind") ? av(c, "kind") : "";
        long long nn = 0;
        sc_parse_fixed(av(c, "n"), 0, &nn);
        counts[in->ncounts++] = nn;
    }
    in->kinds = kinds;
    in->counts = counts;
}

/* An uplift by KPIs needs each named KPI's excess over its target. */
static void note_excess(sheet *sh, const char *id, const sc_rule *r, const sc_rule_input *in,
                        xmlNodePtr k)
{
    const sc_bonus_rule *b = sh->s ? &sh->s->bonus : NULL;
    for (int i = 0; b && id && i < b->nover; i++) {
        if (!b->over[i] || strcmp(b->over[i], id))
            continue;
        long long t = in->has_target ? in->target : r ? r->target : 0;
        if (!in->has_value || (!in->has_target && !(r && r->has_target))) {
            report(sh->rp, k, NULL, "KPI %s raises the bonus (<bonus><over kpi>): it needs "
                                    "<actual value> and a target", id);
            continue;
        }
        long long e = r && r->lower_better ? t - in->value : in->value - t;
        sh->over_have[i] = 1;
        sh->over_excess[i] = e > 0 ? e : 0;
        sh->over_node[i] = k;
    }
}

/* A KPI whose raw result is the average of the sheet's month scores
 * (actual="month-average": a year sheet's 月度考核平均得分 from its 12
 * months): the sum of bonus/month/@score over the months that have one,
 * divided by their count and rounded once to 0.01, is the KPI's actual
 * value -- written when the data leaves it out (with the text, and the
 * count of months as kpi/@months), checked when the data gives it. */
static void month_average(sheet *sh, xmlNodePtr k)
{
    const char *id = av(k, "id") ? av(k, "id") : "";
    long long sum = 0, ms;
    int n = 0;
    for (xmlNodePtr c = child(child(sh->emp, "bonus"), "month"); c; c = next_el(c))
        if (is(c, "month") && sc_parse_fixed(av(c, "score"), 2, &ms)) {
            sum += ms;
            n++;
        }
    if (!n) {
        report(sh->rp, k, NULL, "KPI %s is the average of the months' scores "
                                "(actual=\"month-average\"), but the sheet has no <bonus> "
                                "<month score=\"…\">", id);
        return;
    }
    char a[48], b[48];
    long long avg = sc_div_round(sum, n);
    sc_format_fixed(a, sizeof a, avg, 2, 0);
    snprintf(b, sizeof b, "%d", n);
    xmlSetProp(k, (const xmlChar *)"months", (const xmlChar *)b);
    xmlNodePtr an = child(k, "actual");
    long long given;
    if (an && av(an, "value")) {
        if (sc_parse_fixed(av(an, "value"), 4, &given) && given != avg * 100) {
            sc_format_fixed(b, sizeof b, sum, 2, 0);
            report(sh->rp, an, "value", "actual %s differs from the average of the %d "
                                        "months' scores, %s (%s / %d, rounded once); correct "
                                        "the months or leave the value out to have it "
                                        "computed", av(an, "value"), n, a, b, n);
        }
        return;
    }
    if (!an && !(an = xmlNewChild(k, NULL, (const xmlChar *)"actual", NULL))) {
        report(sh->rp, k, NULL, "out of memory");
        return;
    }
    xmlSetProp(an, (const xmlChar *)"value", (const xmlChar *)a);
    char *text = sc_xml_text(an);
    if (!text || !text[0])
        xmlNodeAddContent(an, (const xmlChar *)a);
    free(text);
}

/* One KPI: its score (given, or computed by its rule and then compared
 * with a given one).  1 if it has a score, in *score. */
static int score_kpi(sheet *sh, xmlNodePtr k, long long wc, long long *score)
{
    reporter *rp = sh->rp;
    const sc_scheme *s = sh->s;
    char a[48], b[48], why[400];
    const char *id = av(k, "id");
    xmlNodePtr wn = child(k, "weight"), sn = child(k, "score"), an = child(k, "actual");
    const sc_rule *r = sc_scheme_rule(s, id);
    if (r)
        attach_rule(s, r, k, rp);
    if (r && r->has_weight && r->weight != wc * 100) {
        sc_format_fixed(a, sizeof a, wc, 2, 1);
        sc_format_fixed(b, sizeof b, r->weight, 4, 1);
        report(rp, wn ? wn : k, NULL, "weight %s differs from the scheme's %s for KPI %s", a,
               b, id);
    }
    if (r && r->month_average)
        month_average(sh, k);
    const char *kinds[MAX_ITEMS];
    long long counts[MAX_ITEMS];
    sc_rule_input in;
    rule_input(rp, k, wc, &in, kinds, counts);
    note_excess(sh, id, r, &in, k);
    long long given = 0;
    int g = given_centi(sn, &given);
    int have = g == 1;
    *score = have ? given : 0;
    if (r && r->type != SC_RULE_GIVEN) {
        char *atext = sc_xml_text(an);
        in.has_reason = atext && atext[0];
        long long computed = 0;
        sc_rule_work work;
        sc_status st = sc_rule_score_work(r, &in, &computed, &work, why, sizeof why);
        if (st != SC_OK) {
            report(rp, an ? an : k, NULL, "KPI %s (rule %s): %s", id ? id : "",
                   sc_rule_type_name(r->type), why);
            have = 0;
        } else if (g == 1 && given != computed) {
            fmt_centi(a, sizeof a, given);
            fmt_centi(b, sizeof b, computed);
            report(rp, sn, NULL, "score %s differs from the computed %s (KPI %s, rule %s, "
                                 "scheme line %d); correct the raw results or the score, or "
                                 "leave <score> empty to have it computed", a, b,
                   id ? id : "", sc_rule_type_name(r->type), r->line);
        } else {
            *score = computed;
            have = 1;
            write_work(r, k, &work);
            if (g != 1) {
                fmt_centi(a, sizeof a, computed);
                if (!set_child_text(k, sn, "score", a))
                    report(rp, k, NULL, "out of memory");
            }
        }
        /* a chosen level shows its description when the data has none */
        if (st == SC_OK && r->type == SC_RULE_CHOICE && an && !in.has_reason)
            for (int j = 0; j < r->nlevels; j++)
                if (!strcmp(r->levels[j].id, in.level))
                    xmlNodeAddContent(an, (const xmlChar *)r->levels[j].text);
        free(atext);
    }
    if (!have && g == 0 && wc == 0 && (!r || r->type == SC_RULE_GIVEN))
        have = 1; /* a 0-weight row left empty (其它: 加扣分 go to adjustments) */
    if (!have && g == 0 && (!r || r->type == SC_RULE_GIVEN))
        unscored(rp, s, k, id, wc, r);
    return have;
}

/* A KPI rated by the raters (多方评分) has no rule and no score of its
 * own: the raters' figures are computed from the ratings. */
static void check_rated_kpi(sheet *sh, xmlNodePtr k)
{
    const char *id = av(k, "id");
    const sc_rule *r = sc_scheme_rule(sh->s, id);
    if (!child(k, "ratings"))
        report(sh->rp, k, NULL, "KPI %s has no <ratings> but other KPIs of this sheet have: "
                                "either every KPI is rated by the raters or none",
               id ? id : "");
    if (r && r->type != SC_RULE_GIVEN)
        report(sh->rp, k, NULL, "KPI %s is rated by the raters; its rule (%s, scheme line %d) "
                                "would score it a second way: remove one of them",
               id ? id : "", sc_rule_type_name(r->type), r->line);
    if (child(k, "score"))
        report(sh->rp, child(k, "score"), NULL, "KPI %s is rated by the raters and has no "
                                                "score of its own: remove <score>",
               id ? id : "");
}

/* Phase 1: every KPI, category subtotals, the KPI sum. */
static void score_kpis(sheet *sh)
{
    char a[48], b[48];
    const sc_scheme *s = sh->s;
    const char *ids[MAX_KPIS];
    int nids = 0;
    xmlNodePtr kpis = child(sh->emp, "kpis");
    for (xmlNodePtr cat = child(kpis, "category"); cat; cat = next_el(cat))
        for (xmlNodePtr k = first_elem(cat); k; k = next_el(k))
            if (is(k, "kpi") && child(k, "ratings"))
                sh->rated = 1;
    for (xmlNodePtr cat = child(kpis, "category"); cat; cat = next_el(cat)) {
        if (!is(cat, "category"))
            continue;
        long long sub = 0, catw = 0;
        int cat_complete = 1;
        for (xmlNodePtr k = first_elem(cat); k; k = next_el(k)) {
            if (!is(k, "kpi"))
                continue;
            const char *id = av(k, "id");
            expand_params(s, sc_scheme_rule(s, id), k, sh->rp);
            for (int j = 0; id && j < nids; j++)
                if (!strcmp(ids[j], id))
                    report(sh->rp, k, "id", "KPI id %s appears twice in this sheet; the "
                                            "scheme matches rules by id", id);
            if (id && nids < MAX_KPIS)
                ids[nids++] = id;
            long long wc = 0, score = 0;
            given_centi(child(k, "weight"), &wc); /* data.c has checked it */
            catw += wc;
            if (sh->rated) {
                check_rated_kpi(sh, k);
                continue;
            }
            if (score_kpi(sh, k, wc, &score)) {
                sub += score;
                fmt_centi(a, sizeof a, score);
                xmlSetProp(k, (const xmlChar *)"computed-score", (const xmlChar *)a);
            } else {
                cat_complete = 0;
            }
        }
        /* the scheme's category weight, if declared */
        const char *cname = av(cat, "name");
        for (int j = 0; s && cname && j < s->ncats; j++)
            if (!strcmp(s->cats[j].name, cname) && s->cats[j].weight != catw) {
                sc_format_fixed(a, sizeof a, catw, 2, 1);
                sc_format_fixed(b, sizeof b, s->cats[j].weight, 2, 1);
                report(sh->rp, cat, "weight", "category %s weighs %s here but %s in the "
                                              "scheme", cname, a, b);
            }
        if (sh->rated)
            continue;
        if (cat_complete) {
            fmt_centi(a, sizeof a, sub);
            xmlSetProp(cat, (const xmlChar *)"subtotal", (const xmlChar *)a);
            sh->kpi_sum += sub;
        } else {
            sh->complete = 0;
        }
    }
}

/* Phase 2: adjustments (free points with a reason), within the scheme's
 * range. */
static void score_adjustments(sheet *sh)
{
    const sc_scheme *s = sh->s;
    xmlNodePtr adjs = child(sh->emp, "adjustments");
    for (xmlNodePtr j = first_elem(adjs); j; j = next_el(j)) {
        long long p = 0;
        if (sc_parse_fixed(av(j, "points"), 2, &p))
            sh->adj += p;
    }
    if (s && adjs && ((s->has_adj_min && sh->adj < s->adj_min) ||
                      (s->has_adj_max && sh->adj > s->adj_max))) {
        char a[48], lo[32], hi[32];
        fmt_centi(a, sizeof a, sh->adj);
        fmt_centi(lo, sizeof lo, s->adj_min);
        fmt_centi(hi, sizeof hi, s->adj_max);
        report(sh->rp, adjs, NULL, "the adjustments sum to %s, outside the scheme's %s to %s",
               a, s->has_adj_min ? lo : "-", s->has_adj_max ? hi : "+");
    }
}

/* A rater's 百分制 figure from the ratings of a rated sheet: Σ KPI weight x
 * rating / 100, rounded once (95×25% + 92×20% + … = 93.35).  0 with a
 * problem reported if a KPI lacks this rater's rating. */
static int rater_from_ratings(sheet *sh, xmlNodePtr q, const char *role, long long *out)
{
    i128 acc = 0;
    int ok = 1;
    xmlNodePtr kpis = child(sh->emp, "kpis");
    for (xmlNodePtr cat = child(kpis, "category"); cat; cat = next_el(cat))
        for (xmlNodePtr k = first_elem(cat); k; k = next_el(k)) {
            if (!is(k, "kpi"))
                continue;
            long long wc = 0, sc = 0;
            given_centi(child(k, "weight"), &wc);
            int found = 0;
            for (xmlNodePtr g = first_elem(child(k, "ratings")); g; g = next_el(g)) {
                const char *gr = av(g, "role");
                if (!gr || strcmp(gr, role))
                    continue;
                if (found++)
                    report(sh->rp, g, "role", "KPI %s has two ratings by %s", av(k, "id"),
                           role);
                else if (sc_parse_fixed(av(g, "score"), 2, &sc))
                    acc += (i128)wc * sc;
            }
            if (!found && child(k, "ratings")) {
                report(sh->rp, child(k, "ratings"), NULL, "KPI %s has no rating by %s (every "
                                                          "rater rates every KPI)",
                       av(k, "id") ? av(k, "id") : "", role);
                ok = 0;
            }
        }
    (void)q;
    *out = (long long)rdiv128(acc, 10000);
    return ok;
}

/* Phase 3: raters.  Each rater's figure (given, or from the ratings), its
 * weighted part w x score / 100 rounded once, and the composite = Σ the
 * weighted parts: the sum of what the sheet prints. */
static void score_raters(sheet *sh)
{
    const sc_scheme *s = sh->s;
    char a[48], b[48];
    xmlNodePtr raters = child(sh->emp, "raters");
    if (sh->rated && !raters) {
        report(sh->rp, child(sh->emp, "kpis"), NULL, "the KPIs carry <ratings>: the sheet "
                                                     "needs <raters> with their weights");
        sh->complete = 0;
        return;
    }
    if (!raters)
        return;
    long long comp = 0;
    int all = 1;
    for (xmlNodePtr q = first_elem(raters); q; q = next_el(q)) {
        long long w = 0, sc = 0;
        const char *role = av(q, "role");
        sc_parse_fixed(av(q, "weight"), 2, &w);
        int have = sc_parse_fixed(av(q, "score"), 2, &sc);
        if (sh->rated) {
            long long computed = 0;
            if (!rater_from_ratings(sh, q, role ? role : "", &computed)) {
                all = 0;
            } else if (have && computed != sc) {
                fmt_centi(b, sizeof b, computed);
                report(sh->rp, q, "score", "rater %s's score %s differs from the %s computed "
                                           "from the ratings; leave score= out to have it "
                                           "computed", role ? role : "", av(q, "score"), b);
            } else {
                sc = computed;
                have = 1;
                fmt_centi(a, sizeof a, sc);
                xmlSetProp(q, (const xmlChar *)"score", (const xmlChar *)a);
            }
        }
        if (have) {
            long long part = (long long)rdiv128((i128)w * sc, 10000);
            fmt_centi(a, sizeof a, part);
            xmlSetProp(q, (const xmlChar *)"weighted", (const xmlChar *)a);
            comp += part;
        } else {
            all = 0;
        }
        if (s && s->nraters) {
            int found = 0;
            for (int j = 0; j < s->nraters; j++)
                if (role && !strcmp(s->raters[j].role, role)) {
                    found = 1;
                    if (s->raters[j].weight != w) {
                        fmt_centi(a, sizeof a, w);
                        fmt_centi(b, sizeof b, s->raters[j].weight);
                        report(sh->rp, q, "weight", "rater %s weighs %s here but %s in the "
                                                    "scheme", role, a, b);
                    }
                }
            if (!found)
                report(sh->rp, q, "role", "rater role %s is not in the scheme",
                       role ? role : "");
        }
    }
    /* every rating must be by one of the raters */
    for (xmlNodePtr cat = child(child(sh->emp, "kpis"), "category"); sh->rated && cat;
         cat = next_el(cat))
        for (xmlNodePtr k = first_elem(cat); k; k = next_el(k))
            for (xmlNodePtr g = first_elem(child(k, "ratings")); g; g = next_el(g)) {
                const char *gr = av(g, "role");
                int found = 0;
                for (xmlNodePtr q = first_elem(raters); q && !found; q = next_el(q))
                    found = gr && av(q, "role") && !strcmp(av(q, "role"), gr);
                if (!found)
                    report(sh->rp, g, "role", "rating by %s, who is not one of the "
                                              "<raters>", gr ? gr : "");
            }
    if (all) {
        sh->comp = comp;
        sh->have_comp = 1;
        fmt_centi(a, sizeof a, comp);
        xmlSetProp(raters, (const xmlChar *)"composite", (const xmlChar *)a);
    }
}

/* Phase 4: the total and the grade.  A rated sheet's total is the raters'
 * composite; otherwise KPI sum x (100 - share)% + composite x share%;
 * plus the adjustments. */
static void score_total(sheet *sh, xmlNodePtr result, sc_score_summary *sum)
{
    char a[48], b[48];
    const sc_scheme *s = sh->s;
    long long share = s ? s->rater_share : 0;
    if (sh->rated) {
        if (!sh->have_comp)
            return;
        sh->total = sh->comp + sh->adj;
    } else {
        if (share > 0 && !sh->have_comp)
            sh->complete = 0;
        if (!sh->complete)
            return;
        fmt_centi(a, sizeof a, sh->kpi_sum);
        xmlSetProp(result, (const xmlChar *)"kpi-sum", (const xmlChar *)a);
        sh->total = (long long)rdiv128((i128)sh->kpi_sum * (10000 - share) +
                                           (i128)sh->comp * share, 10000) + sh->adj;
    }
    sum->have_total = 1;
    sum->total_centi = sh->total;
    fmt_centi(a, sizeof a, sh->total);
    xmlSetProp(result, (const xmlChar *)"total", (const xmlChar *)a);
    xmlNodePtr tn = child(sh->emp, "total");
    long long given;
    if (given_centi(tn, &given) == 1) {
        if (given != sh->total) {
            fmt_centi(b, sizeof b, given);
            report(sh->rp, tn, NULL, "total %s differs from the computed %s (%s + "
                                     "adjustments); correct it or leave <total> out to have "
                                     "it computed", b, a,
                   sh->rated ? "raters" : share ? "KPI scores + raters" : "KPI scores");
        }
    } else {
        set_child_text(sh->emp, tn, "total", a);
    }

    const char *grade = sc_scheme_grade(s, sh->total);
    if (grade) {
        snprintf(sum->grade, sizeof sum->grade, "%s", grade);
        xmlSetProp(result, (const xmlChar *)"grade", (const xmlChar *)grade);
        xmlNodePtr gn = child(sh->emp, "grade");
        char *gt = sc_xml_text(gn);
        if (gt && gt[0] && strcmp(gt, grade))
            report(sh->rp, gn, NULL, "grade %s differs from the computed %s for the total %s",
                   gt, grade, a);
        else if (!gt || !gt[0])
            set_child_text(sh->emp, gn, "grade", grade);
        free(gt);
    } else {
        char *gt = sc_xml_text(child(sh->emp, "grade"));
        snprintf(sum->grade, sizeof sum->grade, "%s", gt ? gt : "");
        free(gt);
    }
}

/* The period's amount by the scheme's bonus rule; SC_END: none. */
static sc_status period_amount(sheet *sh, xmlNodePtr bn, long long base, long long *amt)
{
    static const sc_bonus_rule defb = {.type = SC_BONUS_PROPORTIONAL,
                                       .threshold = 100 * SC_UNIT, .per = SC_UNIT};
    const sc_bonus_rule *br = sh->s ? &sh->s->bonus : &defb;
    if (br->type != SC_BONUS_UPLIFT || !br->nover)
        return sc_bonus_compute(br, base, sh->total, amt);
    /* uplift by KPIs: Σ each KPI's steps of `per` above its target */
    long long per = br->per > 0 ? br->per : SC_UNIT;
    i128 sn = 0;
    long long sd = br->count == SC_COUNT_LINEAR ? per : 1;
    for (int i = 0; i < br->nover; i++) {
        if (!sh->over_have[i]) {
            report(sh->rp, bn, NULL, "the bonus rises with KPI %s, which this sheet does not "
                                     "have (with <actual value>)", br->over[i]);
            return SC_ERR_DATA;
        }
        i128 kn, kd; /* kd is sd: per (linear) or 1 */
        steps_of(sh->over_excess[i], 1, per, br->count, &kn, &kd);
        sn += kn;
        set_units(sh->over_node[i], "excess", sh->over_excess[i]);
    }
    long long rise_bp = 0;
    sc_status st = sc_bonus_compute_steps(br, base, sh->total, (long long)sn, sd, amt,
                                          &rise_bp);
    if (st == SC_OK) {
        char a[48];
        sc_format_fixed(a, sizeof a, rise_bp, 2, 1);
        xmlSetProp(bn, (const xmlChar *)"uplift", (const xmlChar *)a);
    }
    return st;
}

/* Phase 5: the bonus.  A month or quarter sheet: the period's amount (and
 * the period's column of a 12-month row).  A year sheet: 全年奖金, the sum
 * of the months; there is no "amount" of a year other than that sum. */
static void score_bonus(sheet *sh, xmlNodePtr result, sc_score_summary *sum)
{
    char a[48], b[48];
    xmlNodePtr bn = child(sh->emp, "bonus");
    long long base = 0;
    if (!bn || !sc_parse_fixed(av(bn, "base"), 2, &base) || !sum->have_total)
        return;
    int year_sheet = sh->period_kind && !strcmp(sh->period_kind, "year");
    long long amt = 0;
    int have_amt = 0;
    if (!year_sheet && period_amount(sh, bn, base, &amt) == SC_OK) {
        have_amt = 1;
        sum->have_bonus = 1;
        sum->bonus_fen = amt;
        fmt_fen(a, sizeof a, amt);
        xmlSetProp(result, (const xmlChar *)"bonus", (const xmlChar *)a);
        long long ga;
        const char *gs = av(bn, "amount");
        if (gs && sc_parse_fixed(gs, 2, &ga)) {
            if (ga != amt) {
                fmt_fen(b, sizeof b, ga);
                char ts[48];
                fmt_centi(ts, sizeof ts, sh->total);
                report(sh->rp, bn, "amount", "amount %s differs from the computed %s (base "
                                             "%s, total %s)", b, a, av(bn, "base"), ts);
            }
        } else {
            xmlSetProp(bn, (const xmlChar *)"amount", (const xmlChar *)a);
        }
    }
    /* a 12-month row: the period's month gets this sheet's score and amount */
    int pm = sh->period_kind && !strcmp(sh->period_kind, "month") ? (int)sh->period_month : 0;
    if (have_amt && pm >= 1 && pm <= 12 && child(bn, "month")) {
        xmlNodePtr m = NULL;
        for (xmlNodePtr c = child(bn, "month"); c; c = next_el(c)) {
            long long nn = 0;
            if (is(c, "month") && sc_parse_fixed(av(c, "n"), 0, &nn) && nn == pm)
                m = c;
        }
        char ts[48];
        fmt_centi(ts, sizeof ts, sh->total);
        if (!m) {
            m = xmlNewChild(bn, NULL, (const xmlChar *)"month", NULL);
            snprintf(b, sizeof b, "%d", pm);
            if (m)
                xmlSetProp(m, (const xmlChar *)"n", (const xmlChar *)b);
        }
        if (m) {
            long long ms, ma;
            const char *msv = av(m, "score"), *mav = av(m, "amount");
            if (msv && sc_parse_fixed(msv, 2, &ms)) {
                if (ms != sh->total)
                    report(sh->rp, m, "score", "month %d score %s differs from this period's "
                                               "computed total %s", pm, msv, ts);
            } else {
                xmlSetProp(m, (const xmlChar *)"score", (const xmlChar *)ts);
            }
            if (mav && sc_parse_fixed(mav, 2, &ma)) {
                if (ma != amt)
                    report(sh->rp, m, "amount", "month %d amount %s differs from the "
                                                "computed %s", pm, mav, a);
            } else {
                xmlSetProp(m, (const xmlChar *)"amount", (const xmlChar *)a);
            }
        }
    }
    /* the months' sum (other months: as given, or base x score / 100) */
    long long year = 0;
    int any = 0;
    for (xmlNodePtr c = child(bn, "month"); c; c = next_el(c)) {
        long long ma, ms;
        if (!is(c, "month"))
            continue;
        if (sc_parse_fixed(av(c, "amount"), 2, &ma)) {
            year += ma;
            any = 1;
        } else if (sc_parse_fixed(av(c, "score"), 2, &ms)) {
            ma = sc_bonus_proportional(base, ms);
            fmt_fen(b, sizeof b, ma);
            xmlSetProp(c, (const xmlChar *)"amount", (const xmlChar *)b);
            year += ma;
            any = 1;
        }
    }
    if (!any)
        return;
    fmt_fen(b, sizeof b, year);
    xmlSetProp(result, (const xmlChar *)"year-bonus", (const xmlChar *)b);
    xmlSetProp(bn, (const xmlChar *)"year-total", (const xmlChar *)b);
    if (year_sheet) {
        sum->have_bonus = 1;
        sum->bonus_fen = year;
        long long ga;
        const char *gs = av(bn, "amount");
        if (gs && sc_parse_fixed(gs, 2, &ga) && ga != year)
            report(sh->rp, bn, "amount", "amount %s differs from the year's 全年奖金 %s (the "
                                         "sum of the months); on a year sheet the amount is "
                                         "that sum: correct it or leave it out", gs, b);
    }
}

/* Phase 6: fixed awards the data reports (创新奖: 流程优化建议被采纳 n 次 x
 * the scheme's amount).  result/@awards is their sum. */
static void score_awards(sheet *sh, xmlNodePtr result)
{
    xmlNodePtr aw = child(sh->emp, "awards");
    if (!aw)
        return;
    long long total = 0;
    for (xmlNodePtr a = first_elem(aw); a; a = next_el(a)) {
        const char *id = av(a, "id");
        int j = 0;
        while (sh->s && j < sh->s->nawards && (!id || strcmp(sh->s->awards[j].id, id)))
            j++;
        if (!sh->s || j == sh->s->nawards) {
            report(sh->rp, a, "id", "award \"%s\" is not one of the scheme's <awards>",
                   id ? id : "");
            continue;
        }
        long long nn = 0;
        sc_parse_fixed(av(a, "n"), 0, &nn);
        long long fen = nn * sh->s->awards[j].fen;
        set_fen(a, "amount", fen);
        if (sh->s->awards[j].name)
            xmlSetProp(a, (const xmlChar *)"name", (const xmlChar *)sh->s->awards[j].name);
        set_fen(a, "each", sh->s->awards[j].fen);
        total += fen;
    }
    set_fen(result, "awards", total);
}

/* Phase 7: the ranking award.  The record gets its own line of the
 * ranking: the months' totals, their sum, the rank among those ranked and
 * the award; this period's total must be the one the ranking used. */
static void score_ranking(sheet *sh, const sc_ranking *rk, xmlNodePtr result,
                          const sc_score_summary *sum)
{
    const sc_scheme *s = sh->s;
    if (!rk || !s || !s->rank_months)
        return;
    char b[48];
    if (rk->months != s->rank_months) {
        report(sh->rp, sh->emp, NULL, "the batch's <ranking> (line %d) is over %d months, the "
                                      "scheme's <rank-award> over %d", rk->line, rk->months,
               s->rank_months);
        return;
    }
    const char *id = av(sh->emp, "id");
    int i = 0;
    while (id && i < rk->n && strcmp(rk->ids[i], id))
        i++;
    xmlNodePtr node = xmlNewChild(sh->emp, NULL, (const xmlChar *)"ranking", NULL);
    if (!node) {
        report(sh->rp, sh->emp, NULL, "out of memory");
        return;
    }
    snprintf(b, sizeof b, "%d", rk->months);
    xmlSetProp(node, (const xmlChar *)"months", (const xmlChar *)b);
    snprintf(b, sizeof b, "%d", rk->n);
    xmlSetProp(node, (const xmlChar *)"ranked", (const xmlChar *)b);
    if (!id || i == rk->n)
        return; /* not ranked: no total in every month */
    const long long *sc = &rk->scores[(size_t)i * (size_t)rk->months];
    if (sum->have_total && sc[rk->months - 1] != sum->total_centi) {
        char g[48], t[48];
        fmt_centi(g, sizeof g, sc[rk->months - 1]);
        fmt_centi(t, sizeof t, sum->total_centi);
        report(sh->rp, sh->emp, "id", "the ranking (data line %d) gives %s %s for this period, "
                                      "but the computed total is %s: rank with the final "
                                      "totals", rk->line, id, g, t);
        return;
    }
    /* months oldest first, ending with the batch period's */
    long long ym = sh->period_year * 12 + (sh->period_month ? sh->period_month - 1 : 0);
    for (int k = 0; k < rk->months; k++) {
        xmlNodePtr m = xmlNewChild(node, NULL, (const xmlChar *)"month", NULL);
        if (!m)
            break;
        long long at = ym - (rk->months - 1 - k);
        snprintf(b, sizeof b, "%lld", at / 12);
        xmlSetProp(m, (const xmlChar *)"year", (const xmlChar *)b);
        snprintf(b, sizeof b, "%lld", at % 12 + 1);
        xmlSetProp(m, (const xmlChar *)"n", (const xmlChar *)b);
        fmt_centi(b, sizeof b, sc[k]);
        xmlSetProp(m, (const xmlChar *)"score", (const xmlChar *)b);
    }
    fmt_centi(b, sizeof b, rk->sum[i]);
    xmlSetProp(node, (const xmlChar *)"sum", (const xmlChar *)b);
    snprintf(b, sizeof b, "%d", rk->rank[i]);
    xmlSetProp(node, (const xmlChar *)"rank", (const xmlChar *)b);
    long long award = rk->rank[i] <= s->nrank_awards ? s->rank_award[rk->rank[i] - 1] : 0;
    set_fen(node, "award", award);
    set_fen(result, "rank-award", award);
}

int sc_score_employee(const sc_scheme *s, xmlNodePtr emp, const sc_ranking *rk,
                      sc_score_report fn, void *ud, sc_score_summary *sum)
{
    reporter rp = {fn, ud, 0};
    memset(sum, 0, sizeof *sum);
    sheet sh;
    memset(&sh, 0, sizeof sh);
    sh.s = s;
    sh.emp = emp;
    sh.rp = &rp;
    sh.complete = 1;
    xmlNodePtr period = emp->parent ? child(emp->parent, "period") : NULL;
    sh.period_kind = av(period, "kind");
    sc_parse_fixed(av(period, "year"), 0, &sh.period_year);
    sc_parse_fixed(av(period, "month"), 0, &sh.period_month);
    attach_scheme(s, emp, &rp);

    score_kpis(&sh);
    score_adjustments(&sh);
    score_raters(&sh);

    xmlNodePtr result = xmlNewChild(emp, NULL, (const xmlChar *)"result", NULL);
    if (!result) {
        report(&rp, emp, NULL, "out of memory");
        return rp.count;
    }
    char a[48];
    fmt_centi(a, sizeof a, sh.adj);
    xmlSetProp(result, (const xmlChar *)"adjustments", (const xmlChar *)a);
    if (sh.have_comp) {
        fmt_centi(a, sizeof a, sh.comp);
        xmlSetProp(result, (const xmlChar *)"raters", (const xmlChar *)a);
    }
    score_total(&sh, result, sum);
    if (!sum->have_total)
        return rp.count;
    score_bonus(&sh, result, sum);
    score_awards(&sh, result);
    score_ranking(&sh, rk, result, sum);
    /* 大客户部 季度奖金 statement */
    score_quarters(s, emp, 1, sh.total, &rp, sum);
    return rp.count;
}

/* ---- names of what the engine computes ------------------------------------------
 *
 * Every figure above is rounded once from exact inputs.  A template that
 * adds, scales or averages them prints a number the engine never computed
 * (93.33 = 14.00 x 100 / 15 where the rater's own figure is 93.35), so
 * template.c refuses arithmetic in a printed expression that names one of
 * these; the engine writes the figure the sheet needs instead. */
int sc_score_computed_name(const char *name, size_t n, int attribute)
{
    static const char *const elems[] = {"score", "total", "grade", "result", "ranking"};
    static const char *const attrs[] = {
        "computed-score", "subtotal", "composite", "weighted", "score", "amount",
        "year-total", "uplift", "excess", "completion", "steps-above", "steps-below", "step-points", "points",
        "counted", "carry-in", "covered", "made-up", "bonus-base", "own-bonus",
        "made-up-bonus", "accrued", "coefficient", "factor", "withheld", "owed", "carry",
        "accrued-total", "amount-total", "withheld-total", "sum", "rank", "award", "each",
        "kpi-sum", "adjustments", "raters", "total", "bonus", "year-bonus", "quarter-bonus",
        "quarters-bonus", "awards", "rank-award"};
    const char *const *list = attribute ? attrs : elems;
    size_t count = attribute ? sizeof attrs / sizeof *attrs : sizeof elems / sizeof *elems;
    for (size_t i = 0; i < count; i++)
        if (strlen(list[i]) == n && !strncmp(list[i], name, n))
            return 1;
    return 0;
}
