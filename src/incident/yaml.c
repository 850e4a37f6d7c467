/*
 * yaml.c - a report document written in YAML, read as the JSON it stands
 * for (wb_report_doc_json), so that every step after it (validation with
 * JSON paths, the register, the hub) sees JSON only.
 *
 * Built from libyaml's event API rather than its document API, for the
 * same reasons as the catalogues' reader (src/assess/yaml_tree.c): aliases
 * are refused (a report never needs one, and they are how "billion laughs"
 * inputs grow), nesting and node count are bounded, and each problem names
 * the file, line and column.
 *
 * Scalars follow YAML 1.2's core schema, not 1.1's: a plain `yes` or `no`
 * stays the text a report's answers are (`malicious: yes`), and a plain
 * date-time stays text. A plain null, ~ or nothing is null; true/false
 * are booleans; a plain number is a number; anything quoted, a block
 * scalar or one tagged !!str is text.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <yaml.h>

#include "incident/incident_internal.h"

#define YAML_MAX_DEPTH 32
#define YAML_MAX_NODES 100000

typedef struct yctx {
    const char *name;
    wb_error *err;
    size_t nodes;
} yctx;

static int at(yctx *y, const yaml_mark_t *m, int code, const char *what)
{
    return wb_error_set(y->err, code, "%s:%zu:%zu: YAML: %s", y->name, (size_t)m->line + 1,
                        (size_t)m->column + 1, what);
}

static bool plain_is(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0) return true;
    return false;
}

/* A plain scalar's JSON value under the core schema. NULL when out of
 * memory. */
static json_t *plain_value(const char *s, size_t n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    if (plain_is(s, nulls)) return json_null();
    if (plain_is(s, trues)) return json_true();
    if (plain_is(s, falses)) return json_false();
    const char *p = s + (s[0] == '-' || s[0] == '+');
    size_t digits = strspn(p, "0123456789");
    if (digits > 0 && p[digits] == '\0' && digits <= 18) {
        int64_t v;
        if (wb_parse_i64(s[0] == '+' ? s + 1 : s, s[0] == '+' ? n - 1 : n, INT64_MIN, INT64_MAX,
                         &v) == 0)
            return json_integer((json_int_t)v);
    }
    /* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
    const char *q = p;
    size_t before = strspn(q, "0123456789");
    q += before;
    size_t after = 0;
    if (*q == '.') {
        after = strspn(q + 1, "0123456789");
        q += 1 + after;
    }
    bool number = before + after > 0;
    if (number && (*q == 'e' || *q == 'E')) {
        const char *e = q + 1 + (q[1] == '-' || q[1] == '+');
        size_t ed = strspn(e, "0123456789");
        q = ed ? e + ed : q;
        number = ed > 0;
    }
    if (number && *q == '\0') {
        errno = 0;
        double d = strtod(s, NULL);
        if (errno == 0 && isfinite(d)) return json_real(d);
    }
    return json_stringn(s, n);
}

static json_t *scalar_value(const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    bool text = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
                (tag && strcmp(tag, YAML_STR_TAG) == 0) || strlen(s) != n;
    return text ? json_stringn(s, n) : plain_value(s, n);
}

/* Reads the node whose first event is ev (taken over) into *out. */
static int read_node(yctx *y, yaml_parser_t *p, yaml_event_t *ev, size_t depth, json_t **out)
{
    *out = NULL;
    if (++y->nodes > YAML_MAX_NODES)
        return at(y, &ev->start_mark, WB_ELIMIT, "more than 100000 values");
    if (depth > YAML_MAX_DEPTH)
        return at(y, &ev->start_mark, WB_ELIMIT, "nested more than 32 deep");
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        return at(y, &ev->start_mark, WB_EPARSE, "aliases (*name) are not accepted in a report");
    case YAML_SCALAR_EVENT:
        *out = scalar_value(ev);
        return *out ? 0 : wb_error_set(y->err, WB_ENOMEM, "out of memory");
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        break;
    default:
        return at(y, &ev->start_mark, WB_EPARSE, "unexpected event");
    }
    bool map = ev->type == YAML_MAPPING_START_EVENT;
    json_t *c = map ? json_object() : json_array();
    if (c == NULL) return wb_error_set(y->err, WB_ENOMEM, "out of memory");
    int rc = 0;
    for (;;) {
        yaml_event_t k;
        if (!yaml_parser_parse(p, &k)) {
            rc = at(y, &p->problem_mark, WB_EPARSE, p->problem ? p->problem : "syntax error");
            break;
        }
        if (k.type == YAML_SEQUENCE_END_EVENT || k.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&k);
            break;
        }
        char *key = NULL;
        yaml_mark_t km = k.start_mark;
        if (map) {
            if (k.type != YAML_SCALAR_EVENT) {
                rc = at(y, &km, WB_EPARSE, "a key must be plain text");
                yaml_event_delete(&k);
                break;
            }
            key = strndup((const char *)k.data.scalar.value, k.data.scalar.length);
            yaml_event_delete(&k);
            if (key == NULL) {
                rc = wb_error_set(y->err, WB_ENOMEM, "out of memory");
                break;
            }
            if (json_object_get(c, key)) {
                char what[160];
                snprintf(what, sizeof what, "the key '%.100s' appears twice", key);
                rc = at(y, &km, WB_EPARSE, what);
                free(key);
                break;
            }
            if (!yaml_parser_parse(p, &k)) {
                rc = at(y, &p->problem_mark, WB_EPARSE, p->problem ? p->problem : "syntax error");
                free(key);
                break;
            }
        }
        json_t *v = NULL;
        rc = read_node(y, p, &k, depth + 1, &v);
        yaml_event_delete(&k);
        if (rc == 0 && (map ? json_object_set_new(c, key, v) : json_array_append_new(c, v)) != 0)
            rc = wb_error_set(y->err, WB_ENOMEM, "out of memory");
        free(key);
        if (rc) break;
    }
    if (rc) {
        json_decref(c);
        return rc;
    }
    *out = c;
    return 0;
}

