/*
 * assess.h - control catalogues, answers and scores: the data behind
 * `weerbaar assess`.
 *
 * A catalogue is a tree of requirement nodes loaded from a YAML library in
 * the format of intuitem's CISO Assistant (the Cbw (NIS2) Control Framework,
 * ABRO, NIST CSF, the NIS2 and CER directives) or weerbaar's own NCSC basic
 * principles file, which adds per-node mappings to NIS2 Art. 21(2) measures
 * (a)-(j) and to the requirements of other catalogues.
 *
 * Answers and scores are plain data (strings, ints, doubles, arrays) so that
 * a store can persist them and the later database-backed commands only load,
 * save and call the pure functions here. Catalogues are immutable once loaded
 * and may be shared between threads.
 */
#ifndef WEERBAAR_ASSESS_H
#define WEERBAAR_ASSESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weerbaar/core.h"
#include "weerbaar/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- bounds --------------------------------------------------------------- */

#define WB_CATALOGUE_MAX_BYTES (32u << 20) /* largest catalogue file */
#define WB_CATALOGUE_MAX_NODES 50000       /* requirement nodes per catalogue */
#define WB_CATALOGUE_MAX_NESTING 32        /* YAML collections inside each other */
#define WB_CATALOGUE_MAX_SCALAR (1u << 20) /* longest YAML scalar */
#define WB_ANSWERS_MAX_BYTES (16u << 20)   /* largest answers file */
#define WB_ANSWERS_MAX_ROWS 100000         /* answers per file */
#define WB_ANSWERS_MAX_FIELD 65536         /* longest field of an answer */
#define WB_ASSESS_MAX_LEVEL 5              /* maturity levels are 0..5 */

/* The name of the built-in catalogue that holds the basic principles and
 * the mappings every other catalogue is read through. */
#define WB_PRINCIPLES_CATALOGUE "ncsc-basic-principles"

/* ---- catalogues ------------------------------------------------------------ */

/* Text of a node or catalogue in one language; NULL fields are absent. */
typedef struct wb_cat_text {
    const char *lang; /* "nl", "en", "fr", ... */
    const char *name;
    const char *description;
    const char *annotation;
} wb_cat_text;

/* A mapping from a principles node to requirements of another catalogue. */
typedef struct wb_cat_map {
    const char *catalogue; /* catalogue name as `assess catalogues` lists it */
    const char **refs;
    size_t nrefs;
    size_t line; /* where the list is, for error messages */
} wb_cat_map;

typedef struct wb_req_node {
    const char *urn;
    const char *parent_urn; /* NULL for a root */
    const char *ref_id;     /* NULL when the file gives none */
    /* What the command line and answers call the node: ref_id, else the urn
     * without the catalogue's "urn:...:req_node:<framework>:" prefix. */
    const char *key;
    wb_cat_text *texts; /* texts[0] is in the catalogue's locale */
    size_t ntexts;
    bool assessable;
    int depth;        /* 1 for a root, from the tree (not the file's depth field) */
    size_t line;      /* line of the node in the file */
    long parent;      /* index into nodes[], -1 for a root */
    size_t *children; /* indexes, in file order */
    size_t nchildren;
    uint16_t nis2_measures; /* bit i set: NIS2 Art. 21(2) measure 'a' + i */
    wb_cat_map *maps;       /* maps_to */
    size_t nmaps;
} wb_req_node;

typedef struct wb_cat_index wb_cat_index;

typedef struct wb_catalogue {
    const char *name; /* file base name without .yaml/.yml: "cbw_nis2" */
    const char *path;
    const char *urn;
    const char *ref_id;
    const char *locale;
    const char *provider;
    const char *copyright; /* the attribution to show with the catalogue */
    const char *version;
    const char *publication_date;
    wb_cat_text *texts; /* title (name) and description; texts[0] in the locale */
    size_t ntexts;
    wb_req_node *nodes; /* in file order; a parent always before its children */
    size_t nnodes;
    size_t nassessable;
    size_t *roots;
    size_t nroots;
    wb_cat_index *index; /* key, ref_id and urn to node */
    wb_arena arena;      /* owns everything above */
} wb_catalogue;

