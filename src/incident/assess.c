/*
 * assess.c - is an incident significant, and so reportable? The criteria of
 * NIS2 Art. 23(3) for every entity and, for the digital providers it covers,
 * of Implementing Regulation (EU) 2024/2690 Arts. 3-14, as one table
 * (`criteria[]`) whose rows cite article and point and carry their
 * thresholds. The tests read the same table's thresholds and probe each one
 * at, just below and just above its value.
 *
 * Every criterion answers met, not met or unknown (a fact it needs was not
 * given, or was answered "unknown"). The regulation's thresholds are all
 * "more than": a value equal to the threshold does not meet it.
 *
 * Facts come from a small JSON document (wb_facts_parse; keys listed in
 * `fact_keys[]` and docs/incident.md) and are numbers and yes/no answers:
 * judging whether an event was "severe" stays with people, counting minutes
 * and users against thresholds does not.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "incident/incident_internal.h"

#define E(x) (1u << (WB_ENTITY_##x))
#define ALL ((1u << WB_ENTITY_COUNT) - 1)
/* The providers Implementing Regulation (EU) 2024/2690 covers. */
#define IR (ALL & ~E(OTHER))
#define F(field) offsetof(wb_facts, field)
#define IRA "Implementing Regulation (EU) 2024/2690 Art. "

#define TRI_AT(f, off) (*(const wb_tri *)(const void *)((const char *)(f) + (off)))
#define I64_AT(f, off) (*(const int64_t *)(const void *)((const char *)(f) + (off)))

/* ---- facts ------------------------------------------------------------------ */

typedef enum fkind { FK_TRI, FK_COUNT, FK_MONEY, FK_SECTOR } fkind;

static const struct fact_key {
    const char *group; /* "recurring" or NULL */
    const char *key;
    fkind kind;
    size_t off;
} fact_keys[] = {
    {NULL, "sector", FK_SECTOR, F(sector)},
    {NULL, "severe_operational_disruption", FK_TRI, F(severe_operational_disruption)},
    {NULL, "severe_financial_loss", FK_TRI, F(severe_financial_loss)},
    {NULL, "damage_to_others", FK_TRI, F(damage_to_others)},
    {NULL, "scheduled_maintenance", FK_TRI, F(scheduled_maintenance)},
    {NULL, "financial_loss_eur", FK_MONEY, F(financial_loss_cents)},
    {NULL, "annual_turnover_eur", FK_MONEY, F(annual_turnover_cents)},
    {NULL, "trade_secrets_exfiltrated", FK_TRI, F(trade_secrets_exfiltrated)},
    {NULL, "death", FK_TRI, F(death)},
    {NULL, "health_damage", FK_TRI, F(health_damage)},
    {NULL, "malicious_access", FK_TRI, F(malicious_access)},
    {"recurring", "occurrences_6_months", FK_COUNT, F(recurring_occurrences)},
    {"recurring", "same_root_cause", FK_TRI, F(recurring_same_root_cause)},
    {"recurring", "financial_loss_eur", FK_MONEY, F(recurring_financial_loss_cents)},
    {NULL, "users_eu", FK_COUNT, F(users_eu)},
    {NULL, "complete_unavailability_minutes", FK_COUNT, F(complete_unavailability_minutes)},
    {NULL, "complete_unavailability_users", FK_COUNT, F(complete_unavailability_users)},
    {NULL, "limited_availability_minutes", FK_COUNT, F(limited_availability_minutes)},
    {NULL, "limited_availability_users", FK_COUNT, F(limited_availability_users)},
    {NULL, "weekly_unavailability_minutes", FK_COUNT, F(weekly_unavailability_minutes)},
    {NULL, "slow_response_minutes", FK_COUNT, F(slow_response_minutes)},
    {NULL, "data_compromised", FK_TRI, F(data_compromised)},
    {NULL, "data_compromise_malicious", FK_TRI, F(data_compromise_malicious)},
    {NULL, "data_compromised_users", FK_COUNT, F(data_compromised_users)},
    {NULL, "misconfiguration", FK_TRI, F(misconfiguration)},
    {NULL, "misconfigured_domains", FK_COUNT, F(misconfigured_domains)},
    {NULL, "managed_domains", FK_COUNT, F(managed_domains)},
    {NULL, "physical_access_compromised", FK_TRI, F(physical_access_compromised)},
};

#define NFACTS (sizeof fact_keys / sizeof fact_keys[0])

