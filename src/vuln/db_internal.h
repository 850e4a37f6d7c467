/*
 * db_internal.h - the frozen vulnerability database, shared by db.c (which
 * builds, saves and validates it) and match.c (which reads it).
 *
 * A frozen database is one image: a header, then sections of fixed-size
 * records that refer to each other by index and to strings by offset into a
 * string table. The index file is this image byte for byte, so a loaded
 * file is used where it lies; db.c checks every offset and count before
 * anything reads it. String offset 0 means "absent" (byte 0 of the table is
 * a NUL that no string uses) and the table ends with a NUL, so every offset
 * inside it starts a terminated string.
 *
 * Little-endian hosts write and read the file; the header records the byte
 * order so a file from another host is refused instead of misread.
 */
#ifndef WB_VULN_DB_INTERNAL_H
#define WB_VULN_DB_INTERNAL_H

#include <stdint.h>

#include "weerbaar/vulnscan.h"

#define WBI_VDB_MAGIC "WBVULNDB"
#define WBI_VDB_VERSION 3u /* 2: platform, severity, VEX vendor and range; 3: package names */
#define WBI_VDB_ENDIAN 0x01020304u

enum {
    WBI_SEC_STR,   /* strings, bytes */
    WBI_SEC_U32,   /* lists of string offsets or record indexes, uint32_t */
    WBI_SEC_VULN,  /* wbi_vuln */
    WBI_SEC_ADV,   /* wbi_adv */
    WBI_SEC_CVSS,  /* wbi_cvss */
    WBI_SEC_AFF,   /* wbi_aff */
    WBI_SEC_REM,   /* wbi_rem */
    WBI_SEC_IPURL, /* wbi_vuln_key: purl type/namespace/name -> affected */
    WBI_SEC_ICPE,  /* wbi_vuln_key: CPE vendor:product -> affected */
    WBI_SEC_INAME, /* wbi_vuln_key: lower-case vendor \x1f product -> affected */
    WBI_SEC_KEV,   /* wbi_kev, sorted by hash */
    WBI_SEC_EPSS,  /* wbi_epss, sorted by hash */
    WBI_SEC_VEX,   /* wbi_vex, sorted by hash of the vulnerability id */
    WBI_SEC_IPKG, /* wbi_vuln_key: package name of a CSAF product without purl or CPE -> affected */
    WBI_SEC_COUNT
};

typedef struct wbi_sec {
    uint64_t off, count; /* byte offset from the image start (multiple of 8), records */
} wbi_sec;

typedef struct wbi_hdr {
    char magic[8];
    uint32_t version, endian;
    uint32_t nsec, reserved;
    uint64_t size; /* the whole image */
    wbi_sec sec[WBI_SEC_COUNT];
} wbi_hdr;

/* One vulnerability after alias merging. */
typedef struct wbi_vuln {
    uint32_t id;        /* primary id: a CVE when there is one */
    uint32_t cve;       /* or 0 */
    uint32_t ids, nids; /* U32 list of string offsets, sorted by string */
    uint32_t title;
    uint32_t vector; /* of the chosen CVSS */
    uint32_t cvss_version;
    uint32_t severity; /* the sources' own rating word when no source gives a score, or 0 */
    double score;
    int64_t published; /* earliest first release, WB_TIME_NONE when unknown */
} wbi_vuln;

typedef struct wbi_adv {
    uint32_t vuln;
    uint32_t id, doc_id, source, kind, title, url;
    uint32_t aliases, naliases; /* U32 list of string offsets */
    uint32_t cvss, ncvss;       /* records in CVSS */
    uint32_t aff, naff;         /* records in AFF */
    uint32_t rem, nrem;         /* records in REM */
    uint32_t severity;          /* the source's own rating word, or 0 */
    int64_t published, modified;
} wbi_adv;

typedef struct wbi_cvss {
    uint32_t version, vector;
    double score;
} wbi_cvss;

