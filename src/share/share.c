/*
 * share.c - the share service's call context (sharesvc.h): refusals with a
 * status and a stable code, copies into the call's arena, the audit
 * entries a read collects and writes before it answers, and opening a hub
 * database for a local command.
 *
 * Every read path asks wb_policy_read through wbi_share_may_read, which is
 * also where a site admin's read of data only that right allows becomes an
 * audit entry: one place, so no path can forget it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/share_internal.h"

int wbi_share_fail(wb_share *s, unsigned status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err.msg, sizeof s->err.msg, fmt, ap);
    va_end(ap);
    s->status = status;
    s->code = code;
    s->err.code = status == 404 ? WB_ENOTFOUND : status == 413 ? WB_ELIMIT : WB_EINVAL;
    return s->err.code;
}

int wbi_share_not_found(wb_share *s)
{
    return wbi_share_fail(s, 404, "not_found", "no such event, attribute or resource");
}

int wbi_share_internal(wb_share *s, int rc)
{
    s->status = 500;
    s->code = "internal";
    if (rc == 0) rc = WB_EINTERNAL;
    if (s->err.code == 0) s->err.code = rc;
    return rc;
}

const char *wbi_share_dup(wb_share *s, const char *str)
{
    return str ? wb_arena_strdup(s->arena, str) : NULL;
}

char *wbi_share_num(wb_share *s, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    return wb_arena_strdup(s->arena, buf);
}

wbi_limits wbi_share_limits(const wb_share *s)
{
    const wb_share_conf *c = s->conf;
    return (wbi_limits){.max_depth = c && c->max_depth ? c->max_depth : 32,
                        .max_attributes = c && c->max_attributes ? c->max_attributes : 100000,
                        .default_distribution = c ? c->default_distribution : 0};
}

unsigned wbi_share_max_depth(const wb_share *s)
{
    return s->conf && s->conf->max_depth ? s->conf->max_depth : 32;
}

void wbi_share_log(wb_share *s, const char *fmt, ...)
{
    if (s->conf == NULL || s->conf->log == NULL) return;
    char msg[WB_ERROR_MSG_MAX + 128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->conf->log(s->conf->log_ud, msg);
}

void wbi_share_audit_later(wb_share *s, const char *action, const char *object, const char *detail)
{
    if (s->audits == NULL) {
        /* Most calls audit nothing: no 6 KB to clear for them. */
        s->audits = wb_arena_alloc(s->arena, WBI_SHARE_MAX_AUDITS * sizeof *s->audits);
        if (s->audits == NULL) {
            s->audits_dropped++;
            return;
        }
    }
    if (s->naudits == WBI_SHARE_MAX_AUDITS) {
        s->audits_dropped++;
        return;
    }
    s->audits[s->naudits++] =
        (struct wbi_share_audit){action, wbi_share_dup(s, object), wbi_share_dup(s, detail)};
}

int wb_share_flush(wb_share *s)
{
    if (s->naudits == 0) return 0;
    int rc = wb_store_begin(s->st, &s->err);
    for (size_t i = 0; rc == 0 && i < s->naudits; i++) {
        wb_audit_rec a = {.user = s->actor.user,
                          .org = s->actor.org_name,
                          .action = s->audits[i].action,
                          .object = s->audits[i].object,
                          .detail = s->audits[i].detail};
        rc = wb_store_audit(s->st, &a, &s->err);
    }
    if (rc == 0 && s->audits_dropped) {
        char d[64];
        snprintf(d, sizeof d, "%zu further entries of this request", s->audits_dropped);
        wb_audit_rec a = {.user = s->actor.user,
                          .org = s->actor.org_name,
                          .action = s->audits[0].action,
                          .object = NULL,
                          .detail = d};
        rc = wb_store_audit(s->st, &a, &s->err);
    }
    if (rc == 0) rc = wb_store_commit(s->st, &s->err);
    if (rc) wb_store_rollback(s->st);
    s->naudits = s->audits_dropped = 0;
    return rc ? wbi_share_internal(s, rc) : 0;
}

