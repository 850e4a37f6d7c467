/*
 * gen.c - benchmark data: Zeek conn.log / dns.log of a given size with
 * planted indicators, and indicator sets (CSV, plain strings for grep,
 * MISP JSON, STIX 2.1) of a given size with a realistic mix.
 *
 *   gen iocs N PREFIX      writes PREFIX.csv, PREFIX.txt, PREFIX.misp.json,
 *                          PREFIX.stix.json, PREFIX.plant (values to plant)
 *   gen conn MB PLANT OUT  Zeek conn.log of about MB megabytes
 *   gen dns MB PLANT OUT   Zeek dns.log
 *
 * Deterministic (fixed seeds) so runs are comparable. Not part of the
 * library; built by bench/run.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *const tlds[] = {"com", "net", "org", "nl", "ru", "info", "xyz", "top"};
static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";

static void rand_label(char *out, int len)
{
    for (int i = 0; i < len; i++)
        out[i] = alnum[next() % (i ? 36 : 26)];
    out[len] = '\0';
}

static void rand_domain(char *out, size_t cap)
{
    char a[20];
    rand_label(a, 6 + (int)(next() % 8));
    snprintf(out, cap, "%s.%s", a, tlds[next() % 8]);
}

static uint32_t rand_public_ip(void)
{
    for (;;) {
        uint32_t a = (uint32_t)next();
        unsigned f = a >> 24;
        if (f == 0 || f == 10 || f == 127 || f >= 224 || f == 192 || f == 172) continue;
        return a;
    }
}

static void ip_str(uint32_t a, char *out, size_t cap)
{
    snprintf(out, cap, "%u.%u.%u.%u", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255);
}

static int gen_iocs(long n, const char *prefix)
{
    char p[512];
    snprintf(p, sizeof p, "%s.csv", prefix);
    FILE *csv = fopen(p, "w");
    snprintf(p, sizeof p, "%s.txt", prefix);
    FILE *txt = fopen(p, "w");
    snprintf(p, sizeof p, "%s.misp.json", prefix);
    FILE *misp = fopen(p, "w");
    snprintf(p, sizeof p, "%s.stix.json", prefix);
    FILE *stix = fopen(p, "w");
    snprintf(p, sizeof p, "%s.plant", prefix);
    FILE *plant = fopen(p, "w");
    if (!csv || !txt || !misp || !stix || !plant) return 1;
    fprintf(csv, "type,value\n");
    fprintf(misp, "{\"Event\":{\"uuid\":\"11111111-2222-4333-8444-555555555555\",\"info\":"
                  "\"bench\",\"Tag\":[{\"name\":\"tlp:green\"}],\"Attribute\":[\n");
    fprintf(stix, "{\"type\":\"bundle\",\"id\":\"bundle--11111111-2222-4333-8444-555555555555\","
                  "\"objects\":[\n");
    for (long i = 0; i < n; i++) {
        char v[128], pat[200];
        const char *type, *mtype;
        unsigned k = (unsigned)(next() % 100);
        if (k < 40) { /* 40 % IPv4 */
            uint32_t a = rand_public_ip();
            ip_str(a, v, sizeof v);
            type = "ip";
            mtype = "ip-dst";
            snprintf(pat, sizeof pat, "[ipv4-addr:value = '%s']", v);
            if (i % 50 == 0) fprintf(plant, "ip %s\n", v);
        } else if (k < 50) { /* 10 % CIDR */
            uint32_t a = rand_public_ip();
            /* Lengths as blocklists have them (FireHOL, DROP, CSIRT feeds):
             * mostly /24 and longer, few wide blocks. */
            unsigned r = (unsigned)(next() % 100), len;
            if (r < 5)
                len = 16 + (unsigned)(next() % 4);
            else if (r < 20)
                len = 20 + (unsigned)(next() % 4);
            else if (r < 80)
                len = 24;
            else
                len = 25 + (unsigned)(next() % 5);
            a &= len ? 0xffffffffu << (32 - len) : 0;
            char s[32];
            ip_str(a, s, sizeof s);
            snprintf(v, sizeof v, "%s/%u", s, len);
            type = "cidr";
            mtype = "ip-dst";
            snprintf(pat, sizeof pat, "[ipv4-addr:value = '%s']", v);
            if (i % 50 == 0) {
                ip_str(a + 1, s, sizeof s);
                fprintf(plant, "ip %s\n", s);
            }
        } else if (k < 80) { /* 30 % domains */
            rand_domain(v, sizeof v);
            type = "domain";
            mtype = "domain";
            snprintf(pat, sizeof pat, "[domain-name:value = '%s']", v);
            if (i % 50 == 0) fprintf(plant, "domain %s\n", v);
        } else { /* 20 % SHA-256 */
            for (int j = 0; j < 64; j++)
                v[j] = "0123456789abcdef"[next() % 16];
            v[64] = '\0';
            type = "sha256";
            mtype = "sha256";
            snprintf(pat, sizeof pat, "[file:hashes.'SHA-256' = '%s']", v);
        }
        fprintf(csv, "%s,%s\n", type, v);
        fprintf(txt, "%s\n", v);
        fprintf(misp,
                "%s{\"uuid\":\"%08lx-0000-4000-8000-%012lx\",\"type\":\"%s\",\"value\":\"%s\","
                "\"to_ids\":true}\n",
                i ? "," : "", i, i, mtype, v);
        fprintf(stix,
                "%s{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--%08lx-"
                "0000-4000-8000-%012lx\",\"created\":\"2026-01-01T00:00:00Z\",\"modified\":"
                "\"2026-01-01T00:00:00Z\",\"pattern\":\"%s\",\"pattern_type\":\"stix\","
                "\"valid_from\":\"2026-01-01T00:00:00Z\"}\n",
                i ? "," : "", i, i, pat);
    }
    fprintf(misp, "]}}\n");
    fprintf(stix, "]}\n");
    fclose(csv);
    fclose(txt);
    fclose(misp);
    fclose(stix);
    fclose(plant);
    return 0;
}

