/*
 * out.c - the report as text: a table for people, JSON and CSV for
 * programs, and the dependency graph (assets -> providers -> countries,
 * coloured by EU/EEA, sized by traffic) as GraphViz dot, as SVG laid out
 * here in three columns, and as a self-contained HTML page with the SVG
 * and the tables. The JSON fields are documented in docs/deps.md.
 *
 * The graph keeps the GRAPH_MAX_ASSETS and GRAPH_MAX_PROVIDERS largest (by
 * bytes; assets with an exposure always) and folds the rest into one
 * "other" node, so a thousand homes still give a picture people can read.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "deps/map_internal.h"

#define GRAPH_MAX_ASSETS 30
#define GRAPH_MAX_PROVIDERS 24

static double pct(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void fmt_time(wb_time t, char *out, size_t cap)
{
    if (t == WB_TIME_MAX || t == WB_TIME_NONE) {
        snprintf(out, cap, "-");
        return;
    }
    wb_time_format(t - t % 1000000, out, cap);
}

static void fmt_bytes(uint64_t b, char *out, size_t cap)
{
    static const char *const u[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    double v = (double)b;
    int i = 0;
    while (v >= 1000 && i < 5) {
        v /= 1000;
        i++;
    }
    if (i == 0)
        snprintf(out, cap, "%llu B", (unsigned long long)b);
    else
        snprintf(out, cap, "%.1f %s", v, u[i]);
}

static void join_names(const wb_deps_dep *d, char *out, size_t cap)
{
    size_t w = 0;
    out[0] = '\0';
    for (size_t i = 0; i < d->nnames && w < cap; i++) {
        int k = snprintf(out + w, cap - w, "%s%s", i ? " " : "", d->names[i]);
        if (k < 0) break;
        w += (size_t)k;
    }
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

/* "US 3, CN 1": the dependencies of an asset that leave the EU/EEA, counted
 * by decision country (by_provider false) or provider, most first. */
static void leaving_tally(const wb_deps_asset *as, bool by_provider, char *out, size_t cap)
{
    const char *keys[64];
    size_t cnt[64], n = 0;
    for (size_t k = 0; k < as->ndeps; k++) {
        const wb_deps_dep *d = &as->deps[k];
        if (!d->leaves_eu) continue;
        const char *key = by_provider ? d->provider : d->decide_cc;
        size_t i = 0;
        while (i < n && strcmp(keys[i], key) != 0)
            i++;
        if (i == n) {
            if (n == 64) continue;
            keys[n] = key;
            cnt[n++] = 0;
        }
        cnt[i]++;
    }
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && cnt[b] > cnt[b - 1]; b--) {
            const char *tk = keys[b];
            size_t tc = cnt[b];
            keys[b] = keys[b - 1];
            cnt[b] = cnt[b - 1];
            keys[b - 1] = tk;
            cnt[b - 1] = tc;
        }
    size_t w = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && w < cap; i++) {
        int k = snprintf(out + w, cap - w, "%s%s %zu", i ? ", " : "", keys[i], cnt[i]);
        if (k < 0) break;
        w += (size_t)k;
    }
}

static bool is_critical(const wb_deps_asset *as)
{
    return as->crit >= WB_CRIT_HIGH;
}

/* ---- table --------------------------------------------------------------------------- */

typedef struct table {
    size_t ncols, nrows, cap;
    char **cells; /* nrows * ncols, heap */
} table;

static int tbl_row(table *t, const char *const *vals)
{
    if (t->nrows == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 16;
        char **p = realloc(t->cells, nc * t->ncols * sizeof *p);
        if (!p) return WB_ENOMEM;
        t->cells = p;
        t->cap = nc;
    }
    for (size_t c = 0; c < t->ncols; c++) {
        t->cells[t->nrows * t->ncols + c] = strdup(vals[c] ? vals[c] : "");
        if (!t->cells[t->nrows * t->ncols + c]) {
            for (size_t k = 0; k < c; k++)
                free(t->cells[t->nrows * t->ncols + k]);
            return WB_ENOMEM;
        }
    }
    t->nrows++;
    return 0;
}

/* Columns widen to fit: identifiers are never cut (CONVENTIONS). */
static int tbl_out(table *t, wb_buf *out, const char *indent)
{
    size_t w[40] = {0};
    int rc = 0;
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols && c < 40; c++) {
            size_t l = strlen(t->cells[r * t->ncols + c]);
            if (l > w[c]) w[c] = l;
        }
    for (size_t r = 0; r < t->nrows && rc == 0; r++) {
        rc = wb_buf_puts(out, indent);
        for (size_t c = 0; c < t->ncols && rc == 0; c++) {
            const char *s = t->cells[r * t->ncols + c];
            if (c + 1 == t->ncols)
                rc = wb_buf_puts(out, s);
            else
                rc = wb_buf_printf(out, "%-*s  ", (int)w[c], s);
        }
        if (rc == 0) {
            while (out->len && out->data[out->len - 1] == ' ')
                out->data[--out->len] = '\0';
            rc = wb_buf_putc(out, '\n');
        }
    }
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
    return rc;
}

static void countries(const wb_deps_dep *d, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s/%s", d->ip.reg_cc[0] ? d->ip.reg_cc : "-",
             d->ip.loc_cc[0] ? d->ip.loc_cc : "-", d->jur_cc[0] ? d->jur_cc : "-");
}

static void asn_text(const wb_deps_dep *d, char *out, size_t cap)
{
    if (!d->ip.asn)
        snprintf(out, cap, "-");
    else
        snprintf(out, cap, "AS%u%s", d->ip.asn, d->ip.asn_from_holder ? "*" : "");
}

