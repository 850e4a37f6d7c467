/*
 * ratelimit.c - a token bucket per API key: `rate` requests a second on
 * average, bursts of up to `burst`. Buckets live in an open-addressing
 * table keyed by key id behind one mutex; the critical section is a few
 * arithmetic operations, far below the cost of the request it guards.
 *
 * Buckets of keys are bounded by the keys in the database; the sign-in
 * throttles (session_api.c) key buckets by e-mail and client address,
 * which strangers choose, so before the table grows past PRUNE_AT buckets
 * it drops the ones that have refilled to the burst: a full bucket is the
 * same as none (a new one starts full), and the table stays as large as
 * the keys active within a refill period.
 *
 * Beside it, a count per client address (wbi_hub_addrcount): the connections
 * and feed streams each address holds at once, which the server and the
 * feeds bound (docs/hub.md, "Limits"). Unlike keys, addresses come from
 * strangers, so that table drops the addresses whose count went back to 0
 * whenever it is rebuilt, and stays as large as the addresses active at
 * once.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub_internal.h"

int wbi_hub_ratelimit_init(wbi_hub_ratelimit *rl, double rate, double burst)
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

static wbi_hub_bucket *slot(wbi_hub_bucket *slots, size_t cap, int64_t key)
{
    size_t i = (size_t)wb_hash_u64((uint64_t)key) & (cap - 1);
    while (slots[i].key_id != 0 && slots[i].key_id != key)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

#define PRUNE_AT 4096

/* Rebuilds the table at capacity nc, without the buckets that are full at
 * time now (all of them kept when now is 0). */
static int rebuild(wbi_hub_ratelimit *rl, size_t nc, wb_time now)
{
    wbi_hub_bucket *ns = calloc(nc, sizeof *ns);
    if (ns == NULL) return WB_ENOMEM;
    size_t used = 0;
    for (size_t i = 0; i < rl->cap; i++) {
        const wbi_hub_bucket *b = &rl->slots[i];
        if (b->key_id == 0) continue;
        if (now && b->tokens + (double)(now - b->last) / 1e6 * rl->rate >= rl->burst) continue;
        *slot(ns, nc, b->key_id) = *b;
        used++;
    }
    free(rl->slots);
    rl->slots = ns;
    rl->cap = nc;
    rl->used = used;
    return 0;
}

static int grow(wbi_hub_ratelimit *rl, wb_time now)
{
    /* Dropping full buckets first; grown only when that frees too little. */
    if (rl->used >= PRUNE_AT && rebuild(rl, rl->cap, now) == 0 && (rl->used + 1) * 2 <= rl->cap)
        return 0;
    return rebuild(rl, rl->cap * 2, 0);
}

bool wbi_hub_ratelimit_take(wbi_hub_ratelimit *rl, int64_t key_id, wb_time now, unsigned *retry)
{
    bool ok = true;
    *retry = 0;
    pthread_mutex_lock(&rl->lock);
    /* Keep the table at most half full so probes stay short. */
    if ((rl->used + 1) * 2 > rl->cap && grow(rl, now) != 0) {
        /* Out of memory: let the request through rather than fail it. */
        pthread_mutex_unlock(&rl->lock);
        return true;
    }
    wbi_hub_bucket *b = slot(rl->slots, rl->cap, key_id);
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

void wbi_hub_ratelimit_give(wbi_hub_ratelimit *rl, int64_t key_id)
{
    pthread_mutex_lock(&rl->lock);
    wbi_hub_bucket *b = slot(rl->slots, rl->cap, key_id);
    if (b->key_id == key_id) b->tokens = fmin(rl->burst, b->tokens + 1);
    pthread_mutex_unlock(&rl->lock);
}

void wbi_hub_ratelimit_free(wbi_hub_ratelimit *rl)
{
    if (rl->slots) pthread_mutex_destroy(&rl->lock);
    free(rl->slots);
    memset(rl, 0, sizeof *rl);
}

/* ---- counts per address ------------------------------------------------------------ */

bool wbi_hub_addr_parse(const char *s, wbi_hub_addr *a)
{
    memset(a, 0, sizeof *a);
    struct in_addr v4;
    if (s && inet_pton(AF_INET, s, &v4) == 1) {
        a->b[10] = a->b[11] = 0xff;
        memcpy(a->b + 12, &v4, 4);
        return true;
    }
    return s && inet_pton(AF_INET6, s, a->b) == 1;
}

int wbi_hub_addrcount_init(wbi_hub_addrcount *t)
{
    memset(t, 0, sizeof *t);
    t->cap = 64;
    t->slots = calloc(t->cap, sizeof *t->slots);
    if (t->slots == NULL) return WB_ENOMEM;
    if (pthread_mutex_init(&t->lock, NULL) != 0) {
        free(t->slots);
        t->slots = NULL;
        return WB_ENOMEM;
    }
    return 0;
}

static wbi_hub_addrslot *addr_slot(wbi_hub_addrslot *slots, size_t cap, const wbi_hub_addr *a)
{
    size_t i = (size_t)wb_hash64(a->b, sizeof a->b, 0) & (cap - 1);
    while (slots[i].used && memcmp(slots[i].a.b, a->b, sizeof a->b) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

/* Rebuilds the table without the addresses at 0, twice as large when it
 * would still be more than a quarter full. */
static int addr_rebuild(wbi_hub_addrcount *t)
{
    size_t live = 0;
    for (size_t i = 0; i < t->cap; i++)
        live += t->slots[i].used && t->slots[i].n > 0;
    size_t nc = t->cap;
    while ((live + 1) * 4 > nc)
        nc *= 2;
    wbi_hub_addrslot *ns = calloc(nc, sizeof *ns);
    if (ns == NULL) return WB_ENOMEM;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].used && t->slots[i].n > 0) *addr_slot(ns, nc, &t->slots[i].a) = t->slots[i];
    free(t->slots);
    t->slots = ns;
    t->cap = nc;
    t->used = live;
    return 0;
}

bool wbi_hub_addrcount_take(wbi_hub_addrcount *t, const wbi_hub_addr *a, unsigned max)
{
    pthread_mutex_lock(&t->lock);
    wbi_hub_addrslot *s = addr_slot(t->slots, t->cap, a);
    if (!s->used && (t->used + 1) * 2 > t->cap) {
        if (addr_rebuild(t) != 0) {
            pthread_mutex_unlock(&t->lock);
            return false;
        }
        s = addr_slot(t->slots, t->cap, a);
    }
    bool ok = s->n < max;
    if (ok) {
        if (!s->used) {
            s->used = true;
            s->a = *a;
            t->used++;
        }
        s->n++;
    }
    pthread_mutex_unlock(&t->lock);
    return ok;
}

void wbi_hub_addrcount_give(wbi_hub_addrcount *t, const wbi_hub_addr *a)
{
    pthread_mutex_lock(&t->lock);
    wbi_hub_addrslot *s = addr_slot(t->slots, t->cap, a);
    if (s->used && s->n > 0) s->n--;
    pthread_mutex_unlock(&t->lock);
}

void wbi_hub_addrcount_free(wbi_hub_addrcount *t)
{
    if (t->slots) pthread_mutex_destroy(&t->lock);
    free(t->slots);
    memset(t, 0, sizeof *t);
}
