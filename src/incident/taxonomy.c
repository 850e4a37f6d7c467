/*
 * taxonomy.c - the vocabularies a report refers to: MISP attribute types
 * for indicators, the RSIT incident classification (ENISA's Reference
 * Security Incident Taxonomy) for root causes, and the NIS2 taxonomy's
 * impacted sectors, plus a reader for MISP machinetag.json files.
 *
 * The built-in tables are copies of MISP/misp-taxonomies (CC0) rsit/ and
 * nis2/ machinetag.json and of MISP's describeTypes attribute types; values
 * are kept exactly as written there (the nis2 taxonomy's spelling included),
 * and tests/incident/test_taxonomy.c compares the copies with the files in
 * ../shared/testdata so an update to either shows up as a failing test.
 * Built-in because the CLI and the hub must validate reports without the
 * taxonomy files installed.
 */
#include <stdlib.h>
#include <string.h>

#include "incident/incident_internal.h"
#include "weerbaar/io.h"

/* MISP attribute types: PyMISP data/describeTypes.json "types", with the
 * types MISP added after it (sha3-*, ja3/jarm/hassh fingerprints,
 * community-id, onion-address, dkim, ...). */
static const char *const misp_types[] = {
    "AS",
    "aba-rtn",
    "anonymised",
    "attachment",
    "authentihash",
    "azure-application-id",
    "bank-account-nr",
    "bic",
    "bin",
    "boolean",
    "bro",
    "btc",
    "campaign-id",
    "campaign-name",
    "cc-number",
    "cdhash",
    "chrome-extension-id",
    "comment",
    "community-id",
    "cookie",
    "cortex",
    "counter",
    "country-of-residence",
    "cpe",
    "date-of-birth",
    "datetime",
    "dkim",
    "dkim-signature",
    "dns-soa-email",
    "dom-hash",
    "domain",
    "domain|ip",
    "email",
    "email-attachment",
    "email-body",
    "email-dst",
    "email-dst-display-name",
    "email-header",
    "email-message-id",
    "email-mime-boundary",
    "email-reply-to",
    "email-src",
    "email-src-display-name",
    "email-subject",
    "email-thread-index",
    "email-x-mailer",
    "favicon-mmh3",
    "filename",
    "filename-pattern",
    "filename|authentihash",
    "filename|impfuzzy",
    "filename|imphash",
    "filename|md5",
    "filename|pehash",
    "filename|sha1",
    "filename|sha224",
    "filename|sha256",
    "filename|sha3-224",
    "filename|sha3-256",
    "filename|sha3-384",
    "filename|sha3-512",
    "filename|sha384",
    "filename|sha512",
    "filename|sha512/224",
    "filename|sha512/256",
    "filename|ssdeep",
    "filename|tlsh",
    "filename|vhash",
    "first-name",
    "float",
    "frequent-flyer-number",
    "full-name",
    "gender",
    "gene",
    "git-commit-id",
    "github-organisation",
    "github-repository",
    "github-username",
    "hassh-md5",
    "hasshserver-md5",
    "hex",
    "hostname",
    "hostname|port",
    "http-method",
    "iban",
    "identity-card-number",
    "impfuzzy",
    "imphash",
    "ip-dst",
    "ip-dst|port",
    "ip-src",
    "ip-src|port",
    "issue-date-of-the-visa",
    "ja3-fingerprint-md5",
    "jabber-id",
    "jarm-fingerprint",
    "kusto-query",
    "last-name",
    "link",
    "mac-address",
    "mac-eui-64",
    "malware-sample",
    "malware-type",
    "md5",
    "middle-name",
    "mime-type",
    "mobile-application-id",
    "mutex",
    "named pipe",
    "nationality",
    "onion-address",
    "other",
    "passenger-name-record-locator-number",
    "passport-country",
    "passport-expiration",
    "passport-number",
    "pattern-in-file",
    "pattern-in-memory",
    "pattern-in-traffic",
    "payment-details",
    "pdb",
    "pehash",
    "pgp-private-key",
    "pgp-public-key",
    "phone-number",
    "place-of-birth",
    "place-port-of-clearance",
    "place-port-of-onward-foreign-destination",
    "place-port-of-original-embarkation",
    "port",
    "primary-residence",
    "process-state",
    "prtn",
    "redress-number",
    "regkey",
    "regkey|value",
    "sha1",
    "sha224",
    "sha256",
    "sha3-224",
    "sha3-256",
    "sha3-384",
    "sha3-512",
    "sha384",
    "sha512",
    "sha512/224",
    "sha512/256",
    "sigma",
    "size-in-bytes",
    "snort",
    "special-service-request",
    "ssdeep",
    "ssh-fingerprint",
    "stix2-pattern",
    "target-email",
    "target-external",
    "target-location",
    "target-machine",
    "target-org",
    "target-user",
    "telfhash",
    "text",
    "threat-actor",
    "tlsh",
    "travel-details",
    "twitter-id",
    "uri",
    "url",
    "user-agent",
    "vhash",
    "visa-number",
    "vulnerability",
    "weakness",
    "whois-creation-date",
    "whois-registrant-email",
    "whois-registrant-name",
    "whois-registrant-org",
    "whois-registrant-phone",
    "whois-registrar",
    "windows-scheduled-task",
    "windows-service-displayname",
    "windows-service-name",
    "x509-fingerprint-md5",
    "x509-fingerprint-sha1",
    "x509-fingerprint-sha256",
    "xmr",
    "yara",
    "zeek",
};