static int write_table(const wb_deps_report *r, wb_buf *out)
{
    char b1[32], b2[32], b3[32];
    size_t ndeps = 0;
    for (size_t a = 0; a < r->nassets; a++)
        ndeps += r->assets[a].ndeps;
    fmt_bytes(r->bytes, b1, sizeof b1);
    int rc = wb_buf_printf(out,
                           "%zu assets, %zu dependencies, %u observed days; %llu records read, "
                           "%llu skipped, %llu flows to or from an external endpoint\n"
                           "leaving the EU/EEA: %.1f %% of %s (country unknown: %.1f %%)\n"
                           "countries: registration/location/jurisdiction; AS* = the RIR "
                           "holder's AS, not an origin AS\n",
                           r->nassets, ndeps, r->observed_days, (unsigned long long)r->records,
                           (unsigned long long)r->skipped, (unsigned long long)r->flows,
                           pct(r->bytes_leaving, r->bytes), b1, pct(r->bytes_unknown, r->bytes));
    table t = {.ncols = 9};
    if (rc == 0) rc = wb_buf_printf(out, "\nremote-switch exposures: %zu\n", r->nexposures);
    if (rc == 0 && r->nexposures) {
        const char *h[] = {"ASSET",     "CLASS",   "ENDPOINT", "NAMES", "AS",
                           "COUNTRIES", "PATTERN", "EVIDENCE", "VENDOR"};
        rc = tbl_row(&t, h);
        for (size_t i = 0; rc == 0 && i < r->nexposures; i++) {
            const wb_deps_exposure *e = &r->exposures[i];
            char names[512], asn[32], cc[16], ev[160], vend[160];
            join_names(e->dep, names, sizeof names);
            asn_text(e->dep, asn, sizeof asn);
            countries(e->dep, cc, sizeof cc);
            snprintf(ev, sizeof ev, "%u/%u days >=%u/day, max %u/day, longest %.0f s",
                     e->dep->periodic_days, r->observed_days, r->cfg.periodic_per_day,
                     e->dep->max_per_day, e->dep->max_session_s);
            if (e->dep->vendor)
                snprintf(vend, sizeof vend, "%s%s%s", e->dep->vendor->vendor,
                         e->dep->vendor->verified ? "" : " (unverified)",
                         e->dep->vendor->remote_control == 1 ? ", remote control documented" : "");
            else
                snprintf(vend, sizeof vend, "-");
            const char *v[] = {e->asset->name,
                               wb_devclass_name(e->asset->cls),
                               e->dep->addr,
                               or_dash(names),
                               asn,
                               cc,
                               wb_pattern_name(e->dep->pattern),
                               ev,
                               vend};
            rc = tbl_row(&t, v);
        }
        if (rc == 0) rc = tbl_out(&t, out, "  ");
    }
    size_t ncrit = 0;
    for (size_t a = 0; a < r->nassets; a++)
        ncrit += is_critical(&r->assets[a]);
    if (rc == 0)
        rc = wb_buf_printf(out, "\ncritical assets (criticality high or critical): %zu\n", ncrit);
    if (rc == 0 && ncrit) {
        t = (table){.ncols = 6};
        const char *h[] = {"ASSET",         "CLASS",      "DEPS LEAVING",
                           "BYTES LEAVING", "BY COUNTRY", "BY PROVIDER"};
        rc = tbl_row(&t, h);
        for (size_t a = 0; rc == 0 && a < r->nassets; a++) {
            const wb_deps_asset *as = &r->assets[a];
            if (!is_critical(as)) continue;
            char dl[48], bl[24], bc[256], bp[512];
            snprintf(dl, sizeof dl, "%zu of %zu", as->deps_leaving, as->ndeps);
            snprintf(bl, sizeof bl, "%.1f %%", pct(as->bytes_leaving, as->bytes));
            leaving_tally(as, false, bc, sizeof bc);
            leaving_tally(as, true, bp, sizeof bp);
            const char *v[] = {as->name,   wb_devclass_name(as->cls), dl, bl, or_dash(bc),
                               or_dash(bp)};
            rc = tbl_row(&t, v);
        }
        if (rc == 0) rc = tbl_out(&t, out, "  ");
    }
    for (size_t a = 0; rc == 0 && a < r->nassets; a++) {
        const wb_deps_asset *as = &r->assets[a];
        fmt_bytes(as->bytes, b1, sizeof b1);
        rc = wb_buf_printf(out,
                           "\nasset %s (%s, %s%s%s, criticality %s): %zu dependencies, %zu "
                           "leave the EU/EEA, %.1f %% of %s\n",
                           as->name, as->addr, wb_devclass_name(as->cls),
                           as->owner && as->owner[0] ? ", owner " : "", as->owner ? as->owner : "",
                           wb_crit_name(as->crit), as->ndeps, as->deps_leaving,
                           pct(as->bytes_leaving, as->bytes), b1);
        t = (table){.ncols = 12};
        const char *h[] = {"ENDPOINT", "NAMES", "AS",    "PROVIDER", "COUNTRIES", "EU/EEA",
                           "OUT",      "IN",    "FLOWS", "FIRST",    "PATTERN",   "PORTS"};
        if (rc == 0) rc = tbl_row(&t, h);
        for (size_t k = 0; rc == 0 && k < as->ndeps; k++) {
            const wb_deps_dep *d = &as->deps[k];
            char names[512], asn[32], cc[16], fl[24], first[40];
            join_names(d, names, sizeof names);
            asn_text(d, asn, sizeof asn);
            countries(d, cc, sizeof cc);
            fmt_bytes(d->bytes_out, b2, sizeof b2);
            fmt_bytes(d->bytes_in, b3, sizeof b3);
            snprintf(fl, sizeof fl, "%llu", (unsigned long long)d->flows);
            fmt_time(d->first, first, sizeof first);
            const char *v[] = {d->addr,
                               or_dash(names),
                               asn,
                               d->provider,
                               cc,
                               !d->decide_cc[0] ? "unknown"
                               : d->leaves_eu   ? "no"
                                                : "yes",
                               b2,
                               b3,
                               fl,
                               first,
                               wb_pattern_name(d->pattern),
                               or_dash(d->ports)};
            rc = tbl_row(&t, v);
        }
        if (rc == 0) rc = tbl_out(&t, out, "  ");
    }
    for (int which = 0; which < 2 && rc == 0; which++) {
        const wb_deps_share *sh = which ? r->by_provider : r->by_country;
        size_t n = which ? r->nprovider : r->ncountry;
        rc = wb_buf_printf(out, "\nby %s\n",
                           which ? "provider" : "country (jurisdiction, else registration)");
        t = (table){.ncols = 5};
        const char *h[] = {which ? "PROVIDER" : "COUNTRY", "EU/EEA", "BYTES", "SHARE", "FLOWS"};
        if (rc == 0) rc = tbl_row(&t, h);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            char sh1[16], fl[24];
            fmt_bytes(sh[i].bytes, b1, sizeof b1);
            snprintf(sh1, sizeof sh1, "%.1f %%", pct(sh[i].bytes, r->bytes));
            snprintf(fl, sizeof fl, "%llu", (unsigned long long)sh[i].flows);
            const char *v[] = {sh[i].key,
                               !sh[i].known ? "unknown"
                               : sh[i].eu   ? "yes"
                                            : "no",
                               b1, sh1, fl};
            rc = tbl_row(&t, v);
        }
        if (rc == 0) rc = tbl_out(&t, out, "  ");
    }
    if (rc == 0 && r->have_suppliers) {
        rc = wb_buf_printf(out, "\nsuppliers seen in the flows but not registered: %zu\n",
                           r->nunregistered);
        for (size_t i = 0; rc == 0 && i < r->nunregistered; i++) {
            fmt_bytes(r->unregistered_bytes[i], b1, sizeof b1);
            rc = wb_buf_printf(out, "  %s  %s\n", r->unregistered[i], b1);
        }
        if (rc == 0)
            rc =
                wb_buf_printf(out, "registered suppliers not seen in the flows: %zu\n", r->nunseen);
        for (size_t i = 0; rc == 0 && i < r->nunseen; i++)
            rc = wb_buf_printf(out, "  %s  %s%s\n", r->unseen[i]->supplier, r->unseen[i]->service,
                               r->unseen[i]->ndomains || r->unseen[i]->nasns
                                   ? ""
                                   : "  (no domains or asns recorded to recognise it)");
        if (rc == 0)
            rc = wb_buf_printf(out,
                               "critical services outside the EU/EEA with no EU alternative "
                               "recorded: %zu\n",
                               r->nno_eu_alt);
        for (size_t i = 0; rc == 0 && i < r->nno_eu_alt; i++)
            rc = wb_buf_printf(out, "  %s  %s  %s  %s\n", r->no_eu_alt[i]->supplier,
                               r->no_eu_alt[i]->service, or_dash(r->no_eu_alt[i]->country),
                               wb_crit_name(r->no_eu_alt[i]->crit));
    }
    return rc;
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static json_t *jstr_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *jtime(wb_time t)
{
    char b[40];
    if (t == WB_TIME_MAX || t == WB_TIME_NONE) return json_null();
    fmt_time(t, b, sizeof b);
    return json_string(b);
}

