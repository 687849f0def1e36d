/* plan_out.c - a learner's plan as JSON and as an SVG timeline (planner.h):
 * what each credential teaches and why it was chosen, coverage, the focus
 * score, the calendar, and the frameworks' attribution.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <math.h>
#include <stdio.h>

#include "skills/planner.h"

static const char *need_name(enum mc_need n)
{
    static const char *const names[] = { "essential", "optional", "technology", "mentioned" };

    return (unsigned)n < 4 ? names[n] : "?";
}

static bool add_str(cJSON *o, const char *k, const char *v)
{
    return v ? cJSON_AddStringToObject(o, k, v) != NULL : cJSON_AddNullToObject(o, k) != NULL;
}

static cJSON *skill_json(const struct mc_learner_plan *lp, uint32_t need)
{
    const struct mc_target_skill *s = &lp->target.v[lp->need_skill[need]];
    cJSON *o = cJSON_CreateObject();

    if (!o)
        return NULL;
    add_str(o, "uri", s->uri);
    add_str(o, "label", s->label);
    add_str(o, "need", need_name(s->need));
    cJSON_AddNumberToObject(o, "weight", s->weight);
    cJSON_AddBoolToObject(o, "required", lp->need[need].required);
    return o;
}

/* "teaches 3 required skills (a, b, c); prerequisite of X" */
static void why(const struct mc_learner_plan *lp, const struct mc_plan_step *st, char *out,
                size_t cap)
{
    const struct mc_catalog *c = lp->catalog;
    size_t i, req = 0, opt = 0, shown = 0;

    out[0] = '\0';
    for (i = 0; i < st->ncovers; i++) {
        if (lp->need[st->covers[i]].required)
            req++;
        else
            opt++;
    }
    if (req) {
        char head[64];

        snprintf(head, sizeof(head), "teaches %zu required skill%s (", req, req == 1 ? "" : "s");
        mc_strlcat(out, head, cap);
        for (i = 0; i < st->ncovers && shown < 5; i++) {
            const struct mc_target_skill *s = &lp->target.v[lp->need_skill[st->covers[i]]];

            if (!lp->need[st->covers[i]].required)
                continue;
            mc_strlcat(out, shown++ ? ", " : "", cap);
            mc_strlcat(out, s->label ? s->label : s->uri, cap);
        }
        mc_strlcat(out, req > shown ? ", ...)" : ")", cap);
    }
    if (opt) {
        char more[64];

        snprintf(more, sizeof(more), "%s%zu optional skill%s", req ? " and " : "teaches ", opt,
                 opt == 1 ? "" : "s");
        mc_strlcat(out, more, cap);
    }
    for (i = 0; i < st->nprereq_of; i++) {
        const struct mc_catalog_item *it = &c->v[lp->plan.v[st->prereq_of[i]].item];

        mc_strlcat(out, out[0] ? (i ? ", " : "; prerequisite of ") : "prerequisite of ", cap);
        mc_strlcat(out, it->name, cap);
    }
}

static cJSON *step_json(const struct mc_learner_plan *lp, size_t k)
{
    const struct mc_plan_step *st = &lp->plan.v[k];
    const struct mc_catalog_item *it = &lp->catalog->v[st->item];
    cJSON *o = cJSON_CreateObject(), *arr;
    char d[11], text[1024];
    size_t i;

    if (!o)
        return NULL;
    add_str(o, "achievement", it->uri);
    add_str(o, "name", it->name);
    add_str(o, "issuer", it->issuer);
    cJSON_AddBoolToObject(o, "local", it->local);
    cJSON_AddNumberToObject(o, "hours", it->hours);
    cJSON_AddNumberToObject(o, "cost", it->cost);
    cJSON_AddNumberToObject(o, "level", it->level);
    mc_plan_day_str(st->start_day, d);
    add_str(o, "start", d);
    mc_plan_day_str(st->end_day, d);
    add_str(o, "end", d);
    arr = cJSON_AddArrayToObject(o, "prerequisites");
    for (i = 0; arr && i < it->nprereq; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(it->prereq_uri[i]));
    arr = cJSON_AddArrayToObject(o, "prerequisiteOf");
    for (i = 0; arr && i < st->nprereq_of; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(
                                      lp->catalog->v[lp->plan.v[st->prereq_of[i]].item].uri));
    arr = cJSON_AddArrayToObject(o, "covers");
    for (i = 0; arr && i < st->ncovers; i++)
        cJSON_AddItemToArray(arr, skill_json(lp, st->covers[i]));
    why(lp, st, text, sizeof(text));
    add_str(o, "why", text);
    return o;
}

