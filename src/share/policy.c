/*
 * policy.c - who may read what: TLP 2.0 and MISP distribution, in the one
 * function every read path of the hub calls (wb_policy_read).
 *
 * The rules (docs/hub.md has the table):
 *  - An event's TLP is its tlp: tag, amber when it has none; an attribute
 *    may carry a stricter one; the stricter applies.
 *  - Audience of a distribution: 0 the creator organisation; 1, 2, 3 every
 *    organisation on the hub; 4 the creator and the sharing group's
 *    organisations. An attribute is read inside its event, so it needs both
 *    its own audience and the event's (distribution 5 inherits the event's).
 *  - AMBER+STRICT and RED travel only with distribution 0 or 4. Writes are
 *    refused otherwise; should such a row exist anyway (an import, a bug),
 *    it is treated as distribution 0 rather than widened.
 *  - Without a key: only CLEAR data with distribution 3.
 *  - A sensor key reads indicators and feeds, nothing else.
 *  - Sightings: the event's creator organisation and the organisation that
 *    made them, and only on attributes the caller can see.
 *  - A site admin reads everything; a read of AMBER or stricter data that
 *    the admin's own organisation could not read is WB_ALLOW_AUDITED.
 *
 * Incidents and assessments have policies of their own (wb_policy_incident,
 * wb_policy_assessment, below).
 *
 * The function is pure (no database, no clock) so that the test matrix can
 * run it on every combination and get the same answer as the API does.
 */
#include "share/share_internal.h"
#include "weerbaar/hub.h"

bool wb_policy_distribution_allowed(wb_tlp tlp, int dist)
{
    if (dist < 0 || dist > 4) return false;
    if (tlp == WB_TLP_AMBER_STRICT || tlp == WB_TLP_RED) return dist == 0 || dist == 4;
    return true;
}

static wb_tlp event_tlp(const wb_policy_item *it)
{
    return it->event_tlp == WB_TLP_UNSET ? WB_TLP_AMBER : it->event_tlp;
}

wb_tlp wb_policy_tlp(const wb_policy_item *it)
{
    wb_tlp t = event_tlp(it);
    return it->kind == WB_ITEM_EVENT ? t : wb_tlp_stricter(t, it->attr_tlp);
}

static bool in_group(const wb_principal *p, int64_t sg)
{
    for (size_t i = 0; i < p->ngroups; i++)
        if (p->groups[i] == sg) return true;
    return false;
}

/* Whether the caller's organisation is in the audience of one level. */
static bool audience(const wb_principal *p, int64_t creator, wb_tlp tlp, int dist, int64_t sg)
{
    if (!wb_policy_distribution_allowed(tlp, dist)) dist = 0;
    switch (dist) {
    case 0:
        return p->org_id == creator;
    case 1:
    case 2:
    case 3:
        return true;
    case 4:
        return p->org_id == creator || (sg > 0 && in_group(p, sg));
    default:
        return false;
    }
}

/* The attribute's own distribution and group, 5 resolved to the event's. */
static void attr_dist(const wb_policy_item *it, int *dist, int64_t *sg)
{
    if (it->attr_distribution == 5) {
        *dist = it->event_distribution;
        *sg = it->event_sharing_group;
    } else {
        *dist = it->attr_distribution;
        *sg = it->attr_sharing_group;
    }
}

static bool org_may_read(const wb_principal *p, const wb_policy_item *it)
{
    wb_tlp et = event_tlp(it);
    if (!audience(p, it->creator_org, et, it->event_distribution, it->event_sharing_group))
        return false;
    if (it->kind == WB_ITEM_EVENT) return true;
    int dist;
    int64_t sg;
    attr_dist(it, &dist, &sg);
    if (!audience(p, it->creator_org, wb_policy_tlp(it), dist, sg)) return false;
    if (it->kind == WB_ITEM_ATTRIBUTE) return true;
    return p->org_id == it->creator_org || p->org_id == it->sighting_org;
}

static bool anonymous_may_read(const wb_policy_item *it)
{
    if (it->kind == WB_ITEM_SIGHTING || wb_policy_tlp(it) != WB_TLP_CLEAR) return false;
    if (it->event_distribution != 3) return false;
    if (it->kind == WB_ITEM_EVENT) return true;
    int dist;
    int64_t sg;
    attr_dist(it, &dist, &sg);
    return dist == 3;
}

wb_access wb_policy_read(const wb_principal *p, wb_read_path path, const wb_policy_item *item)
{
    if (p == NULL || item == NULL || (unsigned)path >= WB_READ_PATH_COUNT) return WB_DENY;
    if (!p->authenticated) return anonymous_may_read(item) ? WB_ALLOW : WB_DENY;
    if (p->role == WB_ROLE_SENSOR && path != WB_READ_INDICATOR && path != WB_READ_FEED)
        return WB_DENY;
    if (org_may_read(p, item)) return WB_ALLOW;
    if (p->role != WB_ROLE_SITE_ADMIN) return WB_DENY;
    return wb_policy_tlp(item) >= WB_TLP_AMBER ? WB_ALLOW_AUDITED : WB_ALLOW;
}