static json_t *dep_json(const wb_deps_dep *d)
{
    json_t *o = json_object();
    json_t *names = json_array();
    for (size_t i = 0; i < d->nnames; i++)
        json_array_append_new(names, json_string(d->names[i]));
    json_object_set_new(o, "endpoint", json_string(d->addr));
    json_object_set_new(o, "names", names);
    json_object_set_new(o, "asn", d->ip.asn ? json_integer(d->ip.asn) : json_null());
    json_object_set_new(o, "asn_source",
                        !d->ip.asn ? json_null()
                                   : json_string(d->ip.asn_from_holder ? "rir-holder" : "mmdb"));
    json_object_set_new(o, "as_name", jstr_or_null(d->ip.as_name));
    json_object_set_new(o, "provider", json_string(d->provider));
    json_object_set_new(o, "registry", jstr_or_null(d->ip.registry));
    json_object_set_new(o, "registration_country", jstr_or_null(d->ip.reg_cc));
    json_object_set_new(o, "location_country", jstr_or_null(d->ip.loc_cc));
    json_object_set_new(o, "jurisdiction_country", jstr_or_null(d->jur_cc));
    json_object_set_new(o, "jurisdiction_source", jstr_or_null(d->jur_source));
    json_object_set_new(o, "decision_country", jstr_or_null(d->decide_cc));
    json_object_set_new(o, "eu_eea", d->decide_cc[0] ? json_boolean(!d->leaves_eu) : json_null());
    json_object_set_new(o, "vendor", d->vendor ? json_string(d->vendor->vendor) : json_null());
    json_object_set_new(o, "vendor_verified",
                        d->vendor ? json_boolean(d->vendor->verified) : json_null());
    json_object_set_new(o, "remote_control_documented",
                        !d->vendor || d->vendor->remote_control < 0
                            ? json_null()
                            : json_boolean(d->vendor->remote_control == 1));
    json_object_set_new(o, "supplier",
                        d->supplier ? json_string(d->supplier->supplier) : json_null());
    json_object_set_new(o, "bytes_out", json_integer((json_int_t)d->bytes_out));
    json_object_set_new(o, "bytes_in", json_integer((json_int_t)d->bytes_in));
    json_object_set_new(o, "flows", json_integer((json_int_t)d->flows));
    json_object_set_new(o, "first_seen", jtime(d->first));
    json_object_set_new(o, "last_seen", jtime(d->last));
    json_object_set_new(o, "longest_session_s", json_real(d->max_session_s));
    json_object_set_new(o, "contact_days", json_integer(d->contact_days));
    json_object_set_new(o, "periodic_days", json_integer(d->periodic_days));
    json_object_set_new(o, "max_contacts_per_day", json_integer(d->max_per_day));
    json_object_set_new(o, "pattern", json_string(wb_pattern_name(d->pattern)));
    json_t *ports = json_array();
    const char *p = d->ports;
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t n = sp ? (size_t)(sp - p) : strlen(p);
        json_array_append_new(ports, json_stringn(p, n));
        p += n + (sp != NULL);
    }
    json_object_set_new(o, "ports", ports);
    json_object_set_new(o, "exposure", json_boolean(d->exposure));
    json_object_set_new(o, "exposure_reason", jstr_or_null(d->why));
    return o;
}

static json_t *shares_json(const wb_deps_share *s, size_t n, const char *key, uint64_t total)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, key, json_string(s[i].key));
        json_object_set_new(o, "eu_eea", s[i].known ? json_boolean(s[i].eu) : json_null());
        json_object_set_new(o, "bytes", json_integer((json_int_t)s[i].bytes));
        json_object_set_new(o, "share", json_real(pct(s[i].bytes, total) / 100));
        json_object_set_new(o, "flows", json_integer((json_int_t)s[i].flows));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *supplier_json(const wb_deps_supplier *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "supplier", json_string(s->supplier));
    json_object_set_new(o, "service", json_string(s->service));
    json_object_set_new(o, "country", jstr_or_null(s->country));
    json_object_set_new(o, "criticality", json_string(wb_crit_name(s->crit)));
    return o;
}