static const char *fact_name(size_t off)
{
    for (size_t i = 0; i < NFACTS; i++)
        if (fact_keys[i].off == off) return fact_keys[i].key;
    return "?";
}

void wb_facts_init(wb_facts *f)
{
    memset(f, 0, sizeof *f);
    const int64_t none = -1;
    for (size_t i = 0; i < NFACTS; i++)
        if (fact_keys[i].kind == FK_COUNT || fact_keys[i].kind == FK_MONEY)
            memcpy((char *)f + fact_keys[i].off, &none, sizeof none);
}

static int set_fact(const char *name, const struct fact_key *k, const json_t *v, wb_facts *f,
                    wb_error *err)
{
    char path[96];
    snprintf(path, sizeof path, "$.%s%s%s", k->group ? k->group : "", k->group ? "." : "", k->key);
    char *base = (char *)f;
    switch (k->kind) {
    case FK_TRI: {
        wb_tri t;
        if (!json_is_string(v) || wb_tri_parse(json_string_value(v), &t) != 0)
            return wb_error_set(err, WB_EINVAL, "%s: %s: must be \"yes\", \"no\" or \"unknown\"",
                                name, path);
        memcpy(base + k->off, &t, sizeof t);
        return 0;
    }
    case FK_COUNT: {
        int64_t n;
        if (!wbi_json_count(v, INT64_C(1) << 53, &n))
            return wb_error_set(err, WB_EINVAL, "%s: %s: must be a whole number of at least 0",
                                name, path);
        memcpy(base + k->off, &n, sizeof n);
        return 0;
    }
    case FK_MONEY: {
        int64_t c;
        if (!wbi_json_cents(v, INT64_C(1000000000000), &c))
            return wb_error_set(err, WB_EINVAL, "%s: %s: must be an amount in euro of at least 0",
                                name, path);
        memcpy(base + k->off, &c, sizeof c);
        return 0;
    }
    case FK_SECTOR:
        if (!json_is_string(v) || !wb_sector_valid(json_string_value(v)))
            return wb_error_set(err, WB_EINVAL,
                                "%s: %s: not a NIS2 sector (see 'weerbaar incident taxonomy "
                                "sectors')",
                                name, path);
        snprintf(f->sector, sizeof f->sector, "%s", json_string_value(v));
        return 0;
    }
    return WB_EINTERNAL;
}

static const struct fact_key *find_fact(const char *group, const char *key)
{
    for (size_t i = 0; i < NFACTS; i++) {
        bool same = group ? fact_keys[i].group && strcmp(fact_keys[i].group, group) == 0
                          : fact_keys[i].group == NULL;
        if (same && strcmp(fact_keys[i].key, key) == 0) return &fact_keys[i];
    }
    return NULL;
}

int wb_facts_parse(const char *name, const char *data, size_t len, wb_facts *out, wb_error *err)
{
    wb_facts_init(out);
    if (len > WB_FACTS_MAX_BYTES)
        return wb_error_set(err, WB_ELIMIT, "%s: facts larger than %zu bytes", name,
                            WB_FACTS_MAX_BYTES);
    json_t *root;
    int rc = wbi_incident_json_load(name, data, len, &root, err);
    if (rc) return rc;
    if (!json_is_object(root)) {
        json_decref(root);
        return wb_error_set(err, WB_EINVAL, "%s: $: the facts are a JSON object", name);
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "recurring") == 0) {
            if (!json_is_object(v)) {
                rc = wb_error_set(err, WB_EINVAL,
                                  "%s: $.recurring: must be an object {occurrences_6_months, "
                                  "same_root_cause, financial_loss_eur}",
                                  name);
                break;
            }
            const char *sk;
            json_t *sv;
            json_object_foreach(v, sk, sv)
            {
                const struct fact_key *k = find_fact("recurring", sk);
                rc = k ? set_fact(name, k, sv, out, err)
                       : wb_error_set(err, WB_EINVAL,
                                      "%s: $.recurring.%.80s: unknown key (known: "
                                      "occurrences_6_months, same_root_cause, financial_loss_eur)",
                                      name, sk);
                if (rc) break;
            }
            if (rc) break;
            continue;
        }
        const struct fact_key *k = find_fact(NULL, key);
        rc = k ? set_fact(name, k, v, out, err)
               : wb_error_set(err, WB_EINVAL,
                              "%s: $.%.80s: unknown key (see docs/incident.md for the facts)", name,
                              key);
        if (rc) break;
    }
    json_decref(root);
    return rc;
}

