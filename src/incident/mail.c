/*
 * mail.c - the e-mail form of a reminder (hooks.h): the message an e-mail
 * recipient (a hook whose URL is mailto:ADDRESS) gets for a delivery, in
 * the recipient's language (nl or en), written from the same JSON body a
 * webhook receives, so both say the same thing.
 *
 * The message is plain text in UTF-8 with the deadline in Europe/Amsterdam
 * time (and UTC), what is due, and a link to the incident's page on the hub
 * when the hub's address is known. Text from reports and organisations
 * (the incident's title, an organisation's name) goes into the Subject only
 * as an RFC 2047 encoded word and into the body with its control
 * characters replaced, so no input can add a header or end the message.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "incident/incident_internal.h"

/* A text in the recipient's language; both are literals, so a format
 * stays checked by the compiler. */
#define TX(nl, en, nl_text) ((nl) ? (nl_text) : (en))

static const struct {
    const char *name, *en, *nl;
} stages[] = {
    {"early-warning", "early warning", "vroegtijdige waarschuwing"},
    {"notification", "incident notification", "incidentmelding"},
    {"intermediate", "intermediate report", "tussentijdse rapportage"},
    {"final", "final report", "eindrapportage"},
    {"progress", "progress report", "voortgangsrapportage"},
    {"gdpr-breach", "GDPR breach notification", "melding datalek (AVG)"},
    {"csirt-answer", "CSIRT's answer", "reactie van het CSIRT"},
};

static const char *stage_text(const char *name, bool nl)
{
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
        if (strcmp(stages[i].name, name) == 0) return nl ? stages[i].nl : stages[i].en;
    return name;
}

static const char *state_text(const char *name, bool nl)
{
    if (!nl) return name;
    if (strcmp(name, "met") == 0) return "op tijd";
    if (strcmp(name, "late") == 0) return "te laat";
    if (strcmp(name, "overdue") == 0) return "verlopen";
    return name;
}

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* Writes s with every control character (a line break included) as a
 * space: one line of the body, never a header or the message's end. */