static json_t *report_json(const wb_deps_report *r)
{
    json_t *root = json_object();
    json_t *cfg = json_object();
    json_object_set_new(cfg, "periodic_day_share", json_real(r->cfg.periodic_day_share));
    json_object_set_new(cfg, "periodic_per_day", json_integer(r->cfg.periodic_per_day));
    json_object_set_new(cfg, "long_session_s", json_real(r->cfg.long_session_s));
    json_object_set_new(root, "rule", cfg);
    json_object_set_new(root, "observed_days", json_integer(r->observed_days));
    json_object_set_new(root, "records", json_integer((json_int_t)r->records));
    json_object_set_new(root, "skipped", json_integer((json_int_t)r->skipped));
    json_object_set_new(root, "flows", json_integer((json_int_t)r->flows));
    json_object_set_new(root, "bytes", json_integer((json_int_t)r->bytes));
    json_object_set_new(root, "bytes_leaving_eu_eea", json_integer((json_int_t)r->bytes_leaving));
    json_object_set_new(root, "share_leaving_eu_eea",
                        json_real(pct(r->bytes_leaving, r->bytes) / 100));
    json_object_set_new(root, "bytes_country_unknown", json_integer((json_int_t)r->bytes_unknown));
    json_t *ex = json_array();
    for (size_t i = 0; i < r->nexposures; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "asset", json_string(r->exposures[i].asset->name));
        json_object_set_new(o, "class", json_string(wb_devclass_name(r->exposures[i].asset->cls)));
        json_object_set_new(o, "dependency", dep_json(r->exposures[i].dep));
        json_array_append_new(ex, o);
    }
    json_object_set_new(root, "exposures", ex);
    json_t *assets = json_array();
    for (size_t a = 0; a < r->nassets; a++) {
        const wb_deps_asset *as = &r->assets[a];
        json_t *o = json_object();
        json_object_set_new(o, "asset", json_string(as->name));
        json_object_set_new(o, "address", json_string(as->addr));
        json_object_set_new(o, "class", json_string(wb_devclass_name(as->cls)));
        json_object_set_new(o, "criticality", json_string(wb_crit_name(as->crit)));
        json_object_set_new(o, "owner", jstr_or_null(as->owner));
        json_object_set_new(o, "in_inventory", json_boolean(as->listed));
        json_object_set_new(o, "bytes", json_integer((json_int_t)as->bytes));
        json_object_set_new(o, "bytes_leaving_eu_eea", json_integer((json_int_t)as->bytes_leaving));
        json_object_set_new(o, "dependencies_leaving_eu_eea",
                            json_integer((json_int_t)as->deps_leaving));
        json_object_set_new(o, "critical", json_boolean(is_critical(as)));
        json_t *lc = json_object(), *lp = json_object();
        for (size_t k = 0; k < as->ndeps; k++) {
            const wb_deps_dep *d = &as->deps[k];
            if (!d->leaves_eu) continue;
            json_t *c = json_object_get(lc, d->decide_cc);
            json_object_set_new(lc, d->decide_cc, json_integer(c ? json_integer_value(c) + 1 : 1));
            c = json_object_get(lp, d->provider);
            json_object_set_new(lp, d->provider, json_integer(c ? json_integer_value(c) + 1 : 1));
        }
        json_object_set_new(o, "leaving_by_country", lc);
        json_object_set_new(o, "leaving_by_provider", lp);
        json_object_set_new(o, "dependencies_country_unknown",
                            json_integer((json_int_t)as->deps_unknown));
        json_t *deps = json_array();
        for (size_t k = 0; k < as->ndeps; k++)
            json_array_append_new(deps, dep_json(&as->deps[k]));
        json_object_set_new(o, "dependencies", deps);
        json_array_append_new(assets, o);
    }
    json_object_set_new(root, "assets", assets);
    json_object_set_new(root, "by_country",
                        shares_json(r->by_country, r->ncountry, "country", r->bytes));
    json_object_set_new(root, "by_provider",
                        shares_json(r->by_provider, r->nprovider, "provider", r->bytes));
    if (r->have_suppliers) {
        json_t *s = json_object();
        json_t *u = json_array();
        for (size_t i = 0; i < r->nunregistered; i++) {
            json_t *o = json_object();
            json_object_set_new(o, "provider", json_string(r->unregistered[i]));
            json_object_set_new(o, "bytes", json_integer((json_int_t)r->unregistered_bytes[i]));
            json_array_append_new(u, o);
        }
        json_object_set_new(s, "seen_not_registered", u);
        u = json_array();
        for (size_t i = 0; i < r->nunseen; i++)
            json_array_append_new(u, supplier_json(r->unseen[i]));
        json_object_set_new(s, "registered_not_seen", u);
        u = json_array();
        for (size_t i = 0; i < r->nno_eu_alt; i++)
            json_array_append_new(u, supplier_json(r->no_eu_alt[i]));
        json_object_set_new(s, "critical_without_eu_alternative", u);
        json_object_set_new(root, "suppliers", s);
    }
    return root;
}

/* ---- CSV
 * ------------------------------------------------------------------------------------------ */

static int csv_field(wb_buf *out, const char *s, bool last)
{
    int rc = 0;
    /* a leading = + - @ would be a formula to a spreadsheet */
    bool quote = strpbrk(s, ",\"\n\r") != NULL || (s[0] && strchr("=+-@", s[0]));
    if (quote) {
        rc = wb_buf_putc(out, '"');
        if (s[0] && strchr("=+-@", s[0])) rc = wb_buf_putc(out, '\'');
        for (const char *p = s; rc == 0 && *p; p++) {
            if (*p == '"') rc = wb_buf_putc(out, '"');
            if (rc == 0) rc = wb_buf_putc(out, *p);
        }
        if (rc == 0) rc = wb_buf_putc(out, '"');
    } else
        rc = wb_buf_puts(out, s);
    if (rc == 0) rc = wb_buf_putc(out, last ? '\n' : ',');
    return rc;
}