/* Parses a catalogue from memory. srcname names the input in messages
 * ("cbw_nis2.yaml:120: ..."), name is what the catalogue is called. Errors:
 * WB_EPARSE (YAML syntax or a missing/ill-typed field, with the line or the
 * node's urn), WB_ELIMIT (a bound above), WB_ENOMEM. *out owns a new catalogue
 * (wb_catalogue_free) on success and is NULL on failure. */
int wb_catalogue_parse(const char *data, size_t len, const char *srcname, const char *name,
                       wb_catalogue **out, wb_error *err);
/* Reads and parses a file (gzip/zstd transparently); the name is the file's
 * base name without .yaml/.yml (and .gz/.zst). */
int wb_catalogue_load(const char *path, wb_catalogue **out, wb_error *err);
void wb_catalogue_free(wb_catalogue *cat);

/* Node by key, ref_id or urn, or NULL. */
const wb_req_node *wb_catalogue_find(const wb_catalogue *cat, const char *ref);
/* Index of a node in cat->nodes. */
size_t wb_catalogue_node_index(const wb_catalogue *cat, const wb_req_node *node);

enum wb_cat_field { WB_TEXT_NAME, WB_TEXT_DESCRIPTION, WB_TEXT_ANNOTATION };

/* A field in the language asked for, else in the other of nl/en, else in the
 * catalogue's locale, else in any language it has. *shown (may be NULL) is
 * set to the language returned. NULL when the field is absent everywhere. */
const char *wb_cat_text_get(const wb_cat_text *texts, size_t ntexts, enum wb_cat_field field,
                            const char *lang, const char **shown);

/* The language codes a catalogue has text in, locale first, comma-separated,
 * into out. */
void wb_catalogue_languages(const wb_catalogue *cat, char *out, size_t cap);

/* ---- sets of catalogues in directories -------------------------------------- */

typedef struct wb_catset wb_catset;

/* NULL when out of memory. */
wb_catset *wb_catset_new(void);
/* Adds every *.yaml and *.yml file of dir (not loaded yet). A name already in
 * the set is replaced: a directory added later overrides the built-in one.
 * WB_ENOTFOUND when dir cannot be opened. */
int wb_catset_add_dir(wb_catset *set, const char *dir, wb_error *err);
size_t wb_catset_count(const wb_catset *set);
/* Entries are sorted by name. */
const char *wb_catset_name(const wb_catset *set, size_t i);
const char *wb_catset_path(const wb_catset *set, size_t i);
/* Loads a catalogue on first use and keeps it; the set owns *out.
 * WB_ENOTFOUND (message lists the names there are) or a load error. */
int wb_catset_get(wb_catset *set, const char *name, const wb_catalogue **out, wb_error *err);
void wb_catset_free(wb_catset *set);

/* The built-in catalogue directory: $WEERBAAR_CATALOGUES when set, else the
 * first that exists of <dir of the executable>/../share/weerbaar/catalogues
 * (installed) and <dir of the executable>/../data/catalogues (a build
 * directory inside the source tree). 0 with the path in out, WB_ENOTFOUND. */
int wb_catalogue_default_dir(char *out, size_t cap, wb_error *err);

/* ---- NIS2 Art. 21(2) measures ----------------------------------------------- */

#define WB_NIS2_MEASURES 10
/* Short title of measure i (0 = 'a') in "nl" or "en" (anything else: en). */
const char *wb_nis2_measure_title(int i, const char *lang);

/* ---- answers ----------------------------------------------------------------- */

#define WB_LEVEL_NA (-1)   /* not applicable: left out of every mean */
#define WB_LEVEL_NONE (-2) /* no answer (diffs only): counts as 0 in scores */