static void add_target(const struct mc_learner_plan *lp, cJSON *o)
{
    cJSON *t = cJSON_AddObjectToObject(o, "target");

    if (!t)
        return;
    if (lp->target.uri) {
        add_str(t, "occupation", lp->target.uri);
        add_str(t, "label", lp->target.label);
        add_str(t, "framework", lp->target.framework);
    } else {
        cJSON_AddBoolToObject(t, "job", 1);
    }
    cJSON_AddNumberToObject(t, "skills", (double)lp->target.n);
}

static void add_coverage(const struct mc_learner_plan *lp, cJSON *o)
{
    const struct mc_plan *p = &lp->plan;
    cJSON *c = cJSON_AddObjectToObject(o, "coverage"), *g = cJSON_AddObjectToObject(o, "gap");

    if (c) {
        cJSON_AddNumberToObject(c, "required", (double)p->required);
        cJSON_AddNumberToObject(c, "coverable", (double)p->coverable);
        cJSON_AddNumberToObject(c, "covered", (double)p->covered);
        cJSON_AddNumberToObject(c, "requiredWeight", p->required_w);
        cJSON_AddNumberToObject(c, "coverableWeight", p->coverable_w);
        cJSON_AddNumberToObject(c, "coveredWeight", p->covered_w);
        cJSON_AddNumberToObject(c, "optionalCovered", (double)p->optional_covered);
    }
    if (g) {
        cJSON_AddNumberToObject(g, "totalWeight", lp->gap.total);
        cJSON_AddNumberToObject(g, "heldWeight", lp->gap.covered);
        cJSON_AddNumberToObject(g, "missing", (double)lp->gap.missing);
        cJSON_AddNumberToObject(g, "held", (double)(lp->gap.n - lp->gap.missing));
        /* after the plan: held weight plus what the plan covers */
        cJSON_AddNumberToObject(g, "coverageBefore",
                                lp->gap.total > 0 ? lp->gap.covered / lp->gap.total : 0);
    }
}

static void add_focus(const struct mc_learner_plan *lp, cJSON *o)
{
    cJSON *f = cJSON_AddObjectToObject(o, "focus");

    if (!f)
        return;
    cJSON_AddNumberToObject(f, "credentials", (double)lp->credentials);
    cJSON_AddNumberToObject(f, "relevant", (double)lp->relevant);
    if (lp->credentials)
        cJSON_AddNumberToObject(f, "score", (double)lp->relevant / (double)lp->credentials);
    else
        cJSON_AddNullToObject(f, "score");
}

static void add_method(const struct mc_learner_plan *lp, cJSON *o)
{
    const struct mc_plan *p = &lp->plan;
    char d[11];

    add_str(o, "minimize", lp->opts.minimize == MC_PLAN_COST ? "cost" : "hours");
    cJSON_AddNumberToObject(o, "hoursPerWeek", lp->opts.hours_per_week);
    mc_plan_day_str(lp->opts.start_day, d);
    add_str(o, "start", d);
    mc_plan_day_str(p->n ? p->end_day : lp->opts.start_day, d);
    add_str(o, "end", d);
    cJSON_AddNumberToObject(o, "totalHours", p->hours);
    cJSON_AddNumberToObject(o, "totalCost", p->cost);
    cJSON_AddNumberToObject(o, "weeks", p->hours / lp->opts.hours_per_week);
    add_str(o, "method", p->optimal && p->nodes ? "branch-and-bound" :
                         p->optimal ? "trivial" : p->nodes ? "branch-and-bound (node limit)" :
                         "greedy");
    cJSON_AddBoolToObject(o, "optimal", p->optimal);
    if (p->bound > 0)
        cJSON_AddNumberToObject(o, "bound", p->bound);
    else
        cJSON_AddNullToObject(o, "bound");
    cJSON_AddNumberToObject(o, "lowerBound", p->lower_bound);
    cJSON_AddNumberToObject(o, "objective", p->objective);
    cJSON_AddNumberToObject(o, "candidates", (double)p->candidates);
    cJSON_AddNumberToObject(o, "candidatesAfterReduction", (double)p->branching);
    cJSON_AddNumberToObject(o, "nodes", (double)p->nodes);
}