typedef struct plants {
    char (*ip)[40];
    size_t nip;
    char (*dom)[128];
    size_t ndom;
} plants;

static int load_plants(const char *path, plants *p)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) return 1;
    char kind[16], v[128];
    memset(p, 0, sizeof *p);
    p->ip = malloc(sizeof *p->ip * 1000000);
    p->dom = malloc(sizeof *p->dom * 1000000);
    while (fscanf(f, "%15s %127s", kind, v) == 2) {
        if (strcmp(kind, "ip") == 0 && p->nip < 1000000)
            snprintf(p->ip[p->nip++], 40, "%.39s", v);
        else if (p->ndom < 1000000)
            snprintf(p->dom[p->ndom++], 128, "%s", v);
    }
    fclose(f);
    return 0;
}

static const char header_conn[] =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
    "#open\t2026-11-01-00-00-00\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
    "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\t"
    "orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\t"
    "string\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n";

static const char header_dns[] =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n"
    "#open\t2026-11-01-00-00-00\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\t"
    "query\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\t"
    "answers\tTTLs\trejected\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\t"
    "string\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\t"
    "vector[interval]\tbool\n";

static void uid(char *out)
{
    static const char b62[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    out[0] = 'C';
    for (int i = 1; i < 18; i++)
        out[i] = b62[next() % 62];
    out[18] = '\0';
}

static int gen_log(int dns, long mb, const char *plant_path, const char *out)
{
    plants p;
    if (load_plants(plant_path, &p)) return 1;
    FILE *f = fopen(out, "w");
    if (f == NULL) return 1;
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    fputs(dns ? header_dns : header_conn, f);
    long long target = mb * 1000000LL, written = 0;
    double ts = 1790000000.0;
    long line = 0, planted = 0;
    while (written < target) {
        char u[20], src[40], dst[40], q[160];
        uid(u);
        ip_str(0x0a000000u | (uint32_t)(next() % 65536), src, sizeof src);
        bool plant = line % 5000 == 4999;
        if (plant && !dns && p.nip)
            snprintf(dst, sizeof dst, "%s", p.ip[next() % p.nip]);
        else
            ip_str(rand_public_ip(), dst, sizeof dst);
        ts += 0.000731;
        int n;
        if (dns) {
            if (plant && p.ndom)
                snprintf(q, sizeof q, "www.%s", p.dom[next() % p.ndom]);
            else
                rand_domain(q, sizeof q);
            char ans[40];
            ip_str(rand_public_ip(), ans, sizeof ans);
            n = fprintf(f,
                        "%.6f\t%s\t%s\t%u\t%s\t53\tudp\t%u\t0.%06u\t%s\t1\tC_INTERNET\t1\tA\t0\t"
                        "NOERROR\tF\tF\tT\tT\t0\t%s\t%u.000000\tF\n",
                        ts, u, src, (unsigned)(1024 + next() % 60000), "10.0.0.53",
                        (unsigned)(next() % 65536), (unsigned)(next() % 999999), q, ans,
                        (unsigned)(next() % 86400));
        } else {
            static const char *const st[] = {"SF", "S0", "REJ", "RSTO", "SH", "OTH"};
            static const char *const svc[] = {"-", "http", "ssl", "dns", "ssh", "-"};
            n = fprintf(f,
                        "%.6f\t%s\t%s\t%u\t%s\t%u\ttcp\t%s\t%u.%06u\t%u\t%u\t%s\tT\tF\t0\t"
                        "ShADadFf\t%u\t%u\t%u\t%u\t-\n",
                        ts, u, src, (unsigned)(1024 + next() % 60000), dst,
                        (unsigned)(next() % 2 ? 443 : 80), svc[next() % 6], (unsigned)(next() % 30),
                        (unsigned)(next() % 999999), (unsigned)(next() % 100000),
                        (unsigned)(next() % 1000000), st[next() % 6], (unsigned)(next() % 100),
                        (unsigned)(next() % 100000), (unsigned)(next() % 100),
                        (unsigned)(next() % 1000000));
        }
        written += n;
        line++;
        planted += plant;
    }
    fprintf(f, "#close\t2026-11-02-00-00-00\n");
    fclose(f);
    fprintf(stderr, "%s: %ld records, %ld planted\n", out, line, planted);
    free(p.ip);
    free(p.dom);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "iocs") == 0)
        return gen_iocs(strtol(argv[2], NULL, 10), argv[3]);
    if (argc == 5 && (strcmp(argv[1], "conn") == 0 || strcmp(argv[1], "dns") == 0))
        return gen_log(argv[1][0] == 'd', strtol(argv[2], NULL, 10), argv[3], argv[4]);
    fprintf(stderr, "usage: gen iocs N PREFIX | gen conn|dns MB PLANTFILE OUT\n");
    return 2;
}
