/*
 * zeek_cut.h - the Zeek TSV reader's line cutter and block scan, included
 * twice by zeek.c: once for the baseline target and once, on x86-64 with
 * gcc, under `#pragma GCC target("avx2")` with ZEEK_CUT_AVX2 set, so that
 * the separator and newline masks of a 64-byte window take two 32-byte
 * compares instead of four 16-byte ones and the code around them is
 * compiled for the same target. zeek.c picks one per block at run time
 * (__builtin_cpu_supports). ZC(name) gives each copy its own names. No
 * include guard: that is the point.
 */

static inline void ZC(window_masks)(const char *p, char sep, uint64_t *sm, uint64_t *nm)
{
#if ZEEK_CUT_AVX2
    const __m256i vs = _mm256_set1_epi8(sep), vn = _mm256_set1_epi8('\n');
    const __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
    const __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
    *sm = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, vs)) |
          (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, vs)) << 32;
    *nm = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, vn)) |
          (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, vn)) << 32;
#elif defined(__SSE2__)
    const __m128i vs = _mm_set1_epi8(sep), vn = _mm_set1_epi8('\n');
    uint64_t s = 0, n = 0;
    for (int k = 0; k < 4; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        s |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vs)) << (16 * k);
        n |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vn)) << (16 * k);
    }
    *sm = s;
    *nm = n;
#else
    uint64_t s = 0, n = 0;
    for (int i = 0; i < 64; i++) {
        s |= (uint64_t)(p[i] == sep) << i;
        n |= (uint64_t)(p[i] == '\n') << i;
    }
    *sm = s;
    *nm = n;
#endif
}

static inline void ZC(cur_load)(zcur *c)
{
    size_t avail = c->len - c->base;
    if (avail >= 64) {
        ZC(window_masks)(c->buf + c->base, c->sep, &c->smask, &c->nmask);
        return;
    }
    /* The block's tail: never read past len; NULs are neither the
     * separator (a NUL separator is refused when the header is read) nor a
     * newline. */
    char tmp[64] = {0};
    memcpy(tmp, c->buf + c->base, avail);
    ZC(window_masks)(tmp, c->sep, &c->smask, &c->nmask);
}

static inline void ZC(cur_seek)(zcur *c, size_t pos)
{
    c->base = pos;
    if (pos < c->len) {
        ZC(cur_load)(c);
    } else {
        c->smask = c->nmask = 0;
    }
}

/* Moves to the next window; false at the end of the block. */
static inline bool ZC(cur_advance)(zcur *c)
{
    if (c->base + 64 >= c->len) return false;
    c->base += 64;
    ZC(cur_load)(c);
    return true;
}

/* Cuts the data line at the cursor: stores the starts of its columns up to
 * column `need` in b[1..] (at most ncols - 1 of them), counts the
 * separators after that without storing them (the field check needs the
 * count, the matcher not the columns), and takes the line's newline.
 * Returns the number of separators; *end gets the offset of the newline, or
 * len for a last line without one. */
static inline uint32_t ZC(cur_line)(zcur *c, size_t *b, uint32_t ncols, uint32_t need, size_t *end)
{
    uint32_t col = 0;
    for (;;) {
        uint64_t any = c->smask | c->nmask;
        if (!any) {
            if (!ZC(cur_advance)(c)) {
                *end = c->len;
                return col;
            }
            continue;
        }
        unsigned bit = (unsigned)__builtin_ctzll(any);
        if (c->nmask >> bit & 1) {
            *end = c->base + bit;
            cur_take(c, bit);
            return col;
        }
        c->smask &= c->smask - 1;
        if (++col < ncols) b[col] = c->base + bit + 1;
        if (col == need) break;
    }
    /* The rest of the line: only counted. */
    for (;;) {
        if (c->nmask) {
            unsigned bit = (unsigned)__builtin_ctzll(c->nmask);
            col += popcount64(c->smask & ((1ULL << bit) - 1));
            *end = c->base + bit;
            cur_take(c, bit);
            return col;
        }
        col += popcount64(c->smask);
        if (!ZC(cur_advance)(c)) {
            *end = c->len;
            return col;
        }
    }
}

static int ZC(zeek_scan)(const void *state, void **state_out, wb_scan *s, const char *buf,
                         size_t len, const wb_logopts *opts)
{
    (void)opts;
    const zstate *cur = state;
    zstate *own = NULL;
    zctx z = {.s = s};
    size_t *bounds = NULL, bcap = 0;
    int rc = 0;
    uint64_t line = 0;
    size_t pos = 0;
    zcur c = {.buf = buf, .len = len, .sep = cur ? cur->sep : '\t'};
    bool synced = false;
    *state_out = NULL;
    while (pos < len) {
        const char *p = buf + pos;
        if (*p == '#' || !cur || !cur->ncols || *p == '\n' || *p == '\r') {
            const char *nl = memchr(p, '\n', len - pos);
            size_t n = nl ? (size_t)(nl - p) : len - pos;
            size_t ln = n && p[n - 1] == '\r' ? n - 1 : n;
            if (*p == '#') {
                rc = header(&own, &cur, s, line, p, ln);
                if (rc) goto out;
                if (cur) c.sep = cur->sep;
            } else if (!wbi_blank(p, ln)) {
                wb_scan_malformed(s, line, "Zeek: no #fields header before this line");
            }
            line++;
            pos += n + (nl != NULL);
            synced = false; /* the cursor is behind: reposition it at the next data line */
            continue;
        }
        if (bcap < (size_t)cur->ncols + 1) {
            free(bounds);
            bcap = (size_t)cur->ncols + 1;
            bounds = malloc(bcap * sizeof *bounds);
            if (!bounds) {
                rc = WB_ENOMEM;
                goto out;
            }
        }
        uint32_t ncols = cur->ncols;
        if (!synced) {
            ZC(cur_seek)(&c, pos);
            synced = true;
        }
        size_t e;
        bounds[0] = pos;
        uint32_t col = ZC(cur_line)(&c, bounds, ncols, cur->need, &e);
        size_t end = e;
        if (end > pos && buf[end - 1] == '\r') end--;
        if (col + 1 != ncols) {
            wb_scan_malformed(s, line, "Zeek: wrong number of fields");
        } else {
            bounds[ncols] = end + 1;
            z.st = cur;
            rc = record(&z, buf, bounds, line);
            if (rc) goto out;
        }
        line++;
        pos = e < len ? e + 1 : len;
    }
out:
    s->lines = line;
    free(bounds);
    wb_buf_free(&z.scratch);
    if (rc) {
        zstate_free(own);
        return rc;
    }
    *state_out = own;
    return 0;
}