/* Never a bare write: a front end's read transaction (wb_store_read_begin)
 * would hold it uncommitted. */
int wbi_share_audit_now(wb_share *s, const char *action, const char *object, const char *detail)
{
    wb_audit_rec a = {.user = s->actor.user ? s->actor.user : "-",
                      .org = s->actor.org_name ? s->actor.org_name : "-",
                      .action = action,
                      .object = object,
                      .detail = detail};
    int rc = wb_store_begin(s->st, &s->err);
    if (rc == 0) rc = wb_store_audit(s->st, &a, &s->err);
    if (rc == 0) rc = wb_store_commit(s->st, &s->err);
    if (rc) wb_store_rollback(s->st);
    return rc;
}

static void audit_admin_read(wb_share *s, wb_read_path path, const char *uuid,
                             const wb_policy_item *it)
{
    static const char *const paths[] = {"event list", "event",     "indicator look-up",
                                        "sightings",  "MISP feed", "STIX export"};
    char d[96];
    const char *tlp = wb_tlp_name(wb_policy_tlp(it));
    snprintf(d, sizeof d, "TLP:%s read by site admin via %s", tlp ? tlp : "?",
             (size_t)path < sizeof paths / sizeof paths[0] ? paths[path] : "MISP API");
    wbi_share_audit_later(s, "read.admin", uuid, d);
}

bool wbi_share_may_read(wb_share *s, wb_read_path path, const wb_policy_item *it, const char *uuid)
{
    wb_access acc = wb_policy_read(s->who, path, it);
    if (acc == WB_ALLOW_AUDITED) audit_admin_read(s, path, uuid, it);
    return acc != WB_DENY;
}

void wbi_share_copy_event(wb_share *s, const wb_event_rec *src, wb_event_rec *dst)
{
    *dst = *src;
    dst->uuid = wbi_share_dup(s, src->uuid);
    dst->org_name = wbi_share_dup(s, src->org_name);
    dst->org_uuid = wbi_share_dup(s, src->org_uuid);
    dst->info = wbi_share_dup(s, src->info);
    dst->date = wbi_share_dup(s, src->date);
    dst->json = wbi_share_dup(s, src->json);
}

static int body_dump_cb(const char *p, size_t n, void *ud)
{
    return wb_buf_append(ud, p, n) == 0 ? 0 : -1;
}

int wbi_body_json(wb_buf *b, json_t *o, bool comma)
{
    int rc = o ? 0 : WB_ENOMEM;
    if (rc == 0 && comma) rc = wb_buf_putc(b, ',');
    if (rc == 0 && json_dump_callback(o, body_dump_cb, b, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0)
        rc = WB_ENOMEM;
    json_decref(o);
    return rc;
}

int wbi_share_dump(wb_share *s, json_t *o, wb_buf *out)
{
    wb_buf_reset(out);
    if (wbi_body_json(out, o, false) != 0) {
        wb_error_set(&s->err, WB_ENOMEM, "out of memory");
        return wbi_share_internal(s, WB_ENOMEM);
    }
    return 0;
}

/* ---- local commands ------------------------------------------------------------------ */

int wb_share_open(wb_store **st, const char *path, wb_error *err)
{
    return wb_store_open(st, path, err);
}

void wb_share_close(wb_store *st)
{
    wb_store_close(st);
}

wb_principal wb_share_operator_principal(void)
{
    return (wb_principal){.authenticated = true, .role = WB_ROLE_SITE_ADMIN};
}

wb_actor wb_share_operator(void)
{
    return (wb_actor){.user = "cli",
                      .org_id = 0,
                      .org_name = "-",
                      .role = WB_ROLE_SITE_ADMIN,
                      .channel = WB_ACTOR_CLI};
}
