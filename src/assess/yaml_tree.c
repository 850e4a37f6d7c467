/*
 * yaml_tree.c - a YAML document as a small tree in an arena, built from
 * libyaml's event API.
 *
 * libyaml's document API would build a tree too, but it follows aliases and
 * nests without a bound. Building from events lets us refuse aliases (a
 * catalogue never needs one, and they are how "billion laughs" inputs grow),
 * bound nesting, node count and scalar length, and keep the line of every
 * node for error messages.
 */
#include <string.h>
#include <yaml.h>

#include "assess/assess_internal.h"

static wbi_ynode *ynode_new(wb_arena *a, int kind, size_t line)
{
    wbi_ynode *n = wb_arena_alloc(a, sizeof *n);
    if (n) {
        memset(n, 0, sizeof *n);
        n->kind = kind;
        n->line = line;
    }
    return n;
}

static void ynode_append(wbi_ynode *parent, wbi_ynode *child)
{
    if (parent->last)
        parent->last->next = child;
    else
        parent->first = child;
    parent->last = child;
    parent->n++;
}

int wbi_yaml_parse(const char *data, size_t len, const char *srcname, wb_arena *arena,
                   wbi_ynode **root, wb_error *err)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    wbi_ynode *stack[WB_CATALOGUE_MAX_NESTING + 1];
    size_t depth = 0, count = 0;
    int docs = 0, rc = 0;
    bool done = false;

    *root = NULL;
    if (!yaml_parser_initialize(&parser)) return wb_error_set(err, WB_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    while (rc == 0 && !done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = wb_error_set(err, WB_EPARSE, "%s:%zu: YAML: %s%s%s", srcname,
                              (size_t)parser.problem_mark.line + 1,
                              parser.problem ? parser.problem : "syntax error",
                              parser.context ? " " : "", parser.context ? parser.context : "");
            break;
        }
        size_t line = (size_t)ev.start_mark.line + 1;
        wbi_ynode *n = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                rc = wb_error_set(err, WB_EPARSE,
                                  "%s:%zu: a second YAML document; a catalogue is one document",
                                  srcname, line);
            break;
        case YAML_ALIAS_EVENT:
            rc =
                wb_error_set(err, WB_EPARSE, "%s:%zu: YAML aliases are not accepted in a catalogue",
                             srcname, line);
            break;
        case YAML_SCALAR_EVENT:
            if (ev.data.scalar.length > WB_CATALOGUE_MAX_SCALAR) {
                rc = wb_error_set(err, WB_ELIMIT, "%s:%zu: a text longer than %u bytes", srcname,
                                  line, WB_CATALOGUE_MAX_SCALAR);
                break;
            }
            n = ynode_new(arena, WBI_Y_SCALAR, line);
            if (n) {
                n->s = wb_arena_strndup(arena, (const char *)ev.data.scalar.value,
                                        ev.data.scalar.length);
                n->len = ev.data.scalar.length;
                n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                if (!n->s) n = NULL;
            }
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (depth >= WB_CATALOGUE_MAX_NESTING) {
                rc = wb_error_set(err, WB_ELIMIT, "%s:%zu: nested deeper than %d levels", srcname,
                                  line, WB_CATALOGUE_MAX_NESTING);
                break;
            }
            n = ynode_new(arena, ev.type == YAML_SEQUENCE_START_EVENT ? WBI_Y_SEQ : WBI_Y_MAP,
                          line);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0) depth--;
            break;
        case YAML_NO_EVENT:
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_END_EVENT:
            break;
        }
        bool opens = ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT;
        bool makes = opens || ev.type == YAML_SCALAR_EVENT;
        yaml_event_delete(&ev);
        if (rc != 0 || !makes) continue;
        if (n == NULL) {
            rc = wb_error_set(err, WB_ENOMEM, "out of memory");
            break;
        }
        /* every node costs arena memory: bound their number by the input */
        if (++count > WBI_YAML_MAX_NODES) {
            rc = wb_error_set(err, WB_ELIMIT, "%s:%zu: more than %d YAML nodes", srcname, line,
                              WBI_YAML_MAX_NODES);
            break;
        }
        if (depth > 0)
            ynode_append(stack[depth - 1], n);
        else if (*root == NULL)
            *root = n;
        if (opens) stack[depth++] = n;
    }
    yaml_parser_delete(&parser);
    if (rc == 0 && *root == NULL)
        rc = wb_error_set(err, WB_EPARSE, "%s:1: empty YAML document", srcname);
    if (rc != 0) *root = NULL;
    return rc;
}

wbi_ynode *wbi_ymap_get(const wbi_ynode *map, const char *key)
{
    if (map == NULL || map->kind != WBI_Y_MAP) return NULL;
    for (wbi_ynode *k = map->first; k && k->next; k = k->next->next)
        if (k->kind == WBI_Y_SCALAR && strcmp(k->s, key) == 0) return k->next;
    return NULL;
}

bool wbi_yscalar_is_null(const wbi_ynode *n)
{
    return n->kind == WBI_Y_SCALAR && n->plain &&
           (n->len == 0 || strcmp(n->s, "~") == 0 || strcmp(n->s, "null") == 0 ||
            strcmp(n->s, "Null") == 0 || strcmp(n->s, "NULL") == 0);
}
