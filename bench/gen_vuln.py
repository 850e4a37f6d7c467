#!/usr/bin/env python3
"""gen_vuln.py - corpus for bench/vuln_run: OSV- and CSAF-shaped advisories
and CycloneDX SBOMs that hit a known share of them.

  bench/gen_vuln.py OUTDIR [N_ADVISORIES]      (default 200000)

Writes OUTDIR/osv/<ecosystem>/<id>.json (80 % of the advisories: npm, PyPI,
Maven, Go, crates.io packages with introduced/fixed ranges, GHSA ids with CVE
aliases, CVSS v3.1 vectors), OUTDIR/csaf/<year>/<id>.json (20 %: product
trees with vendor/product/version branches, purl helpers on half of them,
known_affected/fixed statuses, CVSS v3.1 scores), and OUTDIR/sbom-1k.json and
OUTDIR/sbom-10k.json (CycloneDX 1.5). Package names follow a Zipf-like
popularity (log-uniform rank, s = 1) so that popular packages carry many
advisories, as in OSV: the most advised package of an ecosystem gets about
500 of them, the median one none or one.
Deterministic (seeded). Standard library only.
"""
import json, os, random, sys

out = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
rnd = random.Random(20240501)
ECO = [("npm", "npm"), ("PyPI", "pypi"), ("Maven", "maven"), ("Go", "golang"), ("crates.io", "cargo")]
NPKG = 60000

def pkg_name(i, eco):
    if eco == "Maven":
        return f"org.example{i % 97}:lib{i}"
    if eco == "Go":
        return f"github.com/example{i % 89}/mod{i}"
    return f"pkg{i}"

def purl(eco_purl, name, version=None):
    if eco_purl == "maven":
        g, a = name.split(":")
        p = f"pkg:maven/{g}/{a}"
    elif eco_purl == "golang":
        p = f"pkg:golang/{name}"
    else:
        p = f"pkg:{eco_purl}/{name}"
    return p + (f"@{version}" if version else "")

def popular():
    # Zipf-like (s = 1): rank r drawn with probability ~ 1/r. An earlier
    # Pareto(1.1) draw gave one package per ecosystem ~20 000 advisories and
    # a 1k-component SBOM 150 000 findings, which no real corpus does.
    return min(int(NPKG ** rnd.random()) - 1, NPKG - 1)

def vec():
    return "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"

def osv(i):
    e, ep = ECO[i % len(ECO)]
    n = pkg_name(popular() if rnd.random() < 0.5 else rnd.randrange(NPKG), e)
    maj = rnd.randrange(0, 6)
    intro, fixed = f"{maj}.0.0", f"{maj}.{rnd.randrange(1, 9)}.{rnd.randrange(0, 9)}"
    gid = f"GHSA-{i:04x}-{(i * 7) % 65536:04x}-{(i * 13) % 65536:04x}"
    return gid, e, {
        "schema_version": "1.6.0", "id": gid, "modified": "2024-03-01T00:00:00Z",
        "published": f"20{18 + i % 7}-0{1 + i % 9}-1{i % 9}T00:00:00Z",
        "aliases": [f"CVE-20{18 + i % 7}-{10000 + i}"],
        "summary": f"Synthetic vulnerability {i} in {n}",
        "severity": [{"type": "CVSS_V3", "score": vec()}],
        "affected": [{"package": {"ecosystem": e, "name": n, "purl": purl(ep, n)},
                      "ranges": [{"type": "SEMVER" if e != "Maven" else "ECOSYSTEM",
                                  "events": [{"introduced": intro}, {"fixed": fixed}]}]}],
        "database_specific": {"severity": "HIGH"}}

def csaf(i):
    year = 2019 + i % 6
    tid = f"WB-SA-{year}-{i:06d}"
    vendor = f"Vendor{i % 500}"
    prod = f"Product {i % 3000}"
    versions = [f"V{rnd.randrange(1, 5)}.{k}" for k in range(rnd.randrange(1, 5))]
    fixedv = f"V9.{i % 10}"
    branches, affected, ids = [], [], []
    for k, v in enumerate(versions + [fixedv]):
        pid = f"CSAFPID-{k:04d}"
        p = {"name": f"{vendor} {prod} {v}", "product_id": pid}
        if i % 2 == 0:
            p["product_identification_helper"] = {
                "purl": f"pkg:generic/{vendor.lower()}/{prod.lower().replace(' ', '-')}@{v}"}
        branches.append({"category": "product_version", "name": v, "product": p})
        ids.append(pid)
    cve = f"CVE-{year}-{50000 + i}"
    return year, tid, {
        "document": {"category": "csaf_security_advisory", "csaf_version": "2.0",
                     "title": f"Synthetic advisory {i}",
                     "publisher": {"category": "vendor", "name": vendor, "namespace": "https://example.com"},
                     "tracking": {"id": tid, "status": "final", "version": "1",
                                  "initial_release_date": f"{year}-06-01T00:00:00Z",
                                  "current_release_date": f"{year}-06-01T00:00:00Z",
                                  "revision_history": [{"number": "1", "date": f"{year}-06-01T00:00:00Z", "summary": "first"}]}},
        "product_tree": {"branches": [{"category": "vendor", "name": vendor, "branches": [
            {"category": "product_name", "name": prod, "branches": branches}]}]},
        "vulnerabilities": [{"cve": cve, "title": f"Synthetic {i}",
                             "product_status": {"known_affected": ids[:-1], "fixed": ids[-1:]},
                             "scores": [{"products": ids[:-1], "cvss_v3": {
                                 "version": "3.1", "vectorString": vec(), "baseScore": 9.8,
                                 "baseSeverity": "CRITICAL"}}],
                             "remediations": [{"category": "vendor_fix", "details": f"Update to {fixedv}",
                                               "product_ids": ids[:-1]}]}]}

def sbom(n, path):
    comps = []
    for k in range(n):
        e, ep = ECO[k % len(ECO)]
        i = popular() if rnd.random() < 0.3 else rnd.randrange(NPKG)
        name = pkg_name(i, e)
        v = f"{rnd.randrange(0, 6)}.{rnd.randrange(0, 9)}.{rnd.randrange(0, 9)}"
        comps.append({"type": "library", "bom-ref": f"c{k}", "name": name, "version": v,
                      "purl": purl(ep, name, v)})
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
           "metadata": {"component": {"type": "application", "name": f"app-{n}", "version": "1.0"}},
           "components": comps}
    with open(path, "w") as f:
        json.dump(doc, f)

os.makedirs(out, exist_ok=True)
nosv = N * 8 // 10
for i in range(nosv):
    gid, e, d = osv(i)
    d_ = os.path.join(out, "osv", e)
    if i < len(ECO): os.makedirs(d_, exist_ok=True)
    with open(os.path.join(d_, gid + ".json"), "w") as f:
        json.dump(d, f)
for i in range(N - nosv):
    year, tid, d = csaf(i)
    d_ = os.path.join(out, "csaf", str(year))
    os.makedirs(d_, exist_ok=True)
    with open(os.path.join(d_, tid.lower() + ".json"), "w") as f:
        json.dump(d, f)
sbom(1000, os.path.join(out, "sbom-1k.json"))
sbom(10000, os.path.join(out, "sbom-10k.json"))
print(f"{nosv} OSV and {N - nosv} CSAF advisories, SBOMs of 1k and 10k components in {out}")