/* ---- tests ------------------------------------------------------------------- */

static wb_criterion_result from_tri(wb_tri t)
{
    return t == WB_TRI_YES ? WB_CRIT_MET : t == WB_TRI_NO ? WB_CRIT_NOT_MET : WB_CRIT_UNKNOWN;
}

/* Both must hold: met when both are met, not met when either is not. */
static wb_criterion_result both(wb_criterion_result a, wb_criterion_result b)
{
    if (a == WB_CRIT_NOT_MET || b == WB_CRIT_NOT_MET) return WB_CRIT_NOT_MET;
    if (a == WB_CRIT_MET && b == WB_CRIT_MET) return WB_CRIT_MET;
    return WB_CRIT_UNKNOWN;
}

static const char *tri_text(wb_tri t)
{
    return t == WB_TRI_UNSET ? "not given" : wb_tri_name(t);
}

/* n > min(permille of total, limit); permille 0 means limit alone. The
 * minimum is reached without knowing the total when n exceeds the limit. */
static wb_criterion_result more_than_share(int64_t n, int64_t total, int64_t permille,
                                           int64_t limit)
{
    if (n < 0) return WB_CRIT_UNKNOWN;
    if (n > limit) return WB_CRIT_MET;
    if (permille == 0 || n == 0) return WB_CRIT_NOT_MET;
    if (total < 0) return WB_CRIT_UNKNOWN;
    /* n/total > permille/1000, in integers (n <= limit keeps this small) */
    return (n * 1000 > total * permille) ? WB_CRIT_MET : WB_CRIT_NOT_MET;
}

static void share_text(char *buf, size_t cap, int64_t permille, int64_t limit, bool money)
{
    if (permille == 0)
        snprintf(buf, cap, "%lld", (long long)(money ? limit / 100 : limit));
    else
        snprintf(buf, cap, "min(%lld.%lld %% of %s, %lld)", (long long)(permille / 10),
                 (long long)(permille % 10), money ? "turnover" : "users_eu",
                 (long long)(money ? limit / 100 : limit));
}

static wb_criterion_result t_answer(const wb_criterion *c, const wb_facts *f, char *why, size_t cap)
{
    wb_tri t = TRI_AT(f, c->fact);
    snprintf(why, cap, "%s: %s", fact_name(c->fact), tri_text(t));
    return from_tri(t);
}

static wb_criterion_result t_minutes(const wb_criterion *c, const wb_facts *f, char *why,
                                     size_t cap)
{
    int64_t m = I64_AT(f, c->fact);
    if (m < 0) {
        snprintf(why, cap, "%s: not given", fact_name(c->fact));
        return WB_CRIT_UNKNOWN;
    }
    snprintf(why, cap, "%s %lld %s %lld", fact_name(c->fact), (long long)m,
             m > c->limit ? ">" : "<=", (long long)c->limit);
    return m > c->limit ? WB_CRIT_MET : WB_CRIT_NOT_MET;
}

static wb_criterion_result t_users(const wb_criterion *c, const wb_facts *f, char *why, size_t cap)
{
    int64_t n = I64_AT(f, c->fact);
    wb_criterion_result r = more_than_share(n, f->users_eu, c->permille, c->limit);
    char th[96];
    share_text(th, sizeof th, c->permille, c->limit, false);
    if (n < 0)
        snprintf(why, cap, "%s: not given", fact_name(c->fact));
    else if (r == WB_CRIT_UNKNOWN)
        snprintf(why, cap, "%s %lld; users_eu not given for %s", fact_name(c->fact), (long long)n,
                 th);
    else
        snprintf(why, cap, "%s %lld %s %s (users_eu %lld)", fact_name(c->fact), (long long)n,
                 r == WB_CRIT_MET ? ">" : "<=", th, (long long)f->users_eu);
    if (c->minutes == 0) return r;
    int64_t m = f->limited_availability_minutes;
    wb_criterion_result rm = m < 0            ? WB_CRIT_UNKNOWN
                             : m > c->minutes ? WB_CRIT_MET
                                              : WB_CRIT_NOT_MET;
    size_t len = strlen(why);
    if (m < 0)
        snprintf(why + len, cap - len, "; limited_availability_minutes: not given");
    else
        snprintf(why + len, cap - len, "; limited_availability_minutes %lld %s %lld", (long long)m,
                 m > c->minutes ? ">" : "<=", (long long)c->minutes);
    return both(r, rm);
}

