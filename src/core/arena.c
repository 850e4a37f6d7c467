/*
 * arena.c - region allocator for per-document and per-run data (indicator
 * strings, parsed schemas). Allocations are never freed one by one: the
 * whole arena goes at once, which keeps loaders simple and fast.
 */
#include <stdlib.h>
#include <string.h>

#include "weerbaar/core.h"

struct wb_arena_chunk {
    wb_arena_chunk *next;
    size_t size; /* usable bytes after the header */
    size_t off;  /* next free byte */
    _Alignas(16) unsigned char data[];
};

void wb_arena_init(wb_arena *a, size_t chunk_size)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
    a->used = 0;
}

void wb_arena_free(wb_arena *a)
{
    wb_arena_chunk *c = a->head;
    while (c) {
        wb_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
}

void *wb_arena_alloc(wb_arena *a, size_t n)
{
    if (a->chunk_size == 0) a->chunk_size = 64 * 1024;
    if (n > SIZE_MAX - 16) return NULL;
    size_t need = (n + 7) & ~(size_t)7;
    wb_arena_chunk *c = a->head;
    if (c == NULL || c->size - c->off < need) {
        /* Oversized requests get a chunk of their own so the current chunk's
         * remaining space is not wasted. */
        size_t size = need > a->chunk_size / 4 ? need : a->chunk_size;
        wb_arena_chunk *nc = malloc(sizeof *nc + size);
        if (nc == NULL) return NULL;
        nc->size = size;
        nc->off = 0;
        if (c != NULL && need > a->chunk_size / 4) {
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            a->head = nc;
        }
        c = nc;
    }
    void *p = c->data + c->off;
    c->off += need;
    a->used += need;
    return p;
}

char *wb_arena_strndup(wb_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX) return NULL;
    char *p = wb_arena_alloc(a, n + 1);
    if (p == NULL) return NULL;
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *wb_arena_strdup(wb_arena *a, const char *s)
{
    return wb_arena_strndup(a, s, strlen(s));
}
