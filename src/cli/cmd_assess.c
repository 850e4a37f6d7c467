/*
 * cmd_assess.c - `weerbaar assess`: list and show control catalogues, score a
 * file of answers against one and compare two. Argument parsing and output
 * only; src/assess/ does the work. The database-backed actions (new, answer,
 * share, report) build on the same library calls.
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_assess.h"
#include "cli/cli.h"
#include "cli/cmdtab.h"
#include "weerbaar/assess.h"
#include "weerbaar/assessdb.h"

typedef struct assess_opts {
    const char *dirs[WB_CLI_ASSESS_MAX_DIRS];
    size_t ndirs;
    const char *format; /* table or json */
    const char *lang;   /* nl or en */
    const char *answers, *from, *to;
    const char *out; /* template: where to write */
    int target;
} assess_opts;

static void assess_usage(FILE *f)
{
    fputs("usage: weerbaar assess catalogues [--format table|json]\n"
          "       weerbaar assess show CATALOGUE [REF] [--lang nl|en] [--format table|json]\n"
          "       weerbaar assess score CATALOGUE --answers FILE [--target N]\n"
          "                             [--lang nl|en] [--format table|json]\n"
          "       weerbaar assess diff CATALOGUE --from A --to B [--format table|json]\n"
          "       weerbaar assess template CATALOGUE [--lang nl|en] [--format csv|xlsx]\n"
          "                                [--out FILE]\n"
          "       weerbaar assess new|answer|import|export|show ID|history|diff A B|share|\n"
          "                       sectors|list ... --db PATH | --hub URL --key KEY\n"
          "                       (assessments kept as versions: 'weerbaar assess new --help')\n"
          "       weerbaar assess report ID|CATALOGUE ... --format pdf|html|png (see 'weerbaar\n"
          "                              assess report --help')\n"
          "\n"
          "Control catalogues (the Cbw (NIS2) Control Framework, ABRO 2026, NIST CSF 2.0,\n"
          "the NIS2 and CER directives and the NCSC basic principles) and the scores of an\n"
          "assessment against one. CATALOGUE is a name as 'assess catalogues' lists it\n"
          "(e.g. cbw_nis2); REF a requirement's ref_id, a heading's key or a urn.\n"
          "\n"
          "  catalogues   every catalogue: name, title, nodes, assessable requirements,\n"
          "               languages and attribution\n"
          "  show         the outline of a catalogue, or one requirement with its text;\n"
          "               text missing in --lang is shown in the other language, marked\n"
          "               [nl] or [en]\n"
          "  score        scores per requirement, node, NIS2 Art. 21(2) measure and basic\n"
          "               principle, with coverage, and the gaps below the target level,\n"
          "               from an answers file (CSV or JSON: ref,level,evidence,owner,due,\n"
          "               note; level 0-5 or n/a)\n"
          "  diff         what improved, slipped, stayed, is new or was removed between\n"
          "               two answers files\n"
          "  template     the answer sheet to fill in: every assessable requirement with\n"
          "               its text, the levels and what they mean, and empty columns\n"
          "               level, evidence, owner, due, note; CSV (default) or XLSX with\n"
          "               the level as a drop-down and a sheet explaining the levels.\n"
          "               'assess import ID FILE' reads either back\n"
          "  report       the one-page board report (PDF, HTML or PNG)\n"
          "\n"
          "options:\n"
          "  --catalogues DIR  also read the *.yaml catalogues in DIR (repeatable; a name\n"
          "                    there overrides a built-in one). The built-in directory is\n"
          "                    $WEERBAAR_CATALOGUES, else ../share/weerbaar/catalogues or\n"
          "                    ../data/catalogues next to the program\n"
          "  --format F        table (default) or json; template: csv (default) or xlsx\n"
          "  --out FILE        template: where to write (default standard output; an\n"
          "                    XLSX is not written to a terminal)\n"
          "  --lang L          nl or en (default en)\n"
          "  --answers FILE    the answers to score\n"
          "  --target N        the target level for gaps, 1-5 (default 3)\n"
          "  --from A --to B   the older and the newer answers to compare\n"
          "  -h, --help        this help\n"
          "\n"
          "examples:\n"
          "  weerbaar assess catalogues\n"
          "  weerbaar assess show cbw_nis2 11.1 --lang nl\n"
          "  weerbaar assess score cbw_nis2 --answers answers.csv --target 3\n"
          "  weerbaar assess diff cbw_nis2 --from 2025.csv --to 2026.csv\n"
          "  weerbaar assess template cbw_nis2 --lang nl --format xlsx --out antwoorden.xlsx\n"
          "  weerbaar assess report cbw_nis2 --answers 2026.csv --org Gamma --out board.pdf\n"
          "\n"
          "Exit status: 0 done, 2 an error (unknown catalogue or ref, a bad answers\n"
          "file: the row, column and reason on stderr).\n",
          f);
}

/* ---- output helpers ------------------------------------------------------------- */