/* Art. 3(1)(a) and, with the recurring facts, Art. 4(c): a direct loss of
 * more than EUR 500 000 or 5 % of last year's turnover, whichever is lower. */
static wb_criterion_result loss_test(int64_t loss, int64_t turnover, const wb_criterion *c,
                                     char *why, size_t cap, const char *what)
{
    wb_criterion_result r = more_than_share(loss, turnover, c->permille, c->limit);
    if (loss < 0)
        snprintf(why, cap, "%s: not given", what);
    else if (r == WB_CRIT_UNKNOWN)
        snprintf(why, cap, "%s EUR %lld.%02lld; annual_turnover_eur not given", what,
                 (long long)(loss / 100), (long long)(loss % 100));
    else
        snprintf(why, cap, "%s EUR %lld.%02lld %s min(EUR %lld, 5 %% of turnover%s)", what,
                 (long long)(loss / 100), (long long)(loss % 100),
                 r == WB_CRIT_MET ? ">" : "<=", (long long)(c->limit / 100),
                 turnover < 0 ? " not given" : "");
    return r;
}

static wb_criterion_result t_loss(const wb_criterion *c, const wb_facts *f, char *why, size_t cap)
{
    return loss_test(f->financial_loss_cents, f->annual_turnover_cents, c, why, cap,
                     "financial_loss_eur");
}

static wb_criterion_result t_recurring(const wb_criterion *c, const wb_facts *f, char *why,
                                       size_t cap)
{
    int64_t n = f->recurring_occurrences;
    wb_criterion_result twice = n < 0 ? WB_CRIT_UNKNOWN : n >= 2 ? WB_CRIT_MET : WB_CRIT_NOT_MET;
    wb_criterion_result cause = from_tri(f->recurring_same_root_cause);
    char lw[128];
    wb_criterion_result loss =
        loss_test(f->recurring_financial_loss_cents, f->annual_turnover_cents, c, lw, sizeof lw,
                  "recurring.financial_loss_eur");
    if (n < 0)
        snprintf(why, cap, "recurring.occurrences_6_months: not given");
    else
        snprintf(why, cap, "%lld occurrence%s in 6 months (at least 2); same root cause: %s; %s",
                 (long long)n, n == 1 ? "" : "s", tri_text(f->recurring_same_root_cause), lw);
    return both(both(twice, cause), loss);
}

static wb_criterion_result t_data_malicious(const wb_criterion *c, const wb_facts *f, char *why,
                                            size_t cap)
{
    snprintf(why, cap, "data_compromised: %s; data_compromise_malicious: %s",
             tri_text(f->data_compromised), tri_text(f->data_compromise_malicious));
    return both(from_tri(f->data_compromised), from_tri(f->data_compromise_malicious));
}

static wb_criterion_result t_data_users(const wb_criterion *c, const wb_facts *f, char *why,
                                        size_t cap)
{
    char uw[128];
    wb_criterion_result u = t_users(c, f, uw, sizeof uw);
    snprintf(why, cap, "data_compromised: %s; %s", tri_text(f->data_compromised), uw);
    return both(from_tri(f->data_compromised), u);
}

/* Art. 5(c): compromised DNS data is significant unless fewer than 1 000
 * domain names, at most 1 % of those managed, are wrong through a
 * misconfiguration. */
static wb_criterion_result t_dns_data(const wb_criterion *c, const wb_facts *f, char *why,
                                      size_t cap)
{
    wb_criterion_result d = from_tri(f->data_compromised);
    int64_t bad = f->misconfigured_domains, all = f->managed_domains;
    snprintf(why, cap,
             "data_compromised: %s; misconfiguration: %s; misconfigured_domains %lld of "
             "managed_domains %lld",
             tri_text(f->data_compromised), tri_text(f->misconfiguration), (long long)bad,
             (long long)all);
    if (d != WB_CRIT_MET) return d;
    if (f->misconfiguration == WB_TRI_NO) return WB_CRIT_MET;
    /* The exception needs all three: a misconfiguration, < 1 000, <= 1 %. */
    if (bad >= c->limit) return WB_CRIT_MET;
    if (bad >= 0 && all >= 0 && bad * 1000 > all * c->permille) return WB_CRIT_MET;
    if (f->misconfiguration != WB_TRI_YES || bad < 0 || all < 0) return WB_CRIT_UNKNOWN;
    return WB_CRIT_NOT_MET;
}