typedef struct wbi_aff {
    uint32_t adv;
    uint32_t status; /* wb_aff_status */
    uint32_t purl, cpe, vendor, product, version, range, scheme, fixed, product_id;
    uint32_t purl_key; /* "pkg:type/ns/name" (canonical, no version or qualifiers), or 0 */
    uint32_t distro;   /* the purl's distro qualifier, or 0 */
    uint32_t cpe_key;  /* "vendor:product" WFN values, or 0 */
    uint32_t name_key; /* lower-case vendor, 0x1f, lower-case product; or 0 */
    uint32_t platform; /* CSAF relationship: the product it is installed on, or 0 */
    uint32_t pkg_key;  /* entries without purl and CPE: "rpm" 0x1f NAME when the version is an
                          rpm NEVRA, else "name" 0x1f lower-case product; or 0 */
} wbi_aff;

typedef struct wbi_rem {
    uint32_t category, details, url;
    uint32_t pids, npids; /* U32 list of string offsets; npids 0 = every product */
    uint32_t pad;
} wbi_rem;

typedef struct wbi_vuln_key {
    uint64_t hash; /* wb_hash64 of the key string */
    uint32_t key;  /* string offset */
    uint32_t aff;  /* record in AFF */
} wbi_vuln_key;

typedef struct wbi_kev {
    uint64_t hash; /* of cve */
    uint32_t cve, vendor, product, name;
    uint32_t ransomware, pad;
    int64_t added, due;
} wbi_kev;

typedef struct wbi_epss {
    uint64_t hash;
    uint32_t cve, pad;
    double score, percentile;
} wbi_epss;

typedef struct wbi_vex {
    uint64_t hash; /* of vuln */
    uint32_t vuln, purl, cpe, product, version;
    uint32_t status; /* wb_vex_status */
    uint32_t justification, detail, source;
    uint32_t purl_key;     /* as in wbi_aff, or 0 */
    uint32_t purl_version; /* the version inside the purl, or 0 */
    uint32_t vendor;       /* CSAF vendor branch of product, or 0 */
    uint32_t range;        /* vers range the statement covers, or 0 */
    uint32_t pad;
} wbi_vex;

/* A validated image, read-only. */
typedef struct wbi_view {
    const char *str;
    size_t nstr;
    const uint32_t *u32;
    size_t nu32;
    const wbi_vuln *vuln;
    size_t nvuln;
    const wbi_adv *adv;
    size_t nadv;
    const wbi_cvss *cvss;
    size_t ncvss;
    const wbi_aff *aff;
    size_t naff;
    const wbi_rem *rem;
    size_t nrem;
    const wbi_vuln_key *ipurl, *icpe, *iname, *ipkg;
    size_t nipurl, nicpe, niname, nipkg;
    const wbi_kev *kev;
    size_t nkev;
    const wbi_epss *epss;
    size_t nepss;
    const wbi_vex *vex;
    size_t nvex;
    size_t bytes;
} wbi_view;

/* The view of a frozen database, or NULL when it is not frozen. */
const wbi_view *wbi_vulndb_view(const wb_vulndb *db);

/* The string at offset off (NULL for 0). */
static inline const char *wbi_vuln_str(const wbi_view *v, uint32_t off)
{
    return off ? v->str + off : NULL;
}

/* Index of the first key record with this hash in a sorted array (n when
 * there is none). */
size_t wbi_vuln_key_find(const wbi_vuln_key *k, size_t n, uint64_t hash);

/* The key strings both sides of a match build (the database for its entries,
 * the scanner for components): written into out (replaced). 0 when the
 * input gives a key, WB_EINVAL when not, WB_ENOMEM. distro, when not NULL,
 * receives the purl's distro qualifier (copied into distro_out). */
int wbi_purl_key(const char *purl, wb_buf *out, wb_buf *distro_out, wb_buf *version_out);
int wbi_cpe_key(const char *cpe, wb_buf *out);
int wbi_name_key(const char *vendor, const char *product, wb_buf *out);
/* The package-name key of an entry that has neither purl nor CPE (see
 * wbi_aff.pkg_key), and of a component: type "rpm" with the exact rpm name,
 * or type "name" with a product name (lower-cased, trimmed). */
int wbi_pkg_key(const char *type, const char *name, size_t n, wb_buf *out);

#define WBI_HASH_SEED 0x7662646275656c76ULL

#endif