/* Incidents are not shared by TLP and distribution: the law names who
 * receives a report (the CSIRT and, through it, the supervisor), so the
 * audience is fixed by the sector's route and nothing widens it. */
wb_access wb_policy_incident(const wb_principal *p, wb_incident_op op,
                             const wb_incident_audience *a)
{
    if (p == NULL || a == NULL || !p->authenticated || p->role == WB_ROLE_SENSOR) return WB_DENY;
    bool own = p->org_id == a->org_id;
    bool csirt = a->csirt_id > 0 && p->org_id == a->csirt_id;
    bool sup = a->supervisor_id > 0 && p->org_id == a->supervisor_id;
    switch (op) {
    case WB_INCIDENT_READ:
        if (own || csirt || sup) return WB_ALLOW;
        return p->role == WB_ROLE_SITE_ADMIN ? WB_ALLOW_AUDITED : WB_DENY;
    case WB_INCIDENT_SUBMIT:
        return own ? WB_ALLOW : WB_DENY;
    case WB_INCIDENT_CSIRT:
        return csirt ? WB_ALLOW : WB_DENY;
    }
    return WB_DENY;
}

/* An assessment of the duty of care is the organisation's own working
 * document: unlike an incident report, no law sends it to anyone, so the
 * routed CSIRT and supervisor see it only while the organisation shares it. */
wb_access wb_policy_assessment(const wb_principal *p, wb_assessment_op op,
                               const wb_assessment_audience *a)
{
    if (p == NULL || a == NULL || !p->authenticated || p->role == WB_ROLE_SENSOR) return WB_DENY;
    bool own = p->org_id == a->org_id;
    bool csirt = a->shared_csirt && a->csirt_id > 0 && p->org_id == a->csirt_id;
    bool sup = a->shared_supervisor && a->supervisor_id > 0 && p->org_id == a->supervisor_id;
    switch (op) {
    case WB_ASSESSMENT_READ:
        if (own || csirt || sup) return WB_ALLOW;
        return p->role == WB_ROLE_SITE_ADMIN ? WB_ALLOW_AUDITED : WB_DENY;
    case WB_ASSESSMENT_WRITE:
        return own ? WB_ALLOW : WB_DENY;
    case WB_ASSESSMENT_SHARE:
        return own && (p->role == WB_ROLE_ORG_ADMIN || p->role == WB_ROLE_SITE_ADMIN) ? WB_ALLOW
                                                                                      : WB_DENY;
    }
    return WB_DENY;
}

wb_access wb_policy_sector_view(const wb_principal *p, wb_org_kind caller_kind)
{
    if (p == NULL || !p->authenticated || p->role == WB_ROLE_SENSOR) return WB_DENY;
    if (caller_kind == WB_ORG_SUPERVISOR || caller_kind == WB_ORG_CSIRT) return WB_ALLOW;
    return p->role == WB_ROLE_SITE_ADMIN ? WB_ALLOW : WB_DENY;
}

/* A dependency picture is the organisation's own, like an assessment; its
 * CSIRT and supervisor see only aggregates over the pictures shared with
 * them (depsdb.h decides which pictures; this decides who asks). */
wb_access wb_policy_deps(const wb_principal *p, wb_deps_op op, wb_org_kind caller_kind)
{
    if (p == NULL || !p->authenticated || p->role == WB_ROLE_SENSOR) return WB_DENY;
    switch (op) {
    case WB_DEPS_SHARE:
        return p->role == WB_ROLE_ORG_ADMIN || p->role == WB_ROLE_SITE_ADMIN ? WB_ALLOW : WB_DENY;
    case WB_DEPS_OWN:
        return WB_ALLOW;
    case WB_DEPS_SECTORS:
        if (caller_kind == WB_ORG_SUPERVISOR || caller_kind == WB_ORG_CSIRT) return WB_ALLOW;
        return p->role == WB_ROLE_SITE_ADMIN ? WB_ALLOW_AUDITED : WB_DENY;
    }
    return WB_DENY;
}

wb_policy_item wbi_policy_item_of(const wb_event_rec *e, const wb_attr_rec *a)
{
    wb_policy_item it = {
        .kind = a ? WB_ITEM_ATTRIBUTE : WB_ITEM_EVENT,
        .creator_org = e->org_id,
        .event_tlp = e->tlp,
        .event_distribution = e->distribution,
        .event_sharing_group = e->sharing_group_id,
        .attr_tlp = a ? a->tlp : WB_TLP_UNSET,
        .attr_distribution = a ? a->distribution : 5, /* 5: inherit the event's */
        .attr_sharing_group = a ? a->sharing_group_id : 0,
    };
    return it;
}