/* ---- the table ------------------------------------------------------------------ */

static const wb_criterion criteria[] = {
    /* NIS2 Art. 23(3): every entity. */
    {"nis2-23-3-a-disruption", "NIS2 Art. 23(3)(a)",
     "has caused or can cause severe operational disruption of the services", ALL, t_answer,
     F(severe_operational_disruption), 0, 0, 0},
    {"nis2-23-3-a-loss", "NIS2 Art. 23(3)(a)",
     "has caused or can cause financial loss for the entity (severe)", ALL, t_answer,
     F(severe_financial_loss), 0, 0, 0},
    {"nis2-23-3-b", "NIS2 Art. 23(3)(b)",
     "has affected or can affect other persons by considerable material or non-material damage",
     ALL, t_answer, F(damage_to_others), 0, 0, 0},

    /* Art. 3(1): every provider the regulation covers. */
    {"ir-3-1-a", IRA "3(1)(a)",
     "direct financial loss of more than EUR 500 000 or 5 % of last year's turnover, whichever "
     "is lower",
     IR, t_loss, F(financial_loss_cents), INT64_C(50000000), 50, 0},
    {"ir-3-1-b", IRA "3(1)(b)", "exfiltration of trade secrets (Directive (EU) 2016/943)", IR,
     t_answer, F(trade_secrets_exfiltrated), 0, 0, 0},
    {"ir-3-1-c", IRA "3(1)(c)", "death of a natural person", IR, t_answer, F(death), 0, 0, 0},
    {"ir-3-1-d", IRA "3(1)(d)", "considerable damage to a natural person's health", IR, t_answer,
     F(health_damage), 0, 0, 0},
    {"ir-3-1-e", IRA "3(1)(e)",
     "successful, suspectedly malicious and unauthorised access to network and information "
     "systems, capable of causing severe operational disruption",
     IR, t_answer, F(malicious_access), 0, 0, 0},
    {"ir-4", IRA "4 (Art. 3(1)(f))",
     "recurring: at least twice in 6 months, same apparent root cause, together meeting Art. "
     "3(1)(a)",
     IR, t_recurring, F(recurring_occurrences), INT64_C(50000000), 50, 0},

    /* Art. 5: DNS service providers. */
    {"ir-5-a", IRA "5(a)",
     "recursive or authoritative resolution completely unavailable for more than 30 minutes",
     E(DNS), t_minutes, F(complete_unavailability_minutes), 30, 0, 0},
    {"ir-5-b", IRA "5(b)",
     "average response time over 10 seconds for more than one hour (slow_response_minutes)", E(DNS),
     t_minutes, F(slow_response_minutes), 60, 0, 0},
    {"ir-5-c", IRA "5(c)",
     "authoritative resolution data compromised, unless fewer than 1 000 domain names and at "
     "most 1 % of those managed are wrong through a misconfiguration",
     E(DNS), t_dns_data, F(data_compromised), 1000, 10, 0},

    /* Art. 6: TLD name registries. */
    {"ir-6-a", IRA "6(a)", "authoritative resolution completely unavailable (any duration)", E(TLD),
     t_minutes, F(complete_unavailability_minutes), 0, 0, 0},
    {"ir-6-b", IRA "6(b)", "average response time over 10 seconds for more than one hour", E(TLD),
     t_minutes, F(slow_response_minutes), 60, 0, 0},
    {"ir-6-c", IRA "6(c)", "data related to the technical operation of the TLD compromised", E(TLD),
     t_answer, F(data_compromised), 0, 0, 0},

    /* Art. 7: cloud computing service providers. */
    {"ir-7-a", IRA "7(a)", "service completely unavailable for more than 30 minutes", E(CLOUD),
     t_minutes, F(complete_unavailability_minutes), 30, 0, 0},
    {"ir-7-b", IRA "7(b)",
     "availability limited for more than 5 % of EU users or more than 1 million, whichever is "
     "smaller, for more than one hour",
     E(CLOUD), t_users, F(limited_availability_users), 1000000, 50, 60},
    {"ir-7-c", IRA "7(c)", "data compromised by a suspectedly malicious action", E(CLOUD),
     t_data_malicious, F(data_compromised), 0, 0, 0},
    {"ir-7-d", IRA "7(d)",
     "data compromised with an impact on more than 5 % of EU users or more than 1 million, "
     "whichever is smaller",
     E(CLOUD), t_data_users, F(data_compromised_users), 1000000, 50, 0},

    /* Art. 8: data centre service providers. */
    {"ir-8-a", IRA "8(a)", "a data centre service completely unavailable (any duration)",
     E(DATA_CENTRE), t_minutes, F(complete_unavailability_minutes), 0, 0, 0},
    {"ir-8-b", IRA "8(b)", "availability limited for more than one hour", E(DATA_CENTRE), t_minutes,
     F(limited_availability_minutes), 60, 0, 0},
    {"ir-8-c", IRA "8(c)", "data compromised by a suspectedly malicious action", E(DATA_CENTRE),
     t_data_malicious, F(data_compromised), 0, 0, 0},
    {"ir-8-d", IRA "8(d)", "physical access to a data centre compromised", E(DATA_CENTRE), t_answer,
     F(physical_access_compromised), 0, 0, 0},

    /* Art. 9: content delivery network providers. */
    {"ir-9-a", IRA "9(a)", "network completely unavailable for more than 30 minutes", E(CDN),
     t_minutes, F(complete_unavailability_minutes), 30, 0, 0},
    {"ir-9-b", IRA "9(b)",
     "availability limited for more than 5 % of EU users or more than 1 million, whichever is "
     "smaller, for more than one hour",
     E(CDN), t_users, F(limited_availability_users), 1000000, 50, 60},
    {"ir-9-c", IRA "9(c)", "data compromised by a suspectedly malicious action", E(CDN),
     t_data_malicious, F(data_compromised), 0, 0, 0},
    {"ir-9-d", IRA "9(d)",
     "data compromised with an impact on more than 5 % of EU users or more than 1 million, "
     "whichever is smaller",
     E(CDN), t_data_users, F(data_compromised_users), 1000000, 50, 0},

    /* Art. 10: managed (security) service providers. */
    {"ir-10-a", IRA "10(a)", "service completely unavailable for more than 30 minutes",
     E(MSP) | E(MSSP), t_minutes, F(complete_unavailability_minutes), 30, 0, 0},
    {"ir-10-b", IRA "10(b)",
     "availability limited for more than 5 % of EU users or more than 1 million, whichever is "
     "smaller, for more than one hour",
     E(MSP) | E(MSSP), t_users, F(limited_availability_users), 1000000, 50, 60},
    {"ir-10-c", IRA "10(c)", "data compromised by a suspectedly malicious action", E(MSP) | E(MSSP),
     t_data_malicious, F(data_compromised), 0, 0, 0},
    {"ir-10-d", IRA "10(d)",
     "data compromised with an impact on more than 5 % of EU users or more than 1 million, "
     "whichever is smaller",
     E(MSP) | E(MSSP), t_data_users, F(data_compromised_users), 1000000, 50, 0},

    /* Arts. 11-13: online marketplaces, search engines, social networks. */
    {"ir-11-a", IRA "11(a)",
     "completely unavailable for more than 5 % of EU users or more than 1 million, whichever "
     "is smaller",
     E(MARKETPLACE), t_users, F(complete_unavailability_users), 1000000, 50, 0},
    {"ir-11-b", IRA "11(b)",
     "more than 5 % of EU users or more than 1 million, whichever is smaller, affected by "
     "limited availability",
     E(MARKETPLACE), t_users, F(limited_availability_users), 1000000, 50, 0},
    {"ir-11-c", IRA "11(c)", "data compromised by a suspectedly malicious action", E(MARKETPLACE),
     t_data_malicious, F(data_compromised), 0, 0, 0},
    {"ir-11-d", IRA "11(d)",
     "data compromised with an impact on more than 5 % of EU users or more than 1 million, "
     "whichever is smaller",
     E(MARKETPLACE), t_data_users, F(data_compromised_users), 1000000, 50, 0},
    {"ir-12-a", IRA "12(a)",
     "completely unavailable for more than 5 % of EU users or more than 1 million, whichever "
     "is smaller",
     E(SEARCH_ENGINE), t_users, F(complete_unavailability_users), 1000000, 50, 0},
    {"ir-12-b", IRA "12(b)",
     "more than 5 % of EU users or more than 1 million, whichever is smaller, affected by "
     "limited availability",
     E(SEARCH_ENGINE), t_users, F(limited_availability_users), 1000000, 50, 0},
    {"ir-12-c", IRA "12(c)", "data compromised by a suspectedly malicious action", E(SEARCH_ENGINE),
     t_data_malicious, F(data_compromised), 0, 0, 0},
    {"ir-12-d", IRA "12(d)",
     "data compromised with an impact on more than 5 % of EU users or more than 1 million, "
     "whichever is smaller",
     E(SEARCH_ENGINE), t_data_users, F(data_compromised_users), 1000000, 50, 0},
    {"ir-13-a", IRA "13(a)",
     "completely unavailable for more than 5 % of EU users or more than 1 million, whichever "
     "is smaller",
     E(SOCIAL_NETWORK), t_users, F(complete_unavailability_users), 1000000, 50, 0},
    {"ir-13-b", IRA "13(b)",
     "more than 5 % of EU users or more than 1 million, whichever is smaller, affected by "
     "limited availability",
     E(SOCIAL_NETWORK), t_users, F(limited_availability_users), 1000000, 50, 0},
    {"ir-13-c", IRA "13(c)", "data compromised by a suspectedly malicious action",
     E(SOCIAL_NETWORK), t_data_malicious, F(data_compromised), 0, 0, 0},
    {"ir-13-d", IRA "13(d)",
     "data compromised with an impact on more than 5 % of EU users or more than 1 million, "
     "whichever is smaller",
     E(SOCIAL_NETWORK), t_data_users, F(data_compromised_users), 1000000, 50, 0},

    /* Art. 14: trust service providers. */
    {"ir-14-a", IRA "14(a)", "a trust service completely unavailable for more than 20 minutes",
     E(TRUST_SERVICE), t_minutes, F(complete_unavailability_minutes), 20, 0, 0},
    {"ir-14-b", IRA "14(b)",
     "unavailable to users or relying parties for more than one hour in a calendar week",
     E(TRUST_SERVICE), t_minutes, F(weekly_unavailability_minutes), 60, 0, 0},
    {"ir-14-c", IRA "14(c)",
     "more than 1 % of EU users or relying parties or more than 200 000, whichever is smaller, "
     "affected by limited availability",
     E(TRUST_SERVICE), t_users, F(limited_availability_users), 200000, 10, 0},
    {"ir-14-d", IRA "14(d)",
     "physical access to an area with network and information systems, restricted to trusted "
     "personnel, or its protection, compromised",
     E(TRUST_SERVICE), t_answer, F(physical_access_compromised), 0, 0, 0},
    {"ir-14-e", IRA "14(e)",
     "data compromised with an impact on more than 0.1 % of users or relying parties or more "
     "than 100, whichever is smaller",
     E(TRUST_SERVICE), t_data_users, F(data_compromised_users), 100, 1, 0},
};