static int write_csv(const wb_deps_report *r, wb_buf *out)
{
    static const char *const h[] = {"asset",
                                    "asset_address",
                                    "class",
                                    "criticality",
                                    "owner",
                                    "endpoint",
                                    "names",
                                    "asn",
                                    "as_name",
                                    "provider",
                                    "registration_country",
                                    "location_country",
                                    "jurisdiction_country",
                                    "decision_country",
                                    "eu_eea",
                                    "bytes_out",
                                    "bytes_in",
                                    "flows",
                                    "first_seen",
                                    "last_seen",
                                    "longest_session_s",
                                    "contact_days",
                                    "periodic_days",
                                    "max_contacts_per_day",
                                    "pattern",
                                    "ports",
                                    "vendor",
                                    "vendor_verified",
                                    "exposure"};
    size_t nh = sizeof h / sizeof h[0];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < nh; i++)
        rc = csv_field(out, h[i], i + 1 == nh);
    for (size_t a = 0; rc == 0 && a < r->nassets; a++) {
        const wb_deps_asset *as = &r->assets[a];
        for (size_t k = 0; rc == 0 && k < as->ndeps; k++) {
            const wb_deps_dep *d = &as->deps[k];
            char names[512], asn[16], bo[24], bi[24], fl[24], f1[40], f2[40], dur[32], cd[16],
                pd[16], mp[16];
            join_names(d, names, sizeof names);
            snprintf(asn, sizeof asn, "%u", d->ip.asn);
            snprintf(bo, sizeof bo, "%llu", (unsigned long long)d->bytes_out);
            snprintf(bi, sizeof bi, "%llu", (unsigned long long)d->bytes_in);
            snprintf(fl, sizeof fl, "%llu", (unsigned long long)d->flows);
            fmt_time(d->first, f1, sizeof f1);
            fmt_time(d->last, f2, sizeof f2);
            snprintf(dur, sizeof dur, "%.3f", d->max_session_s);
            snprintf(cd, sizeof cd, "%u", d->contact_days);
            snprintf(pd, sizeof pd, "%u", d->periodic_days);
            snprintf(mp, sizeof mp, "%u", d->max_per_day);
            const char *v[] = {as->name,
                               as->addr,
                               wb_devclass_name(as->cls),
                               wb_crit_name(as->crit),
                               as->owner ? as->owner : "",
                               d->addr,
                               names,
                               d->ip.asn ? asn : "",
                               d->ip.as_name,
                               d->provider,
                               d->ip.reg_cc,
                               d->ip.loc_cc,
                               d->jur_cc,
                               d->decide_cc,
                               !d->decide_cc[0] ? ""
                               : d->leaves_eu   ? "no"
                                                : "yes",
                               bo,
                               bi,
                               fl,
                               f1,
                               f2,
                               dur,
                               cd,
                               pd,
                               mp,
                               wb_pattern_name(d->pattern),
                               d->ports,
                               d->vendor ? d->vendor->vendor : "",
                               !d->vendor            ? ""
                               : d->vendor->verified ? "yes"
                                                     : "no",
                               d->exposure ? "yes" : "no"};
            for (size_t i = 0; rc == 0 && i < nh; i++)
                rc = csv_field(out, v[i], i + 1 == nh);
        }
    }
    return rc;
}

/* ---- the graph: nodes and edges shared by dot, svg and html
 * ----------------------------------------- */

typedef struct gnode {
    const char *label;
    int kind; /* 0 asset, 1 provider, 2 country */
    int eu;   /* 1 EU/EEA, 0 outside, -1 unknown; assets: 2 exposed */
    uint64_t bytes;
} gnode;

typedef struct gedge {
    size_t from, to;
    uint64_t bytes;
    int eu;
} gedge;

typedef struct graph {
    gnode *n;
    size_t nn, capn;
    gedge *e;
    size_t ne, cape;
} graph;

static long g_node(graph *g, const char *label, int kind, int eu)
{
    for (size_t i = 0; i < g->nn; i++)
        if (g->n[i].kind == kind && strcmp(g->n[i].label, label) == 0) return (long)i;
    if (g->nn == g->capn) {
        size_t nc = g->capn ? g->capn * 2 : 64;
        void *p = realloc(g->n, nc * sizeof *g->n);
        if (!p) return -1;
        g->n = p;
        g->capn = nc;
    }
    g->n[g->nn] = (gnode){label, kind, eu, 0};
    return (long)g->nn++;
}

static int g_edge(graph *g, size_t from, size_t to, uint64_t bytes, int eu)
{
    for (size_t i = 0; i < g->ne; i++)
        if (g->e[i].from == from && g->e[i].to == to) {
            g->e[i].bytes += bytes;
            return 0;
        }
    if (g->ne == g->cape) {
        size_t nc = g->cape ? g->cape * 2 : 64;
        void *p = realloc(g->e, nc * sizeof *g->e);
        if (!p) return WB_ENOMEM;
        g->e = p;
        g->cape = nc;
    }
    g->e[g->ne++] = (gedge){from, to, bytes, eu};
    return 0;
}

static bool asset_exposed(const wb_deps_asset *as)
{
    for (size_t k = 0; k < as->ndeps; k++)
        if (as->deps[k].exposure) return true;
    return false;
}

static int build_graph(const wb_deps_report *r, graph *g)
{
    /* which assets and providers get a node of their own */
    uint64_t asset_cut = 0, prov_cut = 0;
    if (r->nassets > GRAPH_MAX_ASSETS) {
        uint64_t *b = malloc(r->nassets * sizeof *b);
        if (!b) return WB_ENOMEM;
        for (size_t i = 0; i < r->nassets; i++)
            b[i] = r->assets[i].bytes;
        for (size_t i = 0; i < GRAPH_MAX_ASSETS; i++) /* the 30th largest, by selection */
            for (size_t j = i + 1; j < r->nassets; j++)
                if (b[j] > b[i]) {
                    uint64_t t = b[i];
                    b[i] = b[j];
                    b[j] = t;
                }
        asset_cut = b[GRAPH_MAX_ASSETS - 1];
        free(b);
    }
    if (r->nprovider > GRAPH_MAX_PROVIDERS)
        prov_cut = r->by_provider[GRAPH_MAX_PROVIDERS - 1].bytes;
    for (size_t a = 0; a < r->nassets; a++) {
        const wb_deps_asset *as = &r->assets[a];
        bool exposed = asset_exposed(as);
        bool own = exposed || as->bytes >= asset_cut;
        long an = g_node(g, own ? as->name : "other assets", 0, exposed ? 2 : 1);
        if (an < 0) return WB_ENOMEM;
        g->n[an].bytes += as->bytes;
        for (size_t k = 0; k < as->ndeps; k++) {
            const wb_deps_dep *d = &as->deps[k];
            uint64_t t = d->bytes_out + d->bytes_in;
            int eu = !d->decide_cc[0] ? -1 : d->leaves_eu ? 0 : 1;
            bool pown = d->provider_bytes >= prov_cut || d->exposure;
            long pn = g_node(g, pown ? d->provider : "other providers", 1, pown ? eu : -1);
            long cn = g_node(g, d->decide_cc[0] ? d->decide_cc : "unknown", 2, eu);
            if (pn < 0 || cn < 0) return WB_ENOMEM;
            g->n[pn].bytes += t;
            g->n[cn].bytes += t;
            if (g_edge(g, (size_t)an, (size_t)pn, t, eu) ||
                g_edge(g, (size_t)pn, (size_t)cn, t, eu))
                return WB_ENOMEM;
        }
    }
    return 0;
}

static void graph_free(graph *g)
{
    free(g->n);
    free(g->e);
}

static const char *eu_colour(int eu)
{
    return eu == 2 ? "#c0392b" : eu == 1 ? "#2e6db4" : eu == 0 ? "#e67e22" : "#95a5a6";
}

