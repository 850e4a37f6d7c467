/*
 * ratelimit.c - a token bucket per API key: `rate` requests a second on
 * average, bursts of up to `burst`. Buckets live in an open-addressing
 * table keyed by key id behind one mutex; the critical section is a few
 * arithmetic operations, far below the cost of the request it guards.
 *
 * The table only grows (one slot per key that has been used since start),
 * which is bounded by the number of keys in the database.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub_internal.h"

int wbi_ratelimit_init(wbi_ratelimit *rl, double rate, double burst)
{
    memset(rl, 0, sizeof *rl);
    rl->rate = rate;
    rl->burst = burst < 1 ? 1 : burst;
    rl->cap = 64;
    rl->slots = calloc(rl->cap, sizeof *rl->slots);
    if (rl->slots == NULL) return WB_ENOMEM;
    if (pthread_mutex_init(&rl->lock, NULL) != 0) {
        free(rl->slots);
        return WB_ENOMEM;
    }
    return 0;
}

static wbi_bucket *slot(wbi_bucket *slots, size_t cap, int64_t key)
{
    size_t i = (size_t)wb_hash_u64((uint64_t)key) & (cap - 1);
    while (slots[i].key_id != 0 && slots[i].key_id != key)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static int grow(wbi_ratelimit *rl)
{
    size_t nc = rl->cap * 2;
    wbi_bucket *ns = calloc(nc, sizeof *ns);
    if (ns == NULL) return WB_ENOMEM;
    for (size_t i = 0; i < rl->cap; i++)
        if (rl->slots[i].key_id != 0) *slot(ns, nc, rl->slots[i].key_id) = rl->slots[i];
    free(rl->slots);
    rl->slots = ns;
    rl->cap = nc;
    return 0;
}

bool wbi_ratelimit_take(wbi_ratelimit *rl, int64_t key_id, wb_time now, unsigned *retry)
{
    bool ok = true;
    *retry = 0;
    pthread_mutex_lock(&rl->lock);
    /* Keep the table at most half full so probes stay short. */
    if ((rl->used + 1) * 2 > rl->cap && grow(rl) != 0) {
        /* Out of memory: let the request through rather than fail it. */
        pthread_mutex_unlock(&rl->lock);
        return true;
    }
    wbi_bucket *b = slot(rl->slots, rl->cap, key_id);
    if (b->key_id == 0) {
        b->key_id = key_id;
        b->tokens = rl->burst;
        b->last = now;
        rl->used++;
    }
    double elapsed = (double)(now - b->last) / 1e6;
    if (elapsed > 0) {
        b->tokens = fmin(rl->burst, b->tokens + elapsed * rl->rate);
        b->last = now;
    }
    if (b->tokens >= 1) {
        b->tokens -= 1;
    } else {
        ok = false;
        double wait = (1 - b->tokens) / rl->rate;
        *retry = (unsigned)ceil(wait);
        if (*retry == 0) *retry = 1;
    }
    pthread_mutex_unlock(&rl->lock);
    return ok;
}

void wbi_ratelimit_free(wbi_ratelimit *rl)
{
    if (rl->slots) pthread_mutex_destroy(&rl->lock);
    free(rl->slots);
    memset(rl, 0, sizeof *rl);
}