const wb_criterion *wb_criteria(size_t *count)
{
    *count = sizeof criteria / sizeof criteria[0];
    return criteria;
}

void wb_assess(wb_entity_type entity, const wb_facts *facts, wb_assessment *out)
{
    memset(out, 0, sizeof *out);
    if ((unsigned)entity >= WB_ENTITY_COUNT) entity = WB_ENTITY_OTHER;
    bool covered = (IR >> entity) & 1u;
    bool met = false, open = false;
    for (size_t i = 0; i < sizeof criteria / sizeof criteria[0]; i++) {
        const wb_criterion *c = &criteria[i];
        if (!((c->entities >> entity) & 1u) || out->nreasons >= WB_ASSESSMENT_MAX_REASONS) continue;
        wb_assessment_reason *r = &out->reasons[out->nreasons++];
        r->criterion = c;
        r->result = c->test(c, facts, r->why, sizeof r->why);
        r->advisory = covered && strncmp(c->id, "nis2-", 5) == 0;
        if (r->result == WB_CRIT_MET) met = true;
        if (r->result == WB_CRIT_UNKNOWN && !r->advisory) open = true;
    }
    if (covered && facts->scheduled_maintenance == WB_TRI_YES) {
        /* Art. 3(2): planned interruptions and the foreseen consequences of
         * scheduled maintenance are not significant incidents. */
        out->scheduled_maintenance = true;
        out->verdict = WB_VERDICT_NOT_SIGNIFICANT;
    } else {
        out->verdict = met    ? WB_VERDICT_SIGNIFICANT
                       : open ? WB_VERDICT_UNDETERMINED
                              : WB_VERDICT_NOT_SIGNIFICANT;
    }
}
