/*
 * registry.c - the table of log formats, lookup by name and detection from
 * content. The table is const and its order is the --help order; detection
 * does not depend on it except to break ties (the earlier format wins).
 */
#include <string.h>

#include "logs/logs_internal.h"

const wb_logfmt *const wb_logfmts[] = {
    &wbi_fmt_zeek,     &wbi_fmt_zeek_json,   &wbi_fmt_eve,     &wbi_fmt_jsonl,
    &wbi_fmt_dns_bind, &wbi_fmt_dns_unbound, &wbi_fmt_dnsmasq, &wbi_fmt_clf,
    &wbi_fmt_squid,    &wbi_fmt_nfdump_csv,  &wbi_fmt_text,    NULL,
};

const wb_logfmt *wb_logfmt_find(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; wb_logfmts[i]; i++)
        if (strcmp(wb_logfmts[i]->name, name) == 0) return wb_logfmts[i];
    return NULL;
}

const wb_logfmt *wb_logfmt_detect(const char *buf, size_t len)
{
    const wb_logfmt *best = &wbi_fmt_text;
    int best_score = 0;
    for (size_t i = 0; wb_logfmts[i]; i++) {
        int sc = wb_logfmts[i]->detect(buf, len);
        if (sc > best_score) {
            best_score = sc;
            best = wb_logfmts[i];
        }
    }
    return best;
}