typedef struct wb_answer {
    const char *ref;      /* the node's key once checked against a catalogue */
    int level;            /* 0..5 or WB_LEVEL_NA */
    const char *evidence; /* NULL when empty */
    const char *owner;
    const char *note;
    wb_time due; /* a date (midnight UTC), WB_TIME_NONE when absent */
    size_t row;  /* row of the file it came from (header = row 1), 0 otherwise */
} wb_answer;

typedef struct wb_answers {
    wb_answer *items; /* in the order given */
    size_t n, cap;
    wb_arena arena; /* owns the strings */
    size_t *slots;  /* private: 1 + index into items by ref, 0 empty */
    size_t nslots;  /* private: a power of two */
} wb_answers;

/* NULL when out of memory. */
wb_answers *wb_answers_new(void);
void wb_answers_free(wb_answers *a);
/* Adds a copy of *ans, replacing an answer with the same ref. WB_EINVAL for
 * a level out of range or an empty ref, WB_ENOMEM. */
int wb_answers_set(wb_answers *a, const wb_answer *ans, wb_error *err);
const wb_answer *wb_answers_find(const wb_answers *a, const char *ref);

/* Parses answers as CSV (header row naming the columns ref,level,evidence,
 * owner,due,note; ref and level required, any order) or JSON (an array of
 * objects with those members, or an object whose "answers" is one); the
 * format is detected from the first non-blank byte; an XLSX workbook (a zip
 * archive) is read as the CSV of its first sheet. With cat non-NULL each ref
 * must name an assessable requirement of cat (and is stored as its key).
 * All or nothing: the first bad row fails the whole input with WB_EPARSE and
 * "name:LINE: row N, column C: reason" (CSV) or "name: $[i].member: reason"
 * (JSON), and *out is NULL. */
int wb_answers_parse(const char *data, size_t len, const char *name, const wb_catalogue *cat,
                     wb_answers **out, wb_error *err);
int wb_answers_parse_csv(const char *data, size_t len, const char *name, const wb_catalogue *cat,
                         wb_answers **out, wb_error *err);
int wb_answers_parse_json(const char *data, size_t len, const char *name, const wb_catalogue *cat,
                          wb_answers **out, wb_error *err);
/* Reads a file (size-bounded, gzip/zstd transparently) and parses it. */
int wb_answers_load(const char *path, const wb_catalogue *cat, wb_answers **out, wb_error *err);
/* Writes the answers as CSV with the header row, or as JSON
 * {"catalogue": ..., "answers": [...]} (catalogue may be NULL). Parsing
 * what is written gives the same answers. 0 or WB_ENOMEM. */
int wb_answers_write_csv(const wb_answers *a, wb_buf *out);
int wb_answers_write_json(const wb_answers *a, const char *catalogue, wb_buf *out);

/* ---- answer sheets (`assess template`) ------------------------------------------ */

/* What maturity level 0..5 (or WB_LEVEL_NA) means, in "nl" or "en"
 * (anything else: en); NULL for any other number. */
const char *wb_assess_level_meaning(int level, const char *lang);
/* The answer sheet of cat as CSV: columns ref, requirement, level,
 * evidence, owner, due, note, levels; one row per assessable requirement
 * with its text in lang and the answer columns empty. Importing it as it is
 * gives no answers. 0 or WB_ENOMEM. */
int wb_answers_template_csv(const wb_catalogue *cat, const char *lang, wb_buf *out);
/* The same as an XLSX workbook written to path: the sheet of answers (the
 * level a drop-down of 0-5 and n/a) and a sheet saying what the levels
 * mean. wb_answers_parse reads it back (the first sheet). WB_EIO or
 * WB_ENOMEM with the path. */
int wb_answers_template_xlsx(const wb_catalogue *cat, const char *lang, const char *path,
                             wb_error *err);

/* ---- scores ------------------------------------------------------------------ */