bool wb_misp_attribute_type_valid(const char *name)
{
    if (!name) return false;
    for (size_t i = 0; i < sizeof misp_types / sizeof misp_types[0]; i++)
        if (strcmp(misp_types[i], name) == 0) return true;
    return false;
}

size_t wb_misp_attribute_type_count(void)
{
    return sizeof misp_types / sizeof misp_types[0];
}

const char *wb_misp_attribute_type_at(size_t i)
{
    return i < wb_misp_attribute_type_count() ? misp_types[i] : NULL;
}

/* rsit/machinetag.json (version 1003): predicate, value, expanded. */
static const wb_taxonomy_entry rsit[] = {
    {"abusive-content", "spam", "Spam"},
    {"abusive-content", "harmful-speech", "Harmful Speech"},
    {"abusive-content", "violence", "(Child) Sexual Exploitation/Sexual/Violent Content"},
    {"malicious-code", "infected-system", "Infected System"},
    {"malicious-code", "c2-server", "C2 Server"},
    {"malicious-code", "malware-distribution", "Malware Distribution"},
    {"malicious-code", "malware-configuration", "Malware Configuration"},
    {"information-gathering", "scanner", "Scanning"},
    {"information-gathering", "sniffing", "Sniffing"},
    {"information-gathering", "social-engineering", "Social Engineering"},
    {"intrusion-attempts", "ids-alert", "Exploitation of Known Vulnerabilities"},
    {"intrusion-attempts", "brute-force", "Login Attempts"},
    {"intrusion-attempts", "exploit", "New Attack Signature"},
    {"intrusions", "privileged-account-compromise", "Privileged Account Compromise"},
    {"intrusions", "unprivileged-account-compromise", "Unprivileged Account Compromise"},
    {"intrusions", "application-compromise", "Application Compromise"},
    {"intrusions", "system-compromise", "System Compromise"},
    {"intrusions", "burglary", "Burglary"},
    {"availability", "dos", "Denial of Service"},
    {"availability", "ddos", "Distributed Denial of Service"},
    {"availability", "misconfiguration", "Misconfiguration"},
    {"availability", "sabotage", "Sabotage"},
    {"availability", "outage", "Outage"},
    {"information-content-security", "unauthorised-information-access",
     "Unauthorised Access to Information"},
    {"information-content-security", "unauthorised-information-modification",
     "Unauthorised Modification of Information"},
    {"information-content-security", "data-loss", "Data Loss"},
    {"information-content-security", "data-leak", "Leak of Confidential Information"},
    {"fraud", "unauthorised-use-of-resources", "Unauthorised Use of Resources"},
    {"fraud", "copyright", "Copyright"},
    {"fraud", "masquerade", "Masquerade"},
    {"fraud", "phishing", "Phishing"},
    {"vulnerable", "weak-crypto", "Weak Cryptography"},
    {"vulnerable", "ddos-amplifier", "DDoS Amplifier"},
    {"vulnerable", "potentially-unwanted-accessible", "Potentially Unwanted Accessible Services"},
    {"vulnerable", "information-disclosure", "Information disclosure"},
    {"vulnerable", "vulnerable-system", "Vulnerable System"},
    {"other", "other", "Uncategorised"},
    {"other", "undetermined", "Undetermined"},
    {"test", "test", "Test"},
};

/* nis2/machinetag.json, predicate impact-sectors-impacted. */
static const wb_taxonomy_entry sectors[] = {
    {"impact-sectors-impacted", "energy", "Energy"},
    {"impact-sectors-impacted", "transport", "Transport"},
    {"impact-sectors-impacted", "banking", "Banking"},
    {"impact-sectors-impacted", "financial", "Financial market infrastructures"},
    {"impact-sectors-impacted", "health", "Health"},
    {"impact-sectors-impacted", "drinking-water", "Drinking water"},
    {"impact-sectors-impacted", "waste-water", "Waste water"},
    {"impact-sectors-impacted", "digital-infrastructure", "Digital infrastructure"},
    {"impact-sectors-impacted", "ict-services", "ICT service management (business-to-business)"},
    {"impact-sectors-impacted", "public-administration", "Public administration"},
    {"impact-sectors-impacted", "space", "Space"},
    {"impact-sectors-impacted", "courier", "Postal and courier services"},
    {"impact-sectors-impacted", "waste-management", "Waste management"},
    {"impact-sectors-impacted", "chemical",
     "Manufacture, production and distribution of chemicals"},
    {"impact-sectors-impacted", "food", "Production, processing and distribution of food"},
    {"impact-sectors-impacted", "manufacturing", "Manufacturing"},
    {"impact-sectors-impacted", "digital-providers", "Digital providers"},
    {"impact-sectors-impacted", "research", "Research"},
};