cJSON *mc_learner_plan_json(const struct mc_learner_plan *lp)
{
    cJSON *o = cJSON_CreateObject(), *arr, *cat;
    size_t i;

    if (!o)
        return NULL;
    add_target(lp, o);
    add_method(lp, o);
    add_coverage(lp, o);
    add_focus(lp, o);
    arr = cJSON_AddArrayToObject(o, "steps");
    for (i = 0; arr && i < lp->plan.n; i++)
        cJSON_AddItemToArray(arr, step_json(lp, i));
    arr = cJSON_AddArrayToObject(o, "uncovered");
    for (i = 0; arr && i < lp->plan.nuncovered; i++)
        cJSON_AddItemToArray(arr, skill_json(lp, lp->plan.uncovered[i]));
    cat = cJSON_AddObjectToObject(o, "catalog");
    if (cat) {
        cJSON_AddNumberToObject(cat, "entries", (double)lp->catalog->n);
        cJSON_AddNumberToObject(cat, "withoutHours", (double)lp->catalog->skipped);
    }
    arr = cJSON_AddArrayToObject(o, "attribution");
    for (i = 0; arr && i < lp->nattribution; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(lp->attribution[i]));
    if (!arr) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* ---- SVG ----------------------------------------------------------------------------- */

/* Text for XML: & < > " ' escaped; control characters XML 1.0 forbids
 * become '?'; at most max bytes of s (cut on a UTF-8 boundary). */
static mcred_rc xml_text(struct mc_buf *b, const char *s, size_t max)
{
    size_t i, n = strlen(s);
    mcred_rc rc = MCRED_OK;

    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    for (i = 0; i < n && !rc; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch == '&')
            rc = mc_buf_appends(b, "&amp;");
        else if (ch == '<')
            rc = mc_buf_appends(b, "&lt;");
        else if (ch == '>')
            rc = mc_buf_appends(b, "&gt;");
        else if (ch == '"')
            rc = mc_buf_appends(b, "&quot;");
        else if (ch == '\'')
            rc = mc_buf_appends(b, "&#39;");
        else if (ch < 0x20 || ch == 0x7f)
            rc = mc_buf_appendc(b, '?');
        else
            rc = mc_buf_appendc(b, (char)ch);
    }
    if (!rc && strlen(s) > n)
        rc = mc_buf_appends(b, "...");
    return rc;
}

#define SVG_W 960
#define SVG_LABEL 330
#define SVG_ROW 30
#define SVG_TOP 70

static mcred_rc svg_head(const struct mc_learner_plan *lp, struct mc_buf *b, int h)
{
    const struct mc_plan *p = &lp->plan;
    char d1[11], d2[11];
    mcred_rc rc;

    mc_plan_day_str(lp->opts.start_day, d1);
    mc_plan_day_str(p->n ? p->end_day : lp->opts.start_day, d2);
    rc = mc_buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                       "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                       "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\" "
                       "role=\"img\">\n<title>", SVG_W, h, SVG_W, h);
    if (!rc)
        rc = mc_buf_appends(b, "Learning plan for ");
    if (!rc)
        rc = xml_text(b, lp->target.label ? lp->target.label : "a job description", 200);
    if (!rc)
        rc = mc_buf_printf(b, "</title>\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>"
                           "\n<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">");
    if (!rc)
        rc = xml_text(b, lp->target.label ? lp->target.label : "Job description", 100);
    if (!rc)
        rc = mc_buf_printf(b, "</text>\n<text x=\"10\" y=\"42\">%s to %s: %zu credential%s, "
                           "%.1f hours at %.1f h/week; %zu of %zu required skills covered"
                           "%s</text>\n", d1, d2, p->n, p->n == 1 ? "" : "s", p->hours,
                           lp->opts.hours_per_week, p->covered, p->required,
                           p->optimal ? " (optimal)" : "");
    return rc;
}