static int print_json(json_t *o)
{
    char *text =
        o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(o);
    if (text == NULL) {
        wb_cli_error("assess: out of memory");
        return WB_EXIT_ERROR;
    }
    puts(text);
    free(text);
    return WB_EXIT_OK;
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static double round2(double v)
{
    return round(v * 100.0) / 100.0;
}

/* Copyright texts span lines; one line reads better in a table. */
static void print_oneline(const char *prefix, const char *s, size_t max)
{
    fputs(prefix, stdout);
    size_t n = 0;
    bool space = false;
    for (; s && *s && n < max; s++) {
        if (*s == '\n' || *s == '\r' || *s == ' ' || *s == '\t') {
            space = n > 0;
            continue;
        }
        if (space) putchar(' '), n++;
        space = false;
        putchar(*s);
        n++;
    }
    if (s && *s) fputs("...", stdout);
    putchar('\n');
}

static const char *title_of(const wb_catalogue *cat, const char *lang, const char **shown)
{
    const char *t = wb_cat_text_get(cat->texts, cat->ntexts, WB_TEXT_NAME, lang, shown);
    return t ? t : cat->name;
}

/* "[nl] " when the text shown is not in the language asked for. */
static const char *mark_lang(const char *shown, const char *lang, char *buf, size_t cap)
{
    if (shown == NULL || strcmp(shown, lang) == 0) return "";
    snprintf(buf, cap, "[%s] ", shown);
    return buf;
}

/* At most max bytes of s[0..len), not splitting a UTF-8 character. */
static int utf8_prefix(const char *s, size_t len, size_t max)
{
    if (len <= max) return (int)len;
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
        max--;
    return (int)max;
}

/* s cut to max bytes at a character boundary, into out. */
static const char *cut(const char *s, size_t max, char *out, size_t cap)
{
    snprintf(out, cap, "%.*s", utf8_prefix(s, strlen(s), max), s);
    return out;
}

/* A node's label: its name, else the first line of its description. */
static void node_label(const wb_req_node *n, const char *lang, char *out, size_t cap)
{
    const char *shown, *s = wb_cat_text_get(n->texts, n->ntexts, WB_TEXT_NAME, lang, &shown);
    if (s == NULL) s = wb_cat_text_get(n->texts, n->ntexts, WB_TEXT_DESCRIPTION, lang, &shown);
    char m[16];
    const char *mk = mark_lang(shown, lang, m, sizeof m);
    size_t len = s ? strcspn(s, "\n") : 0;
    const size_t max = 70;
    snprintf(out, cap, "%s%.*s%s", mk, s ? utf8_prefix(s, len, max) : 0, s ? s : "",
             len > max ? "..." : "");
}

/* ---- catalogues ------------------------------------------------------------------- */

bool wb_cli_assess_opt_dir(const char *cmd, const char *arg, const char **dirs, size_t *ndirs)
{
    if (*ndirs == WB_CLI_ASSESS_MAX_DIRS) {
        wb_cli_error("%s: at most %d --catalogues directories", cmd, WB_CLI_ASSESS_MAX_DIRS);
        return false;
    }
    dirs[(*ndirs)++] = arg;
    return true;
}

bool wb_cli_assess_opt_lang(const char *cmd, const char *arg, const char **out)
{
    if (strcmp(arg, "nl") != 0 && strcmp(arg, "en") != 0) {
        wb_cli_error("%s: --lang must be nl or en, not '%s'", cmd, arg);
        return false;
    }
    *out = arg;
    return true;
}

bool wb_cli_assess_opt_target(const char *cmd, const char *arg, int *out)
{
    int64_t v;
    if (wb_parse_i64(arg, strlen(arg), 1, WB_ASSESS_MAX_LEVEL, &v) != 0) {
        wb_cli_error("%s: --target must be a level from 1 to %d, not '%s'", cmd,
                     WB_ASSESS_MAX_LEVEL, arg);
        return false;
    }
    *out = (int)v;
    return true;
}

int wb_cli_assess_catset(const char *const *dirs, size_t ndirs, wb_catset **out)
{
    wb_error err = {0};
    char dir[4096];
    wb_catset *set = wb_catset_new();
    *out = NULL;
    if (set == NULL) {
        wb_cli_error("assess: out of memory");
        return WB_EXIT_ERROR;
    }
    int rc = wb_catalogue_default_dir(dir, sizeof dir, &err);
    /* without built-ins, directories given on the command line still serve */
    if (rc != 0 && ndirs == 0) {
        wb_cli_report(&err);
        wb_catset_free(set);
        return WB_EXIT_ERROR;
    }
    if (rc == 0)
        rc = wb_catset_add_dir(set, dir, &err);
    else
        rc = 0;
    for (size_t i = 0; rc == 0 && i < ndirs; i++)
        rc = wb_catset_add_dir(set, dirs[i], &err);
    if (rc != 0) {
        wb_cli_report(&err);
        wb_catset_free(set);
        return WB_EXIT_ERROR;
    }
    *out = set;
    return WB_EXIT_OK;
}

static int get_cat(wb_catset *set, const char *name, const wb_catalogue **cat)
{
    wb_error err = {0};
    if (wb_catset_get(set, name, cat, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

static int cmd_catalogues(wb_catset *set, const assess_opts *o)
{
    bool json = strcmp(o->format, "json") == 0;
    json_t *list = json ? json_array() : NULL;
    if (!json) printf("%-22s %5s %5s  %-11s %s\n", "NAME", "NODES", "REQS", "LANGUAGES", "TITLE");
    for (size_t i = 0; i < wb_catset_count(set); i++) {
        const wb_catalogue *cat;
        if (get_cat(set, wb_catset_name(set, i), &cat) != WB_EXIT_OK) {
            json_decref(list);
            return WB_EXIT_ERROR;
        }
        char langs[128];
        const char *shown;
        wb_catalogue_languages(cat, langs, sizeof langs);
        const char *title = title_of(cat, o->lang, &shown);
        if (json) {
            json_t *e = json_object();
            json_object_set_new(e, "name", json_string(cat->name));
            json_object_set_new(e, "title", json_string(title));
            json_object_set_new(e, "urn", jstr(cat->urn));
            json_object_set_new(e, "provider", jstr(cat->provider));
            json_object_set_new(e, "version", jstr(cat->version));
            json_object_set_new(e, "nodes", json_integer((json_int_t)cat->nnodes));
            json_object_set_new(e, "assessable", json_integer((json_int_t)cat->nassessable));
            json_object_set_new(e, "languages", json_string(langs));
            json_object_set_new(e, "attribution", jstr(cat->copyright));
            json_object_set_new(e, "path", json_string(cat->path));
            json_array_append_new(list, e);
        } else {
            char m[16];
            printf("%-22s %5zu %5zu  %-11s %s%s\n", cat->name, cat->nnodes, cat->nassessable, langs,
                   mark_lang(shown, o->lang, m, sizeof m), title);
            print_oneline("    attribution: ", cat->copyright ? cat->copyright : "(none given)",
                          400);
        }
    }
    if (json) return print_json(list);
    return WB_EXIT_OK;
}

/* ---- show ------------------------------------------------------------------------- */

static void print_block(const char *label, const char *text, const char *shown, const char *lang)
{
    char m[16];
    if (text == NULL) return;
    printf("%s: %s\n", label, mark_lang(shown, lang, m, sizeof m));
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, "\n");
        printf("  %.*s\n", (int)n, p);
        p += n;
        if (*p) p++;
    }
}

static json_t *node_json(const wb_catalogue *cat, const wb_req_node *n, const char *lang, bool full)
{
    json_t *o = json_object();
    const char *shown;
    json_object_set_new(o, "ref", json_string(n->key));
    json_object_set_new(o, "ref_id", jstr(n->ref_id));
    json_object_set_new(o, "urn", json_string(n->urn));
    json_object_set_new(o, "parent",
                        n->parent >= 0 ? json_string(cat->nodes[n->parent].key) : json_null());
    json_object_set_new(o, "depth", json_integer(n->depth));
    json_object_set_new(o, "assessable", json_boolean(n->assessable));
    static const char *const fields[] = {"name", "description", "annotation"};
    for (int f = 0; f < (full ? 3 : 1); f++) {
        const char *s = wb_cat_text_get(n->texts, n->ntexts, (enum wb_cat_field)f, lang, &shown);
        char key[32];
        json_object_set_new(o, fields[f], jstr(s));
        snprintf(key, sizeof key, "%s_lang", fields[f]);
        json_object_set_new(o, key, s ? json_string(shown) : json_null());
    }
    if (full) {
        json_t *kids = json_array();
        for (size_t c = 0; c < n->nchildren; c++)
            json_array_append_new(kids, json_string(cat->nodes[n->children[c]].key));
        json_object_set_new(o, "children", kids);
    }
    if (n->nis2_measures) {
        char m[WB_NIS2_MEASURES + 1];
        size_t k = 0;
        for (int g = 0; g < WB_NIS2_MEASURES; g++)
            if (n->nis2_measures & (1u << g)) m[k++] = (char)('a' + g);
        m[k] = '\0';
        json_object_set_new(o, "nis2_measures", json_string(m));
    }
    if (n->nmaps) {
        json_t *maps = json_object();
        for (size_t i = 0; i < n->nmaps; i++) {
            json_t *refs = json_array();
            for (size_t r = 0; r < n->maps[i].nrefs; r++)
                json_array_append_new(refs, json_string(n->maps[i].refs[r]));
            json_object_set_new(maps, n->maps[i].catalogue, refs);
        }
        json_object_set_new(o, "maps_to", maps);
    }
    return o;
}

/* Depth-first in file order with an explicit stack: deep catalogues cannot
 * overflow the C stack. */
static int show_outline(const wb_catalogue *cat, const assess_opts *o)
{
    bool json = strcmp(o->format, "json") == 0;
    const char *shown;
    const char *title = title_of(cat, o->lang, &shown);
    json_t *nodes = json ? json_array() : NULL;
    if (!json) {
        char m[16];
        printf("%s%s (%s: %zu nodes, %zu assessable requirements)\n",
               mark_lang(shown, o->lang, m, sizeof m), title, cat->name, cat->nnodes,
               cat->nassessable);
        print_oneline("attribution: ", cat->copyright ? cat->copyright : "(none given)", 400);
        putchar('\n');
    }
    size_t *stack = malloc((cat->nnodes + 1) * sizeof *stack), top = 0;
    if (stack == NULL) {
        json_decref(nodes);
        wb_cli_error("assess: out of memory");
        return WB_EXIT_ERROR;
    }
    for (size_t r = cat->nroots; r-- > 0;)
        stack[top++] = cat->roots[r];
    while (top) {
        const wb_req_node *n = &cat->nodes[stack[--top]];
        for (size_t c = n->nchildren; c-- > 0;)
            stack[top++] = n->children[c];
        if (json) {
            json_array_append_new(nodes, node_json(cat, n, o->lang, false));
            continue;
        }
        char label[256];
        node_label(n, o->lang, label, sizeof label);
        int indent = 2 * (n->depth - 1 < 20 ? n->depth - 1 : 20);
        if (n->ref_id)
            printf("%*s%s%s  %s\n", indent, "", n->assessable ? "* " : "", n->ref_id, label);
        else
            printf("%*s%s%s\n", indent, "", n->assessable ? "* " : "", label);
    }
    free(stack);
    if (json) {
        json_t *root = json_object();
        json_object_set_new(root, "catalogue", json_string(cat->name));
        json_object_set_new(root, "title", json_string(title));
        json_object_set_new(root, "attribution", jstr(cat->copyright));
        json_object_set_new(root, "nodes", nodes);
        return print_json(root);
    }
    printf("\n* assessable requirement\n");
    return WB_EXIT_OK;
}

static int show_node(const wb_catalogue *cat, const wb_req_node *n, const assess_opts *o)
{
    if (strcmp(o->format, "json") == 0) {
        json_t *root = node_json(cat, n, o->lang, true);
        json_object_set_new(root, "catalogue", json_string(cat->name));
        json_object_set_new(root, "attribution", jstr(cat->copyright));
        return print_json(root);
    }
    const char *shown;
    printf("%s %s%s\n", cat->name, n->key, n->assessable ? " (assessable requirement)" : "");
    /* the path from the root gives the requirement its context */
    const wb_req_node *chain[64];
    size_t depth = 0;
    for (long p = n->parent; p >= 0 && depth < 64; p = cat->nodes[p].parent)
        chain[depth++] = &cat->nodes[p];
    if (depth) {
        fputs("under: ", stdout);
        for (size_t i = depth; i-- > 0;) {
            char label[256];
            node_label(chain[i], o->lang, label, sizeof label);
            printf("%s%s", label, i ? " > " : "\n");
        }
    }
    static const char *const labels[] = {"name", "description", "annotation"};
    for (int f = 0; f < 3; f++) {
        /* the text first: shown is set by the call, not in argument order */
        const char *text =
            wb_cat_text_get(n->texts, n->ntexts, (enum wb_cat_field)f, o->lang, &shown);
        print_block(labels[f], text, shown, o->lang);
    }
    if (n->nchildren) {
        printf("contains:\n");
        for (size_t c = 0; c < n->nchildren; c++) {
            char label[256];
            const wb_req_node *k = &cat->nodes[n->children[c]];
            node_label(k, o->lang, label, sizeof label);
            printf("  %s  %s\n", k->key, label);
        }
    }
    if (n->nis2_measures) {
        printf("NIS2 Art. 21(2) measures:\n");
        for (int g = 0; g < WB_NIS2_MEASURES; g++)
            if (n->nis2_measures & (1u << g))
                printf("  (%c) %s\n", 'a' + g, wb_nis2_measure_title(g, o->lang));
    }
    for (size_t i = 0; i < n->nmaps; i++) {
        printf("maps to %s:", n->maps[i].catalogue);
        for (size_t r = 0; r < n->maps[i].nrefs; r++)
            printf(" %s", n->maps[i].refs[r]);
        putchar('\n');
    }
    print_oneline("attribution: ", cat->copyright ? cat->copyright : "(none given)", 400);
    return WB_EXIT_OK;
}

static int cmd_show(wb_catset *set, const assess_opts *o, char **args, int nargs)
{
    if (nargs < 1 || nargs > 2) {
        wb_cli_error("assess show: give CATALOGUE [REF] (see 'weerbaar assess --help')");
        return WB_EXIT_ERROR;
    }
    const wb_catalogue *cat;
    if (get_cat(set, args[0], &cat) != WB_EXIT_OK) return WB_EXIT_ERROR;
    if (nargs == 1) return show_outline(cat, o);
    const wb_req_node *n = wb_catalogue_find(cat, args[1]);
    if (n == NULL) {
        wb_cli_error("assess show: %s has no requirement or heading '%s' (see 'weerbaar assess "
                     "show %s')",
                     cat->name, args[1], cat->name);
        return WB_EXIT_ERROR;
    }
    return show_node(cat, n, o);
}

/* ---- score ------------------------------------------------------------------------ */

static json_t *score_json(const wb_score *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "score", s->has_value ? json_real(round2(s->value)) : json_null());
    json_object_set_new(o, "maturity", s->rated ? json_real(round2(s->maturity)) : json_null());
    json_object_set_new(o, "rated", json_integer((json_int_t)s->rated));
    json_object_set_new(o, "answered", json_integer((json_int_t)s->answered));
    json_object_set_new(o, "assessable", json_integer((json_int_t)s->assessable));
    json_object_set_new(o, "coverage",
                        s->assessable
                            ? json_real(round2((double)s->answered / (double)s->assessable))
                            : json_null());
    return o;
}

static void score_cells(const wb_score *s, char *out, size_t cap)
{
    char v[16] = "-";
    if (s->has_value) snprintf(v, sizeof v, "%.2f", s->value);
    if (s->assessable)
        snprintf(out, cap, "%5s  %zu/%zu (%.0f%%)", v, s->answered, s->assessable,
                 100.0 * (double)s->answered / (double)s->assessable);
    else
        snprintf(out, cap, "%5s  -", v);
}

static const char *level_text(int level, char *buf, size_t cap)
{
    if (level == WB_LEVEL_NA) return "n/a";
    if (level == WB_LEVEL_NONE) return "-";
    snprintf(buf, cap, "%d", level);
    return buf;
}

static void format_due(wb_time t, char *out, size_t cap)
{
    char full[40];
    if (t == WB_TIME_NONE) {
        snprintf(out, cap, "-");
        return;
    }
    wb_time_format(t, full, sizeof full);
    snprintf(out, cap, "%.10s", full);
}

int wb_cli_assess_scores_json(const wb_catalogue *cat, const wb_catalogue *pr,
                              const wb_answers *ans, const wb_scores *sc, const char *lang)
{
    wb_buf out = {0};
    if (wb_assess_scores_json(cat, pr, ans, sc, lang, &out) != 0) {
        wb_buf_free(&out);
        wb_cli_error("assess: out of memory");
        return WB_EXIT_ERROR;
    }
    puts(out.data);
    wb_buf_free(&out);
    return WB_EXIT_OK;
}

void wb_cli_assess_scores_table(const wb_catalogue *cat, const wb_catalogue *pr,
                                const wb_answers *ans, const wb_scores *sc, const char *lang)
{
    char cells[64], label[256], lv[8];
    const char *shown;
    printf("%s: %s\n", cat->name, title_of(cat, lang, &shown));
    print_oneline("attribution: ", cat->copyright ? cat->copyright : "(none given)", 400);
    score_cells(&sc->overall, cells, sizeof cells);
    printf("overall score %s answered\n\n", cells);
    printf("%-60s %5s %5s  %s\n", "NODE", "LEVEL", "SCORE", "COVERAGE");
    size_t *stack = malloc((cat->nnodes + 1) * sizeof *stack), top = 0;
    if (stack) {
        for (size_t r = cat->nroots; r-- > 0;)
            stack[top++] = cat->roots[r];
        while (top) {
            size_t i = stack[--top];
            const wb_req_node *n = &cat->nodes[i];
            for (size_t c = n->nchildren; c-- > 0;)
                stack[top++] = n->children[c];
            char name[300];
            node_label(n, lang, label, sizeof label);
            int indent = 2 * (n->depth - 1 < 10 ? n->depth - 1 : 10);
            if (n->ref_id)
                snprintf(name, sizeof name, "%*s%s %s", indent, "", n->ref_id, label);
            else
                snprintf(name, sizeof name, "%*s%s", indent, "", label);
            score_cells(&sc->nodes[i], cells, sizeof cells);
            char shortname[80];
            printf("%-60s %5s %s\n", cut(name, 60, shortname, sizeof shortname),
                   n->assessable ? level_text(sc->levels[i], lv, sizeof lv) : "", cells);
        }
        free(stack);
    }
    if (sc->mapped) {
        printf("\nNIS2 Art. 21(2) measures\n");
        for (int m = 0; m < WB_NIS2_MEASURES; m++) {
            score_cells(&sc->measures[m].score, cells, sizeof cells);
            char t[80];
            printf("  (%c) %-58s %s\n", 'a' + m,
                   cut(wb_nis2_measure_title(m, lang), 58, t, sizeof t), cells);
        }
        printf("\nbasic principles (%s)\n", pr->name);
        for (size_t p = 0; p < sc->nprinciples; p++) {
            const wb_req_node *g = sc->principles[p].group;
            score_cells(&sc->principles[p].score, cells, sizeof cells);
            const char *t = wb_cat_text_get(g->texts, g->ntexts, WB_TEXT_NAME, lang, NULL);
            char tb[80];
            printf("  %zu %-60s %s\n", p + 1, cut(t ? t : g->key, 60, tb, sizeof tb), cells);
        }
    } else {
        printf("\n(no mapping from %s to the NIS2 measures and basic principles)\n", cat->name);
    }
    printf("\ngaps below target %d: %zu\n", sc->target, sc->ngaps);
    if (sc->ngaps)
        printf("  %-10s %-5s %-9s %-9s %-20s %-10s\n", "REF", "LEVEL", "SHORTFALL", "PRINCIPLE",
               "OWNER", "DUE");
    for (size_t i = 0; i < sc->ngaps; i++) {
        const wb_gap *g = &sc->gaps[i];
        const wb_req_node *n = &cat->nodes[g->node];
        const wb_answer *a = wb_answers_find(ans, n->key);
        char due[16], pbuf[8] = "-";
        format_due(a ? a->due : WB_TIME_NONE, due, sizeof due);
        if (g->principle) snprintf(pbuf, sizeof pbuf, "%d", g->principle);
        snprintf(lv, sizeof lv, "%d", g->level);
        char owner[40];
        printf("  %-10s %-5s %-9d %-9s %-20s %-10s\n", n->key, g->answered ? lv : "-", g->shortfall,
               pbuf, cut(a && a->owner ? a->owner : "-", 20, owner, sizeof owner), due);
    }
    if (pr && sc->mapped) print_oneline("principles: ", pr->copyright, 400);
}

static int load_answers(const wb_catalogue *cat, const char *path, wb_answers **out)
{
    wb_error err = {0};
    if (wb_answers_load(path, cat, out, &err) != 0) {
        wb_cli_report(&err);
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

/* The principles catalogue, when there is one; its absence only hides the
 * per-principle view. */
const wb_catalogue *wb_cli_assess_principles(wb_catset *set)
{
    const wb_catalogue *pr = NULL;
    wb_error err = {0};
    if (wb_catset_get(set, WB_PRINCIPLES_CATALOGUE, &pr, &err) != 0) return NULL;
    return pr;
}

static int cmd_score(wb_catset *set, const assess_opts *o, char **args, int nargs)
{
    if (nargs != 1 || o->answers == NULL) {
        wb_cli_error("assess score: give CATALOGUE --answers FILE (see 'weerbaar assess --help')");
        return WB_EXIT_ERROR;
    }
    const wb_catalogue *cat;
    wb_answers *ans = NULL;
    if (get_cat(set, args[0], &cat) != WB_EXIT_OK) return WB_EXIT_ERROR;
    if (load_answers(cat, o->answers, &ans) != WB_EXIT_OK) return WB_EXIT_ERROR;
    const wb_catalogue *pr = wb_cli_assess_principles(set);
    wb_scores *sc = NULL;
    wb_error err = {0};
    int status = WB_EXIT_OK;
    if (wb_assess_score(cat, ans, pr, o->target, &sc, &err) != 0) {
        wb_cli_report(&err);
        status = WB_EXIT_ERROR;
    } else if (strcmp(o->format, "json") == 0) {
        status = wb_cli_assess_scores_json(cat, pr, ans, sc, o->lang);
    } else {
        wb_cli_assess_scores_table(cat, pr, ans, sc, o->lang);
    }
    wb_scores_free(sc);
    wb_answers_free(ans);
    return status;
}

/* ---- diff ------------------------------------------------------------------------- */

/* What improved and slipped from answers a to b, as a table or JSON. */
int wb_cli_assess_diff_print(const wb_catalogue *cat, const wb_answers *a, const wb_answers *b,
                             bool json)
{
    wb_diff_item *items = NULL;
    size_t n = 0;
    wb_scores *sa = NULL, *sb = NULL;
    wb_error err = {0};
    int status = WB_EXIT_OK;
    if (wb_assess_diff(cat, a, b, &items, &n, &err) != 0 ||
        wb_assess_score(cat, a, NULL, WB_ASSESS_DEFAULT_TARGET, &sa, &err) != 0 ||
        wb_assess_score(cat, b, NULL, WB_ASSESS_DEFAULT_TARGET, &sb, &err) != 0) {
        wb_cli_report(&err);
        status = WB_EXIT_ERROR;
    }
    size_t count[WB_DIFF_CHANGED + 1] = {0};
    for (size_t i = 0; i < n; i++)
        count[items[i].kind]++;
    if (status == WB_EXIT_OK && json) {
        json_t *root = json_object(), *list = json_array(), *sum = json_object();
        json_object_set_new(root, "catalogue", json_string(cat->name));
        json_object_set_new(root, "from", score_json(&sa->overall));
        json_object_set_new(root, "to", score_json(&sb->overall));
        for (int k = 0; k <= WB_DIFF_CHANGED; k++)
            json_object_set_new(sum, wb_diff_kind_name((wb_diff_kind)k),
                                json_integer((json_int_t)count[k]));
        json_object_set_new(root, "summary", sum);
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_object();
            char l1[8], l2[8];
            json_object_set_new(e, "ref", json_string(cat->nodes[items[i].node].key));
            json_object_set_new(e, "change", json_string(wb_diff_kind_name(items[i].kind)));
            json_object_set_new(e, "from",
                                items[i].from == WB_LEVEL_NONE
                                    ? json_null()
                                    : json_string(level_text(items[i].from, l1, 8)));
            json_object_set_new(e, "to",
                                items[i].to == WB_LEVEL_NONE
                                    ? json_null()
                                    : json_string(level_text(items[i].to, l2, 8)));
            json_array_append_new(list, e);
        }
        json_object_set_new(root, "changes", list);
        status = print_json(root);
    } else if (status == WB_EXIT_OK) {
        char c1[64], c2[64], l1[8], l2[8];
        score_cells(&sa->overall, c1, sizeof c1);
        score_cells(&sb->overall, c2, sizeof c2);
        printf("%s: overall %s -> %s\n", cat->name, c1, c2);
        for (size_t i = 0; i < n; i++) {
            if (items[i].kind == WB_DIFF_UNCHANGED) continue;
            printf("  %-9s %-10s %3s -> %s\n", wb_diff_kind_name(items[i].kind),
                   cat->nodes[items[i].node].key, level_text(items[i].from, l1, sizeof l1),
                   level_text(items[i].to, l2, sizeof l2));
        }
        printf("%zu improved, %zu slipped, %zu unchanged, %zu new, %zu removed, %zu changed to "
               "or from n/a\n",
               count[WB_DIFF_IMPROVED], count[WB_DIFF_SLIPPED], count[WB_DIFF_UNCHANGED],
               count[WB_DIFF_NEW], count[WB_DIFF_REMOVED], count[WB_DIFF_CHANGED]);
    }
    free(items);
    wb_scores_free(sa);
    wb_scores_free(sb);
    return status;
}

static int cmd_diff(wb_catset *set, const assess_opts *o, char **args, int nargs)
{
    if (nargs != 1 || o->from == NULL || o->to == NULL) {
        wb_cli_error("assess diff: give CATALOGUE --from A --to B (see 'weerbaar assess --help')");
        return WB_EXIT_ERROR;
    }
    const wb_catalogue *cat;
    wb_answers *a = NULL, *b = NULL;
    if (get_cat(set, args[0], &cat) != WB_EXIT_OK) return WB_EXIT_ERROR;
    if (load_answers(cat, o->from, &a) != WB_EXIT_OK) return WB_EXIT_ERROR;
    if (load_answers(cat, o->to, &b) != WB_EXIT_OK) {
        wb_answers_free(a);
        return WB_EXIT_ERROR;
    }
    int status = wb_cli_assess_diff_print(cat, a, b, strcmp(o->format, "json") == 0);
    wb_answers_free(a);
    wb_answers_free(b);
    return status;
}

/* ---- template --------------------------------------------------------------------- */

typedef struct sheet_job {
    const wb_catalogue *cat;
    const char *lang;
} sheet_job;

static int render_sheet(void *ud, const char *path, wb_error *err)
{
    const sheet_job *j = ud;
    return wb_answers_template_xlsx(j->cat, j->lang, path, err);
}

static int cmd_template(wb_catset *set, const assess_opts *o, char **args, int nargs)
{
    if (nargs != 1) {
        wb_cli_error("assess template: give CATALOGUE (see 'weerbaar assess --help')");
        return WB_EXIT_ERROR;
    }
    const wb_catalogue *cat;
    if (get_cat(set, args[0], &cat) != WB_EXIT_OK) return WB_EXIT_ERROR;
    if (strcmp(o->format, "xlsx") == 0) {
        sheet_job j = {cat, o->lang};
        return wb_cli_write_rendered("assess template", o->out, render_sheet, &j);
    }
    wb_buf b = {0};
    if (wb_answers_template_csv(cat, o->lang, &b) != 0) {
        wb_buf_free(&b);
        wb_cli_error("assess: out of memory");
        return WB_EXIT_ERROR;
    }
    bool to_file = o->out && strcmp(o->out, "-") != 0;
    FILE *f = to_file ? fopen(o->out, "wb") : stdout;
    int status = WB_EXIT_OK;
    if (f == NULL || fwrite(b.data, 1, b.len, f) != b.len || (to_file ? fclose(f) : fflush(f))) {
        wb_cli_error("assess template: writing %s failed", to_file ? o->out : "standard output");
        status = WB_EXIT_ERROR;
    }
    wb_buf_free(&b);
    return status;
}

/* ---- entry ------------------------------------------------------------------------- */

/* The actions on catalogues and answers files: run (NULL: catalogues)
 * after the options are parsed. */
typedef int (*file_fn)(wb_catset *set, const assess_opts *o, char **args, int nargs);

static int assess_files(int argc, char **argv, file_fn run)
{
    enum { O_DIRS = 256, O_FORMAT, O_LANG, O_ANSWERS, O_TARGET, O_FROM, O_TO, O_OUT };
    static const struct option opts[] = {{"catalogues", required_argument, NULL, O_DIRS},
                                         {"format", required_argument, NULL, O_FORMAT},
                                         {"lang", required_argument, NULL, O_LANG},
                                         {"answers", required_argument, NULL, O_ANSWERS},
                                         {"target", required_argument, NULL, O_TARGET},
                                         {"from", required_argument, NULL, O_FROM},
                                         {"to", required_argument, NULL, O_TO},
                                         {"out", required_argument, NULL, O_OUT},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    assess_opts o = {.format = "table", .lang = "en", .target = WB_ASSESS_DEFAULT_TARGET};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_DIRS:
            if (!wb_cli_assess_opt_dir("assess", optarg, o.dirs, &o.ndirs)) return WB_EXIT_ERROR;
            break;
        case O_FORMAT:
            o.format = optarg;
            break;
        case O_OUT:
            o.out = optarg;
            break;
        case O_LANG:
            if (!wb_cli_assess_opt_lang("assess", optarg, &o.lang)) return WB_EXIT_ERROR;
            break;
        case O_ANSWERS:
            o.answers = optarg;
            break;
        case O_TARGET:
            if (!wb_cli_assess_opt_target("assess", optarg, &o.target)) return WB_EXIT_ERROR;
            break;
        case O_FROM:
            o.from = optarg;
            break;
        case O_TO:
            o.to = optarg;
            break;
        case 'h':
            assess_usage(stdout);
            return WB_EXIT_OK;
        default:
            wb_cli_error("assess: unknown option or missing value '%s' (see 'weerbaar assess "
                         "--help')",
                         argv[optind - 1]);
            return WB_EXIT_ERROR;
        }
    }
    if (optind >= argc) {
        assess_usage(stderr);
        return WB_EXIT_ERROR;
    }
    const char *action = argv[optind];
    char **args = argv + optind + 1;
    int nargs = argc - optind - 1;
    bool sheet = run == cmd_template;
    o.format = sheet && strcmp(o.format, "table") == 0 ? "csv" : o.format;
    if (sheet ? strcmp(o.format, "csv") != 0 && strcmp(o.format, "xlsx") != 0
              : strcmp(o.format, "table") != 0 && strcmp(o.format, "json") != 0) {
        wb_cli_error("assess %s: --format must be %s, not '%s'", action,
                     sheet ? "csv or xlsx" : "table or json", o.format);
        return WB_EXIT_ERROR;
    }
    if (o.out && !sheet) {
        wb_cli_error("assess %s: --out is for template and report", action);
        return WB_EXIT_ERROR;
    }
    if (run == NULL && nargs != 0) {
        wb_cli_error("assess catalogues: takes no arguments");
        return WB_EXIT_ERROR;
    }
    wb_catset *set;
    if (wb_cli_assess_catset(o.dirs, o.ndirs, &set) != WB_EXIT_OK) return WB_EXIT_ERROR;
    int status = run ? run(set, &o, args, nargs) : cmd_catalogues(set, &o);
    wb_catset_free(set);
    return status;
}

/* ---- the action table -------------------------------------------------------------- */

/* The command line, whole: each half parses its own options. */
typedef struct assess_run {
    int argc;
    char **argv;
} assess_run;

#define FILE_ACT(name, run)                                                                        \
    static int act_##name(void *ctx, int argc, char **argv)                                        \
    {                                                                                              \
        (void)argc, (void)argv;                                                                    \
        return assess_files(((assess_run *)ctx)->argc, ((assess_run *)ctx)->argv, run);            \
    }
/* assessments in a database or on a hub (cmd_assess_db.c) */
#define DB_ACT(name)                                                                               \
    static int act_##name(void *ctx, int argc, char **argv)                                        \
    {                                                                                              \
        (void)argc, (void)argv;                                                                    \
        return wb_cli_assess_db(((assess_run *)ctx)->argc, ((assess_run *)ctx)->argv);             \
    }
/* show and diff: of an assessment (ID, A B) or of a catalogue */
#define EITHER_ACT(name, run)                                                                      \
    static int act_##name(void *ctx, int argc, char **argv)                                        \
    {                                                                                              \
        (void)argc, (void)argv;                                                                    \
        assess_run *r = ctx;                                                                       \
        int status = wb_cli_assess_db(r->argc, r->argv);                                           \
        return status >= 0 ? status : assess_files(r->argc, r->argv, run);                         \
    }

FILE_ACT(catalogues, NULL)
FILE_ACT(score, cmd_score)
FILE_ACT(template, cmd_template)
EITHER_ACT(show, cmd_show)
EITHER_ACT(diff, cmd_diff)
DB_ACT(new)
DB_ACT(answer)
DB_ACT(import)
DB_ACT(export)
DB_ACT(history)
DB_ACT(share)
DB_ACT(sectors)
DB_ACT(list)

/* report has options of its own (cmd_assess_report.c) */
static int act_report(void *ctx, int argc, char **argv)
{
    (void)argc, (void)argv;
    return wb_cmd_assess_report(((assess_run *)ctx)->argc, ((assess_run *)ctx)->argv);
}

static const char *const as_cat[] = {"--catalogues DIR", "--format table|json", NULL};
static const char *const as_show[] = {"--catalogues DIR",
                                      "--lang nl|en",
                                      "--format table|json",
                                      "--db PATH",
                                      "--hub URL",
                                      "--key KEY",
                                      NULL};
static const char *const as_score[] = {"--catalogues DIR", "--answers FILE",      "--target N",
                                       "--lang nl|en",     "--format table|json", NULL};
/* diff A B --db PATH too: the parser tells the two forms apart by their
 * arguments, so the table shows the catalogue form. */
static const char *const as_diff[] = {"--catalogues DIR", "--from FILE", "--to FILE",
                                      "--format table|json", NULL};
static const char *const as_template[] = {"--catalogues DIR", "--lang nl|en", "--format csv|xlsx",
                                          "--out FILE", NULL};
static const char *const as_new[] = {"--catalogue NAME", "--org ORG", "--scope TEXT", "--target N",
                                     "--db PATH",        "--hub URL", "--key KEY",    NULL};
static const char *const as_answer[] = {"--level N",  "--evidence TEXT", "--owner WHO",
                                        "--due DATE", "--note TEXT",     "--db PATH",
                                        "--hub URL",  "--key KEY",       NULL};
static const char *const as_where[] = {"--db PATH", "--hub URL", "--key KEY", "--format table|json",
                                       NULL};
static const char *const as_export[] = {"--format csv|json", "--db PATH", "--hub URL", "--key KEY",
                                        NULL};
static const char *const as_share[] = {
    "--with csirt|supervisor", "--revoke", "--db PATH", "--hub URL", "--key KEY", NULL};
static const char *const as_sectors[] = {
    "--catalogue NAME", "--k N", "--format table|json", "--db PATH", "--hub URL",
    "--key KEY",        NULL};
static const char *const as_list[] = {"--org ORG", "--format table|json", "--db PATH",
                                      "--hub URL", "--key KEY",           NULL};
static const char *const as_report[] = {
    "--answers FILE",   "--previous FILE", "--org ORG",  "--scope TEXT", "--target N",
    "--vuln FILE",      "--now TIME",      "--out FILE", "--lang nl|en", "--format pdf|html|png",
    "--catalogues DIR", "--db PATH",       "--hub URL",  "--key KEY",    NULL};

const wb_cli_action wb_cli_assess_actions[] = {
    {"catalogues", false, act_catalogues, "every catalogue", as_cat},
    {"show", true, act_show, "a catalogue's outline, a requirement, or an assessment", as_show},
    {"score", true, act_score, "scores and gaps from an answers file", as_score},
    {"diff", false, act_diff, "what improved and slipped", as_diff},
    {"template", true, act_template, "the answer sheet of a catalogue (CSV or XLSX)", as_template},
    {"new", false, act_new, "create an assessment; prints its id", as_new},
    {"answer", true, act_answer, "set one requirement's answer", as_answer},
    {"import", true, act_import, "replace the answers with a CSV or JSON file", as_where},
    {"export", true, act_export, "the answers as CSV or JSON", as_export},
    {"history", true, act_history, "the versions of an assessment", as_where},
    {"share", true, act_share, "let the CSIRT or supervisor read it", as_share},
    {"sectors", false, act_sectors, "mean maturity per sector", as_sectors},
    {"list", false, act_list, "the assessments", as_list},
    {"report", true, act_report, "the one-page board report (PDF, HTML, PNG)", as_report},
    {NULL, false, NULL, NULL, NULL}};

int wb_cmd_assess(int argc, char **argv)
{
    const char *word = wb_cli_action_word(argc, argv, wb_cli_assess_actions);
    if (word == NULL) {
        bool help = wb_cli_wants_help(argc, argv);
        assess_usage(help ? stdout : stderr);
        return help ? WB_EXIT_OK : WB_EXIT_ERROR;
    }
    assess_run r = {argc, argv};
    char *w = (char *)word;
    return wb_cli_dispatch("assess", wb_cli_assess_actions, &r, 1, &w);
}