static int put_escaped(wb_buf *out, const char *s, bool dot)
{
    int rc = 0;
    for (; rc == 0 && *s; s++) {
        if (dot) {
            rc = (*s == '"' || *s == '\\') ? wb_buf_printf(out, "\\%c", *s) : wb_buf_putc(out, *s);
            continue;
        }
        switch (*s) {
        case '<':
            rc = wb_buf_puts(out, "&lt;");
            break;
        case '>':
            rc = wb_buf_puts(out, "&gt;");
            break;
        case '&':
            rc = wb_buf_puts(out, "&amp;");
            break;
        case '"':
            rc = wb_buf_puts(out, "&quot;");
            break;
        case '\'':
            rc = wb_buf_puts(out, "&#39;");
            break;
        default:
            rc = wb_buf_putc(out, *s);
        }
    }
    return rc;
}

static int write_dot(const wb_deps_report *r, wb_buf *out)
{
    graph g = {0};
    int rc = build_graph(r, &g);
    uint64_t maxe = 1;
    for (size_t i = 0; i < g.ne; i++)
        if (g.e[i].bytes > maxe) maxe = g.e[i].bytes;
    if (rc == 0)
        rc = wb_buf_puts(out, "digraph deps {\n  rankdir=LR;\n  node [fontname=\"DejaVu Sans\", "
                              "fontsize=10, style=filled, fontcolor=white];\n");
    for (size_t i = 0; rc == 0 && i < g.nn; i++) {
        rc = wb_buf_printf(out, "  n%zu [label=\"", i);
        if (rc == 0) rc = put_escaped(out, g.n[i].label, true);
        if (rc == 0)
            rc = wb_buf_printf(out, "\", shape=%s, fillcolor=\"%s\"];\n",
                               g.n[i].kind == 0   ? "box"
                               : g.n[i].kind == 1 ? "ellipse"
                                                  : "circle",
                               g.n[i].kind == 0 ? (g.n[i].eu == 2 ? "#c0392b" : "#34495e")
                                                : eu_colour(g.n[i].eu));
    }
    for (size_t i = 0; rc == 0 && i < g.ne; i++)
        rc = wb_buf_printf(
            out, "  n%zu -> n%zu [penwidth=%.2f, color=\"%s\", tooltip=\"%llu bytes\"];\n",
            g.e[i].from, g.e[i].to, 0.5 + 8.0 * (double)g.e[i].bytes / (double)maxe,
            eu_colour(g.e[i].eu), (unsigned long long)g.e[i].bytes);
    if (rc == 0) rc = wb_buf_puts(out, "}\n");
    graph_free(&g);
    return rc;
}

static bool is_other(const gnode *n)
{
    return strcmp(n->label, "other assets") == 0 || strcmp(n->label, "other providers") == 0;
}

/* Column order: "other" last, else more bytes first, else by name. */
static bool node_before(const gnode *a, const gnode *b)
{
    if (is_other(a) != is_other(b)) return !is_other(a);
    if (a->bytes != b->bytes) return a->bytes > b->bytes;
    return strcmp(a->label, b->label) < 0;
}

/* Three columns; node bars and edge widths in proportion to bytes. */
static int write_svg(const wb_deps_report *r, wb_buf *out)
{
    graph g = {0};
    int rc = build_graph(r, &g);
    if (rc) {
        graph_free(&g);
        return rc;
    }
    size_t cnt[3] = {0};
    uint64_t maxn = 1, maxe = 1;
    for (size_t i = 0; i < g.nn; i++) {
        cnt[g.n[i].kind]++;
        if (g.n[i].bytes > maxn) maxn = g.n[i].bytes;
    }
    for (size_t i = 0; i < g.ne; i++)
        if (g.e[i].bytes > maxe) maxe = g.e[i].bytes;
    const double colx[3] = {20, 380, 740}, colw = 200, gap = 10;
    double *y = calloc(g.nn ? g.nn : 1, sizeof *y), *h = calloc(g.nn ? g.nn : 1, sizeof *h);
    if (!y || !h) {
        free(y);
        free(h);
        graph_free(&g);
        return WB_ENOMEM;
    }
    /* each column from the most traffic down, the folded "other" node last */
    size_t *ord = malloc((g.nn ? g.nn : 1) * sizeof *ord);
    if (!ord) {
        free(y);
        free(h);
        graph_free(&g);
        return WB_ENOMEM;
    }
    for (size_t i = 0; i < g.nn; i++) {
        size_t j = i;
        for (; j > 0 && node_before(&g.n[i], &g.n[ord[j - 1]]); j--)
            ord[j] = ord[j - 1];
        ord[j] = i;
    }
    double coly[3] = {50, 50, 50};
    for (size_t o = 0; o < g.nn; o++) {
        size_t i = ord[o];
        int k = g.n[i].kind;
        h[i] = 18 + 40.0 * sqrt((double)g.n[i].bytes / (double)maxn);
        y[i] = coly[k];
        coly[k] += h[i] + gap;
    }
    free(ord);
    double height = coly[0];
    for (int k = 1; k < 3; k++)
        if (coly[k] > height) height = coly[k];
    height += 50;
    rc = wb_buf_printf(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"980\" height=\"%.0f\" "
        "viewBox=\"0 0 980 %.0f\" font-family=\"DejaVu Sans, sans-serif\" "
        "font-size=\"11\">\n<rect width=\"980\" height=\"%.0f\" fill=\"white\"/>\n"
        "<text x=\"20\" y=\"24\" font-size=\"14\" font-weight=\"bold\">assets</text>"
        "<text x=\"380\" y=\"24\" font-size=\"14\" font-weight=\"bold\">providers</text>"
        "<text x=\"740\" y=\"24\" font-size=\"14\" font-weight=\"bold\">countries</text>\n"
        "<text x=\"20\" y=\"40\" fill=\"#555\">%.1f %% of the traffic leaves the EU/EEA; "
        "blue EU/EEA, orange outside, grey unknown, red an exposed device</text>\n",
        height, height, height, pct(r->bytes_leaving, r->bytes));
    for (size_t i = 0; rc == 0 && i < g.ne; i++) {
        const gedge *e = &g.e[i];
        double x1 = colx[g.n[e->from].kind] + colw, y1 = y[e->from] + h[e->from] / 2;
        double x2 = colx[g.n[e->to].kind], y2 = y[e->to] + h[e->to] / 2;
        double w = 1 + 14.0 * (double)e->bytes / (double)maxe;
        rc =
            wb_buf_printf(out,
                          "<path d=\"M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f\" fill=\"none\" "
                          "stroke=\"%s\" stroke-opacity=\"0.45\" stroke-width=\"%.1f\"><title>%llu "
                          "bytes</title></path>\n",
                          x1, y1, (x1 + x2) / 2, y1, (x1 + x2) / 2, y2, x2, y2, eu_colour(e->eu), w,
                          (unsigned long long)e->bytes);
    }
    for (size_t i = 0; rc == 0 && i < g.nn; i++) {
        const gnode *n = &g.n[i];
        const char *fill = n->kind == 0 ? (n->eu == 2 ? "#c0392b" : "#34495e") : eu_colour(n->eu);
        char b[32];
        fmt_bytes(n->bytes, b, sizeof b);
        rc = wb_buf_printf(out,
                           "<g><rect x=\"%.0f\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\" rx=\"4\" "
                           "fill=\"%s\"/><text x=\"%.0f\" y=\"%.1f\" fill=\"white\">",
                           colx[n->kind], y[i], colw, h[i], fill, colx[n->kind] + 6, y[i] + 13);
        /* long labels are cut in the picture only; the tables show them whole */
        char lab[40];
        size_t ll = strlen(n->label);
        if (ll > 30)
            snprintf(lab, sizeof lab, "%.29s…", n->label);
        else
            snprintf(lab, sizeof lab, "%s", n->label);
        if (rc == 0) rc = put_escaped(out, lab, false);
        if (rc == 0)
            rc = wb_buf_printf(out,
                               "</text><text x=\"%.0f\" y=\"%.1f\" fill=\"white\" "
                               "font-size=\"9\">%s</text><title>",
                               colx[n->kind] + 6,
                               y[i] + 25 > y[i] + h[i] - 3 ? y[i] + h[i] - 3 : y[i] + 25,
                               h[i] >= 28 ? b : "");
        if (rc == 0) rc = put_escaped(out, n->label, false);
        if (rc == 0) rc = wb_buf_printf(out, ": %s</title></g>\n", b);
    }
    if (rc == 0) rc = wb_buf_puts(out, "</svg>\n");
    free(y);
    free(h);
    graph_free(&g);
    return rc;
}