static int put_flat(wb_buf *b, const char *s)
{
    int rc = 0;
    for (const char *p = s; rc == 0 && *p; p++) {
        char c = (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p;
        rc = wb_buf_append(b, &c, 1);
    }
    return rc;
}

/* "2026-02-02T09:00:00+01:00" as "2026-02-02 09:00 +01:00" and the UTC
 * reading "2026-02-02 08:00"; "?" for a time that does not parse. */
static void times_of(const char *rfc, char *local, size_t lcap, char *utc, size_t ucap)
{
    wb_time t;
    if (wb_time_parse_rfc3339(rfc, strlen(rfc), &t) != 0) {
        snprintf(local, lcap, "?");
        snprintf(utc, ucap, "?");
        return;
    }
    char a[48], u[48];
    wb_ams_format(t - (t % 1000000 + 1000000) % 1000000, a, sizeof a);
    wb_time_format(t - (t % 1000000 + 1000000) % 1000000, u, sizeof u);
    /* a: 2026-02-02T09:00:00+01:00 */
    snprintf(local, lcap, "%.10s %.5s %s", a, a + 11, strlen(a) >= 25 ? a + 19 : "");
    snprintf(utc, ucap, "%.10s %.5s", u, u + 11);
}

/* An RFC 2047 encoded word per chunk of at most 45 bytes (60 base64
 * characters), split between UTF-8 characters, folded onto lines of their
 * own: a title of any length and script makes a header a reader shows. */
static int put_subject(wb_buf *b, const char *s)
{
    int rc = wb_buf_puts(b, "Subject:");
    size_t n = strlen(s), i = 0;
    while (rc == 0 && i < n) {
        size_t k = n - i < 45 ? n - i : 45;
        while (k > 0 && i + k < n && ((unsigned char)s[i + k] & 0xc0) == 0x80)
            k--;
        if (k == 0) k = n - i < 45 ? n - i : 45;
        char enc[sodium_base64_ENCODED_LEN(45, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(enc, sizeof enc, (const unsigned char *)s + i, k,
                          sodium_base64_VARIANT_ORIGINAL);
        rc = wb_buf_printf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : " ", enc);
        i += k;
    }
    return rc == 0 ? wb_buf_puts(b, "\r\n") : rc;
}

int wbi_hooks_mail_compose(const wbi_mail_in *in, wb_buf *out, wb_error *err)
{
    bool nl = in->lang && strcmp(in->lang, "nl") == 0;
    json_t *root = json_loads(in->body, 0, NULL);
    json_t *inc = json_object_get(root, "incident");
    const char *event = jstr(root, "event");
    if (!json_is_object(inc))
        return json_decref(root),
               wb_error_set(err, WB_EINVAL, "delivery %s: not a reminder's body", in->uuid);
    long long id = (long long)json_integer_value(json_object_get(inc, "id"));
    const char *title = jstr(inc, "title"), *org = jstr(inc, "org");
    bool report = strcmp(event, "report.new") == 0;
    json_t *det = json_object_get(root, report ? "report" : "deadline");
    const char *stage = stage_text(jstr(det, "stage"), nl);
    char local[64], utc[64];
    times_of(jstr(det, report ? "received_at" : "due"), local, sizeof local, utc, sizeof utc);

    char subject[512];
    bool overdue = strcmp(event, "deadline.overdue") == 0;
    if (report)
        snprintf(subject, sizeof subject,
                 TX(nl, "New report: the %s of incident %lld (%s)",
                    "Nieuwe melding: %s van incident %lld (%s)"),
                 stage, id, org);
    else if (overdue)
        snprintf(subject, sizeof subject,
                 TX(nl, "Overdue: the %s of incident %lld was due at %s",
                    "Termijn verstreken: %s van incident %lld was uiterlijk %s"),
                 stage, id, local);
    else
        snprintf(subject, sizeof subject,
                 TX(nl, "Reminder: the %s of incident %lld is due at %s",
                    "Herinnering: %s van incident %lld uiterlijk %s"),
                 stage, id, local);
    char date[64];
    time_t now = (time_t)(in->now / 1000000);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);

    wb_buf_reset(out);
    int rc = wb_buf_printf(out,
                           "From: weerbaar <%s>\r\nTo: <%s>\r\nDate: %s\r\n"
                           "Message-ID: <%s@weerbaar>\r\nMIME-Version: 1.0\r\n"
                           "Content-Type: text/plain; charset=UTF-8\r\n"
                           "Content-Transfer-Encoding: 8bit\r\nContent-Language: %s\r\n"
                           "Auto-Submitted: auto-generated\r\nX-Weerbaar-Delivery: %s\r\n"
                           "X-Weerbaar-Event-Key: %s\r\n",
                           in->from, in->to, date, in->uuid, nl ? "nl" : "en", in->uuid, in->key);
    if (rc == 0) rc = put_subject(out, subject);
    if (rc == 0) rc = wb_buf_printf(out, "\r\nIncident %lld: ", id);
    if (rc == 0) rc = put_flat(out, title);
    if (rc == 0 && org[0]) rc = wb_buf_puts(out, " (");
    if (rc == 0 && org[0]) rc = put_flat(out, org);
    if (rc == 0) rc = wb_buf_puts(out, org[0] ? ")\r\n\r\n" : "\r\n\r\n");
    if (rc == 0 && report) {
        char line[512];
        snprintf(line, sizeof line,
                 TX(nl, "%s submitted the %s; the hub received it at %s (Europe/Amsterdam).",
                    "%s heeft de %s ingediend; de hub ontving die op %s (Europe/Amsterdam)."),
                 org, stage, local);
        rc = put_flat(out, line);
    } else if (rc == 0) {
        char line[512];
        if (overdue)
            snprintf(line, sizeof line,
                     TX(nl,
                        "The %s was due at %s (Europe/Amsterdam), %s UTC, and has not been "
                        "submitted.",
                        "De termijn voor de %s verstreek op %s (Europe/Amsterdam), %s UTC, en er "
                        "is nog niets ingediend."),
                     stage, local, utc);
        else
            snprintf(line, sizeof line,
                     TX(nl, "The %s is due at %s (Europe/Amsterdam), %s UTC.",
                        "De termijn voor de %s verstrijkt op %s (Europe/Amsterdam), %s UTC."),
                     stage, local, utc);
        rc = put_flat(out, line);
        if (rc == 0)
            rc = wb_buf_printf(out, "\r\n%s: %s\r\n%s: ", TX(nl, "State", "Stand"),
                               state_text(jstr(det, "state"), nl), TX(nl, "Rule", "Regel"));
        if (rc == 0) rc = put_flat(out, jstr(det, "article"));
    }
    if (rc == 0) rc = wb_buf_puts(out, "\r\n");
    if (rc == 0 && in->hub_url && in->hub_url[0]) {
        size_t n = strlen(in->hub_url);
        while (n > 0 && in->hub_url[n - 1] == '/')
            n--;
        char link[2200];
        snprintf(link, sizeof link, "%s: %.*s/#/incidents/%lld",
                 TX(nl, "The incident on the hub", "Het incident op de hub"),
                 (int)(n < 2048 ? n : 2048), in->hub_url, id);
        rc = wb_buf_puts(out, "\r\n");
        if (rc == 0) rc = put_flat(out, link);
        if (rc == 0) rc = wb_buf_puts(out, "\r\n");
    }
    if (rc == 0)
        rc = wb_buf_printf(out, "\r\n-- \r\n%s\r\n",
                           TX(nl,
                              "Sent by weerbaar once per deadline and event; the register decides "
                              "what is due.",
                              "Verstuurd door weerbaar, eenmaal per termijn en gebeurtenis; het "
                              "register bepaalt wat er moet."));
    json_decref(root);
    if (rc) return wb_error_set(err, WB_ENOMEM, "out of memory");
    return 0;
}