#define WB_ASSESS_DEFAULT_TARGET 3

/* A score and the coverage behind it. */
typedef struct wb_score {
    double value;      /* mean maturity 0..5; only meaningful when has_value */
    bool has_value;    /* false when nothing under it can be scored (all n/a) */
    size_t answered;   /* assessable requirements answered (n/a counts) */
    size_t assessable; /* assessable requirements under it */
    /* Maturity apart from coverage: the plain mean level of the requirements
     * answered with a level (n/a and unanswered left out), meaningful when
     * rated > 0. value above counts unanswered as 0 and so mixes both. */
    size_t rated;
    double maturity;
} wb_score;

/* A requirement below the target level. */
typedef struct wb_gap {
    size_t node; /* index into the catalogue's nodes */
    int level;   /* 0..5; 0 when unanswered */
    bool answered;
    int shortfall; /* target - level, > 0 */
    int principle; /* 1..n of the first principle it maps to, 0 none */
} wb_gap;

typedef struct wb_group_score {
    const wb_req_node *group; /* the principle's node; NULL for a NIS2 measure */
    int measure;              /* 0..9 for a NIS2 measure, -1 for a principle */
    wb_score score;
} wb_group_score;

typedef struct wb_scores {
    int target;
    wb_score overall; /* the catalogue as a node whose children are the roots */
    wb_score *nodes;  /* per node, indexed like cat->nodes */
    int *levels;      /* per node: 0..5, WB_LEVEL_NA, WB_LEVEL_NONE (unanswered
                         or not assessable) */
    bool mapped;      /* the principles catalogue says how to read this one */
    wb_group_score measures[WB_NIS2_MEASURES];
    wb_group_score *principles;
    size_t nprinciples;
    wb_gap *gaps; /* largest shortfall first, then by principle, then file order */
    size_t ngaps;
} wb_scores;

/* Scores answers against a catalogue. principles (may be NULL, or cat itself)
 * supplies the per-measure and per-principle views. target is 1..5.
 * Scoring rules:
 *   - an assessable requirement scores its level; n/a has no score; an
 *     unanswered one scores 0 and counts against coverage;
 *   - a node scores the mean of its own score (when assessable, not n/a) and
 *     the scores of those of its children that have one;
 *   - a measure or principle scores the mean of the requirements mapped to
 *     it (n/a left out, unanswered 0).
 * Answers whose ref is not an assessable requirement of cat: WB_EINVAL. */
int wb_assess_score(const wb_catalogue *cat, const wb_answers *ans, const wb_catalogue *principles,
                    int target, wb_scores **out, wb_error *err);
void wb_scores_free(wb_scores *s);

/* ---- diff --------------------------------------------------------------------- */

typedef enum wb_diff_kind {
    WB_DIFF_UNCHANGED,
    WB_DIFF_IMPROVED, /* a higher level */
    WB_DIFF_SLIPPED,  /* a lower level */
    WB_DIFF_NEW,      /* answered only in the newer set */
    WB_DIFF_REMOVED,  /* answered only in the older set */
    WB_DIFF_CHANGED   /* to or from n/a: neither better nor worse */
} wb_diff_kind;

const char *wb_diff_kind_name(wb_diff_kind k);

typedef struct wb_diff_item {
    size_t node;  /* index into the catalogue's nodes */
    int from, to; /* 0..5, WB_LEVEL_NA or WB_LEVEL_NONE */
    wb_diff_kind kind;
} wb_diff_item;

/* Compares two answer sets over cat's assessable requirements answered in
 * either, in catalogue order. *items is heap memory the caller frees.
 * WB_EINVAL for a ref not in cat, WB_ENOMEM. */
int wb_assess_diff(const wb_catalogue *cat, const wb_answers *from, const wb_answers *to,
                   wb_diff_item **items, size_t *n, wb_error *err);

#ifdef __cplusplus
}
#endif
#endif