int wbi_incident_yaml_load(const char *name, const char *data, size_t len, json_t **out,
                           wb_error *err)
{
    *out = NULL;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) return wb_error_set(err, WB_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    yctx y = {.name = name, .err = err};
    json_t *root = NULL;
    int rc = 0, docs = 0;
    for (bool done = false; rc == 0 && !done;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = at(&y, &p.problem_mark, p.error == YAML_MEMORY_ERROR ? WB_ENOMEM : WB_EPARSE,
                    p.problem ? p.problem : "syntax error");
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                rc = at(&y, &ev.start_mark, WB_EPARSE, "a second document; a report is one");
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
        case YAML_SCALAR_EVENT:
        case YAML_ALIAS_EVENT:
            rc = read_node(&y, &p, &ev, 0, &root);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    if (rc) {
        json_decref(root);
        return rc;
    }
    /* An empty document is an empty report (its stage check says what is
     * missing) rather than null. */
    *out = root ? root : json_object();
    return *out ? 0 : wb_error_set(err, WB_ENOMEM, "out of memory");
}

/* JSON when the first character other than white space (or a byte-order
 * mark) opens an object or array; YAML otherwise. */
static bool looks_json(const char *data, size_t len)
{
    size_t i = 0;
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) i = 3;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    return i < len && (data[i] == '{' || data[i] == '[');
}

int wb_report_doc_json(const char *name, const char *data, size_t len, wb_buf *out, wb_error *err)
{
    wb_buf_reset(out);
    if (len > WB_REPORT_MAX_BYTES)
        return wb_error_set(err, WB_ELIMIT, "%s: report larger than %zu bytes", name,
                            WB_REPORT_MAX_BYTES);
    if (looks_json(data, len))
        return wb_buf_append(out, data, len) == 0 ? 0
                                                  : wb_error_set(err, WB_ENOMEM, "out of memory");
    json_t *root = NULL;
    int rc = wbi_incident_yaml_load(name, data, len, &root, err);
    if (rc) return rc;
    char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    json_decref(root);
    if (text == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    rc = wb_buf_puts(out, text);
    free(text);
    return rc == 0 ? 0 : wb_error_set(err, WB_ENOMEM, "out of memory");
}