/* Month ticks along the axis (at most 24; else every k-th month). */
static mcred_rc svg_axis(const struct mc_learner_plan *lp, struct mc_buf *b, int64_t span,
                         int h)
{
    int64_t day;
    double scale = (double)(SVG_W - SVG_LABEL - 20) / (double)span;
    int months = (int)(span / 30) + 1, every = months > 24 ? (months + 23) / 24 : 1, k = 0;
    char d[11];
    mcred_rc rc = MCRED_OK;

    for (day = lp->opts.start_day; !rc && day <= lp->opts.start_day + span; day++) {
        double x;

        mc_plan_day_str(day, d);
        if (d[8] != '0' || d[9] != '1')
            continue;
        if (k++ % every)
            continue;
        x = SVG_LABEL + (double)(day - lp->opts.start_day) * scale;
        rc = mc_buf_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                           "stroke=\"#ddd\"/>\n<text x=\"%.1f\" y=\"%d\" font-size=\"10\" "
                           "fill=\"#666\">%.7s</text>\n", x, SVG_TOP - 8, x, h - 40, x + 2,
                           SVG_TOP - 12, d);
    }
    return rc;
}

mcred_rc mc_learner_plan_svg(const struct mc_learner_plan *lp, struct mc_buf *b)
{
    static const char *const fill[] = { "#7a9cc6", "#5cb85c", "#3a87ad", "#e6a23c", "#c0504d" };
    const struct mc_plan *p = &lp->plan;
    int h = SVG_TOP + (int)(p->n > 200 ? 200 : p->n) * SVG_ROW + 50 + 16 * (int)lp->nattribution;
    int64_t span = p->n ? p->end_day - lp->opts.start_day : 1;
    double scale;
    size_t i;
    mcred_rc rc;

    if (span < 1)
        span = 1;
    scale = (double)(SVG_W - SVG_LABEL - 20) / (double)span;
    rc = svg_head(lp, b, h);
    if (!rc)
        rc = svg_axis(lp, b, span, h);
    for (i = 0; !rc && i < p->n && i < 200; i++) {
        const struct mc_plan_step *st = &p->v[i];
        const struct mc_catalog_item *it = &lp->catalog->v[st->item];
        double x = SVG_LABEL + (double)(st->start_day - lp->opts.start_day) * scale;
        double w = fmax(2.0, (double)(st->end_day - st->start_day) * scale);
        int y = SVG_TOP + (int)i * SVG_ROW;
        char d1[11], d2[11];

        mc_plan_day_str(st->start_day, d1);
        mc_plan_day_str(st->end_day, d2);
        rc = mc_buf_printf(b, "<g class=\"step\">\n<text x=\"10\" y=\"%d\">%zu. ", y + 18,
                           i + 1);
        if (!rc)
            rc = xml_text(b, it->name, 48);
        if (!rc)
            rc = mc_buf_printf(b, "</text>\n<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
                               "height=\"%d\" rx=\"3\" fill=\"%s\"><title>", x, y + 4, w,
                               SVG_ROW - 8, fill[it->level % 5]);
        if (!rc)
            rc = xml_text(b, it->name, 300);
        if (!rc)
            rc = mc_buf_printf(b, ": %s to %s, %.1f h</title></rect>\n</g>\n", d1, d2,
                               it->hours);
    }
    if (!rc && p->n > 200)
        rc = mc_buf_printf(b, "<text x=\"10\" y=\"%d\">(and %zu more)</text>\n",
                           SVG_TOP + 200 * SVG_ROW + 10, p->n - 200);
    for (i = 0; !rc && i < lp->nattribution; i++) {
        rc = mc_buf_printf(b, "<text x=\"10\" y=\"%d\" font-size=\"10\" fill=\"#555\">",
                           h - 30 + 16 * (int)i - 16 * ((int)lp->nattribution - 1));
        if (!rc)
            rc = xml_text(b, lp->attribution[i], 400);
        if (!rc)
            rc = mc_buf_appends(b, "</text>\n");
    }
    if (!rc)
        rc = mc_buf_appends(b, "</svg>\n");
    return rc;
}