const wb_taxonomy_entry *wb_taxonomy_rsit(size_t *count)
{
    *count = sizeof rsit / sizeof rsit[0];
    return rsit;
}

const wb_taxonomy_entry *wb_taxonomy_nis2_sectors(size_t *count)
{
    *count = sizeof sectors / sizeof sectors[0];
    return sectors;
}

bool wb_rsit_tag_valid(const char *s)
{
    /* rsit:PREDICATE="VALUE", the MISP machine-tag form. */
    if (!s || strncmp(s, "rsit:", 5) != 0) return false;
    s += 5;
    const char *eq = strchr(s, '=');
    if (!eq || eq[1] != '"') return false;
    size_t plen = (size_t)(eq - s);
    const char *v = eq + 2;
    size_t vlen = strlen(v);
    if (vlen < 1 || v[vlen - 1] != '"') return false;
    vlen--;
    for (size_t i = 0; i < sizeof rsit / sizeof rsit[0]; i++)
        if (strlen(rsit[i].predicate) == plen && memcmp(rsit[i].predicate, s, plen) == 0 &&
            strlen(rsit[i].value) == vlen && memcmp(rsit[i].value, v, vlen) == 0)
            return true;
    return false;
}

bool wb_sector_valid(const char *s)
{
    for (size_t i = 0; s && i < sizeof sectors / sizeof sectors[0]; i++)
        if (strcmp(sectors[i].value, s) == 0) return true;
    return false;
}

void wb_taxonomy_free(wb_taxonomy *t)
{
    if (!t) return;
    wb_arena_free(&t->arena);
    free(t);
}

static const char *dup_or_null(wb_arena *a, json_t *v, bool *oom)
{
    if (!json_is_string(v)) return NULL;
    const char *s = wb_arena_strdup(a, json_string_value(v));
    if (!s) *oom = true;
    return s;
}

int wb_taxonomy_load(const char *path, const char *predicate, wb_taxonomy **out, wb_error *err)
{
    *out = NULL;
    char *data = NULL;
    size_t len = 0;
    int rc = wb_read_file(path, (size_t)16 << 20, &data, &len, err);
    if (rc) return rc;
    json_t *root;
    rc = wbi_incident_json_load(path, data, len, &root, err);
    free(data);
    if (rc) return rc;
    json_t *ns = json_object_get(root, "namespace"), *values = json_object_get(root, "values");
    if (!json_is_object(root) || !json_is_string(ns)) {
        json_decref(root);
        return wb_error_set(err, WB_EFORMAT, "%s: $.namespace: not a MISP taxonomy", path);
    }
    if (!json_is_array(values)) {
        json_decref(root);
        return wb_error_set(err, WB_EFORMAT, "%s: $.values: missing or not an array", path);
    }
    wb_taxonomy *t = calloc(1, sizeof *t);
    if (!t) {
        json_decref(root);
        return wb_error_set(err, WB_ENOMEM, "%s: out of memory", path);
    }
    wb_arena_init(&t->arena, 0);
    bool oom = false;
    t->name = (char *)dup_or_null(&t->arena, ns, &oom);
    size_t total = 0, i, j;
    json_t *v, *e;
    json_array_foreach(values, i, v) total += json_array_size(json_object_get(v, "entry"));
    t->entries = total ? wb_arena_alloc(&t->arena, total * sizeof *t->entries) : NULL;
    if (total && !t->entries) oom = true;
    json_array_foreach(values, i, v)
    {
        if (oom) break;
        json_t *pred = json_object_get(v, "predicate"), *entry = json_object_get(v, "entry");
        if (!json_is_string(pred) || !json_is_array(entry)) {
            rc = wb_error_set(err, WB_EFORMAT,
                              "%s: $.values[%zu]: needs a predicate (string) and an entry "
                              "(array)",
                              path, i);
            break;
        }
        if (predicate && strcmp(predicate, json_string_value(pred)) != 0) continue;
        json_array_foreach(entry, j, e)
        {
            json_t *val = json_object_get(e, "value");
            if (!json_is_string(val)) {
                rc = wb_error_set(err, WB_EFORMAT,
                                  "%s: $.values[%zu].entry[%zu].value: not a string", path, i, j);
                break;
            }
            wb_taxonomy_entry *te = &t->entries[t->count++];
            te->predicate = dup_or_null(&t->arena, pred, &oom);
            te->value = dup_or_null(&t->arena, val, &oom);
            te->expanded = dup_or_null(&t->arena, json_object_get(e, "expanded"), &oom);
        }
        if (rc) break;
    }
    json_decref(root);
    if (oom && rc == 0) rc = wb_error_set(err, WB_ENOMEM, "%s: out of memory", path);
    if (rc == 0 && predicate && t->count == 0)
        rc = wb_error_set(err, WB_ENOTFOUND, "%s: no values for predicate '%s'", path, predicate);
    if (rc) {
        wb_taxonomy_free(t);
        return rc;
    }
    *out = t;
    return 0;
}