static int html_table(wb_buf *out, const char *const *head, size_t nc)
{
    int rc = wb_buf_puts(out, "<table><tr>");
    for (size_t i = 0; rc == 0 && i < nc; i++)
        rc = wb_buf_printf(out, "<th>%s</th>", head[i]);
    if (rc == 0) rc = wb_buf_puts(out, "</tr>\n");
    return rc;
}

static int html_row(wb_buf *out, const char *const *v, size_t nc, const char *cls)
{
    int rc =
        wb_buf_printf(out, "<tr%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    for (size_t i = 0; rc == 0 && i < nc; i++) {
        rc = wb_buf_puts(out, "<td>");
        if (rc == 0) rc = put_escaped(out, v[i] ? v[i] : "", false);
        if (rc == 0) rc = wb_buf_puts(out, "</td>");
    }
    if (rc == 0) rc = wb_buf_puts(out, "</tr>\n");
    return rc;
}

static int write_html(const wb_deps_report *r, wb_buf *out)
{
    char b1[32], b2[32], b3[32];
    fmt_bytes(r->bytes, b1, sizeof b1);
    int rc = wb_buf_printf(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>weerbaar deps: digital dependencies</title>\n<style>"
        "body{font-family:'DejaVu Sans',sans-serif;margin:2em;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;"
        "padding:2px 6px;font-size:12px;text-align:left;vertical-align:top}th{background:#eee}"
        "tr.exp td{background:#fbe3e0}tr.out td{background:#fdf0e2}.note{color:#555}"
        "</style></head><body>\n<h1>Digital dependencies</h1>\n"
        "<p>%zu assets; %u observed days; %llu records (%llu skipped). <b>%.1f %%</b> of %s "
        "leaves the EU/EEA; the country of %.1f %% is unknown.</p>\n"
        "<p class=\"note\">Countries are registration (RIR) / location (.mmdb) / jurisdiction "
        "(supplier register or verified vendor data); \"leaves the EU/EEA\" uses the "
        "jurisdiction when known, else the registration.</p>\n",
        r->nassets, r->observed_days, (unsigned long long)r->records,
        (unsigned long long)r->skipped, pct(r->bytes_leaving, r->bytes), b1,
        pct(r->bytes_unknown, r->bytes));
    if (rc == 0) rc = write_svg(r, out);
    if (rc == 0) rc = wb_buf_printf(out, "<h2>Remote-switch exposures (%zu)</h2>\n", r->nexposures);
    const char *eh[] = {"asset",       "class",   "endpoint", "names", "AS",
                        "reg/loc/jur", "pattern", "reason",   "vendor"};
    if (rc == 0 && r->nexposures) rc = html_table(out, eh, 9);
    for (size_t i = 0; rc == 0 && i < r->nexposures; i++) {
        const wb_deps_dep *d = r->exposures[i].dep;
        char names[512], asn[160], cc[16], vend[160];
        join_names(d, names, sizeof names);
        snprintf(asn, sizeof asn, "AS%u %s", d->ip.asn, d->ip.as_name);
        countries(d, cc, sizeof cc);
        snprintf(vend, sizeof vend, "%s%s", d->vendor ? d->vendor->vendor : "-",
                 d->vendor && !d->vendor->verified ? " (unverified)" : "");
        const char *v[] = {r->exposures[i].asset->name,
                           wb_devclass_name(r->exposures[i].asset->cls),
                           d->addr,
                           names,
                           asn,
                           cc,
                           wb_pattern_name(d->pattern),
                           d->why,
                           vend};
        rc = html_row(out, v, 9, "exp");
    }
    if (rc == 0 && r->nexposures) rc = wb_buf_puts(out, "</table>\n");
    if (rc == 0) rc = wb_buf_puts(out, "<h2>Critical assets</h2>\n");
    const char *ch[] = {"asset",         "class",      "dependencies leaving",
                        "bytes leaving", "by country", "by provider"};
    if (rc == 0) rc = html_table(out, ch, 6);
    for (size_t a = 0; rc == 0 && a < r->nassets; a++) {
        const wb_deps_asset *as = &r->assets[a];
        if (!is_critical(as)) continue;
        char dl[48], bl[24], bc[256], bp[512];
        snprintf(dl, sizeof dl, "%zu of %zu", as->deps_leaving, as->ndeps);
        snprintf(bl, sizeof bl, "%.1f %%", pct(as->bytes_leaving, as->bytes));
        leaving_tally(as, false, bc, sizeof bc);
        leaving_tally(as, true, bp, sizeof bp);
        const char *v[] = {as->name, wb_devclass_name(as->cls), dl, bl, bc, bp};
        rc = html_row(out, v, 6, as->deps_leaving ? "out" : NULL);
    }
    if (rc == 0) rc = wb_buf_puts(out, "</table>\n");
    for (int which = 0; which < 2 && rc == 0; which++) {
        const wb_deps_share *sh = which ? r->by_provider : r->by_country;
        size_t n = which ? r->nprovider : r->ncountry;
        rc = wb_buf_printf(out, "<h2>By %s</h2>\n", which ? "provider" : "country");
        const char *h[] = {which ? "provider" : "country", "EU/EEA", "bytes", "share", "flows"};
        if (rc == 0) rc = html_table(out, h, 5);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            char s1[16], fl[24];
            fmt_bytes(sh[i].bytes, b2, sizeof b2);
            snprintf(s1, sizeof s1, "%.1f %%", pct(sh[i].bytes, r->bytes));
            snprintf(fl, sizeof fl, "%llu", (unsigned long long)sh[i].flows);
            const char *v[] = {sh[i].key,
                               !sh[i].known ? "unknown"
                               : sh[i].eu   ? "yes"
                                            : "no",
                               b2, s1, fl};
            rc = html_row(out, v, 5, sh[i].known && !sh[i].eu ? "out" : NULL);
        }
        if (rc == 0) rc = wb_buf_puts(out, "</table>\n");
    }
    if (rc == 0) rc = wb_buf_puts(out, "<h2>Assets and their dependencies</h2>\n");
    for (size_t a = 0; rc == 0 && a < r->nassets; a++) {
        const wb_deps_asset *as = &r->assets[a];
        fmt_bytes(as->bytes, b2, sizeof b2);
        rc = wb_buf_puts(out, "<h3>");
        if (rc == 0) rc = put_escaped(out, as->name, false);
        if (rc == 0)
            rc = wb_buf_printf(out,
                               " <span class=\"note\">%s, %s, criticality %s: %.1f %% of %s "
                               "leaves the EU/EEA</span></h3>\n",
                               as->addr, wb_devclass_name(as->cls), wb_crit_name(as->crit),
                               pct(as->bytes_leaving, as->bytes), b2);
        const char *h[] = {"endpoint",  "names",   "AS",   "provider", "reg/loc/jur",
                           "EU/EEA",    "out",     "in",   "flows",    "first seen",
                           "last seen", "pattern", "ports"};
        if (rc == 0) rc = html_table(out, h, 13);
        for (size_t k = 0; rc == 0 && k < as->ndeps; k++) {
            const wb_deps_dep *d = &as->deps[k];
            char names[512], asn[160], cc[16], fl[24], f1[40], f2[40];
            join_names(d, names, sizeof names);
            if (d->ip.asn)
                snprintf(asn, sizeof asn, "AS%u%s %s", d->ip.asn, d->ip.asn_from_holder ? "*" : "",
                         d->ip.as_name);
            else
                snprintf(asn, sizeof asn, "-");
            countries(d, cc, sizeof cc);
            fmt_bytes(d->bytes_out, b2, sizeof b2);
            fmt_bytes(d->bytes_in, b3, sizeof b3);
            snprintf(fl, sizeof fl, "%llu", (unsigned long long)d->flows);
            fmt_time(d->first, f1, sizeof f1);
            fmt_time(d->last, f2, sizeof f2);
            const char *v[] = {
                d->addr,     names, asn,
                d->provider, cc,    !d->decide_cc[0] ? "unknown" : d->leaves_eu ? "no" : "yes",
                b2,          b3,    fl,
                f1,          f2,    wb_pattern_name(d->pattern),
                d->ports};
            rc = html_row(out, v, 13, d->exposure ? "exp" : d->leaves_eu ? "out" : NULL);
        }
        if (rc == 0) rc = wb_buf_puts(out, "</table>\n");
    }
    if (rc == 0 && r->have_suppliers) {
        rc = wb_buf_printf(out,
                           "<h2>Suppliers</h2>\n<h3>Seen in the flows, not registered (%zu)</h3>\n",
                           r->nunregistered);
        const char *h[] = {"provider", "bytes"};
        if (rc == 0) rc = html_table(out, h, 2);
        for (size_t i = 0; rc == 0 && i < r->nunregistered; i++) {
            fmt_bytes(r->unregistered_bytes[i], b2, sizeof b2);
            const char *v[] = {r->unregistered[i], b2};
            rc = html_row(out, v, 2, NULL);
        }
        if (rc == 0)
            rc = wb_buf_printf(out, "</table>\n<h3>Registered, not seen (%zu)</h3>\n", r->nunseen);
        const char *h2[] = {"supplier", "service", "country", "criticality"};
        if (rc == 0) rc = html_table(out, h2, 4);
        for (size_t i = 0; rc == 0 && i < r->nunseen; i++) {
            const char *v[] = {r->unseen[i]->supplier, r->unseen[i]->service, r->unseen[i]->country,
                               wb_crit_name(r->unseen[i]->crit)};
            rc = html_row(out, v, 4, NULL);
        }
        if (rc == 0)
            rc = wb_buf_printf(out,
                               "</table>\n<h3>Critical services outside the EU/EEA without an EU "
                               "alternative recorded (%zu)</h3>\n",
                               r->nno_eu_alt);
        if (rc == 0) rc = html_table(out, h2, 4);
        for (size_t i = 0; rc == 0 && i < r->nno_eu_alt; i++) {
            const char *v[] = {r->no_eu_alt[i]->supplier, r->no_eu_alt[i]->service,
                               r->no_eu_alt[i]->country, wb_crit_name(r->no_eu_alt[i]->crit)};
            rc = html_row(out, v, 4, "out");
        }
        if (rc == 0) rc = wb_buf_puts(out, "</table>\n");
    }
    if (rc == 0) rc = wb_buf_puts(out, "</body></html>\n");
    return rc;
}

int wb_deps_report_write(const wb_deps_report *r, const char *format, wb_buf *out, wb_error *err)
{
    int rc;
    if (strcmp(format, "table") == 0)
        rc = write_table(r, out);
    else if (strcmp(format, "csv") == 0)
        rc = write_csv(r, out);
    else if (strcmp(format, "dot") == 0)
        rc = write_dot(r, out);
    else if (strcmp(format, "svg") == 0)
        rc = write_svg(r, out);
    else if (strcmp(format, "html") == 0)
        rc = write_html(r, out);
    else if (strcmp(format, "json") == 0) {
        json_t *j = report_json(r);
        char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        json_decref(j);
        rc = s ? wb_buf_puts(out, s) : WB_ENOMEM;
        if (rc == 0) rc = wb_buf_putc(out, '\n');
        free(s);
    } else
        return wb_error_set(err, WB_EINVAL,
                            "unknown format '%s' (table, json, csv, dot, svg, html)", format);
    return rc ? wb_error_set(err, rc, "out of memory") : 0;
}
