#!/usr/bin/python3
"""deb_fixture.py - `weerbaar vuln scan --inventory /` against Debian
advisories made for this machine.

Reads this machine's dpkg status and writes, into OUTDIR, OSV records in the
shape osv.dev gives Debian's data (DSA-, DLA- and DEBIAN-CVE- records naming
source packages, ecosystem "Debian:<release>", with the CVE in `upstream`)
for some of the source packages installed here: fixed above the installed
version (affected), fixed below it and fixed at it (not affected), and no
fix at all (affected); a DSA and a DEBIAN-CVE record about one CVE (merged
into one finding); and a KEV catalogue naming some of the CVEs. Then it
computes the findings a careful reader would list - every installed binary
package of an affected source, with its CVE and KEV status - using
`dpkg --compare-versions` for the versions, runs the scan and compares.

usage: deb_fixture.py WEERBAAR OUTDIR    (exit 77 when this is not Debian)
"""
import json
import os
import re
import subprocess
import sys


def stanzas(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    for block in text.split("\n\n"):
        fields = {}
        for line in block.split("\n"):
            if not line or line[0] in " \t":
                continue
            k, _, v = line.partition(":")
            fields[k] = v.strip()
        if fields.get("Package"):
            yield fields


def dpkg_lt(a, b):
    return subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0


def main():
    binary, out = sys.argv[1], sys.argv[2]
    osr = {}
    try:
        with open("/etc/os-release") as fh:
            for line in fh:
                k, _, v = line.strip().partition("=")
                osr[k] = v.strip('"')
    except OSError:
        pass
    if osr.get("ID") != "debian" or not osr.get("VERSION_ID") or not os.path.exists(
            "/var/lib/dpkg/status"):
        print("deb_fixture: not a Debian release with a dpkg status: skipped")
        sys.exit(77)
    release = osr["VERSION_ID"]
    # installed binaries by source; sources whose binaries all carry the
    # source version (no binNMU), so that binary and source matches agree
    src = {}
    for f in stanzas("/var/lib/dpkg/status"):
        if not f.get("Status", "").endswith(" installed") or not f.get("Version"):
            continue
        s = f.get("Source", f["Package"])
        m = re.match(r"^(\S+)(?: \((.*)\))?$", s)
        sname, sver = m.group(1), m.group(2) or f["Version"]
        src.setdefault(sname, {"version": sver, "bins": []})
        e = src[sname]
        e["bins"].append((f["Package"], f["Version"]))
        if sver != e["version"]:
            e["mixed"] = True
    names = sorted(n for n, e in src.items() if "mixed" not in e and
                   all(v == e["version"] for _, v in e["bins"]))
    chosen = names[:: max(1, len(names) // 24)][:24]
    os.makedirs(out, exist_ok=True)
    records, kev, expect = [], [], {}
    n = 0
    for i, s in enumerate(chosen):
        ver = src[s]["version"]
        kind = i % 4
        n += 1
        cve = f"CVE-2099-{1000 + n}"
        if kind == 0:  # a DSA fixed above the installed version: affected
            rid, fixed = f"DSA-{9000 + n}-1", ver + "+fix1"
        elif kind == 1:  # a DLA fixed below it: not affected
            e, _, rest = ver.rpartition(":")
            rid, fixed = f"DLA-{9000 + n}-1", (e + ":" if e else "") + "0~" + rest
        elif kind == 2:  # DEBIAN-CVE fixed at it: not affected
            rid, fixed = f"DEBIAN-{cve}", ver
        else:  # DEBIAN-CVE without a fix: affected
            rid, fixed = f"DEBIAN-{cve}", None
        events = [{"introduced": "0"}] + ([{"fixed": fixed}] if fixed else [])
        records.append({
            "schema_version": "1.6.0", "id": rid, "modified": "2025-01-01T00:00:00Z",
            "published": "2025-01-01T00:00:00Z", "upstream": [cve],
            "summary": f"generated for weerbaar's test: {s}",
            "affected": [{"package": {"ecosystem": f"Debian:{release}", "name": s},
                          "ranges": [{"type": "ECOSYSTEM", "events": events}]}]})
        hit = fixed is None or dpkg_lt(ver, fixed)
        if kind == 0:
            # the same CVE from Debian's own tracker: one finding, not two
            records.append({
                "schema_version": "1.6.0", "id": f"DEBIAN-{cve}", "modified": "2025-01-01T00:00:00Z",
                "upstream": [cve], "affected": [{"package": {"ecosystem": f"Debian:{release}",
                                                             "name": s},
                                                 "ranges": [{"type": "ECOSYSTEM",
                                                             "events": [{"introduced": "0"},
                                                                        {"fixed": fixed}]}]}]})
        if kind == 0 or n % 8 == 0 or kind == 1:
            kev.append({"cveID": cve, "vendorProject": "Debian", "product": s,
                        "vulnerabilityName": "generated", "dateAdded": "2025-01-02",
                        "shortDescription": "", "requiredAction": "", "dueDate": "2025-01-23",
                        "knownRansomwareCampaignUse": "Unknown", "notes": ""})
        if hit:
            for b, _ in src[s]["bins"]:
                expect[(b, cve)] = any(k["cveID"] == cve for k in kev)
    for r in records:
        with open(os.path.join(out, r["id"] + ".json"), "w") as fh:
            json.dump(r, fh)
    kevpath = os.path.join(out, "..", "kev.json")
    with open(kevpath, "w") as fh:
        json.dump({"title": "generated", "catalogVersion": "1", "dateReleased": "2025-01-02T00:00:00Z",
                   "count": len(kev), "vulnerabilities": kev}, fh)
    res = subprocess.run([binary, "vuln", "scan", "--advisories", out, "--inventory", "/",
                          "--kev", kevpath, "--format", "json", "--now", "2026-01-01T00:00:00Z"],
                         capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"FAIL: weerbaar exited {res.returncode}: {res.stderr[-2000:]}")
    doc = json.loads(res.stdout)
    got = {}
    for f in doc["findings"]:
        if f["cve"] and f["cve"].startswith("CVE-2099-"):
            got[(f["name"], f["cve"])] = f["kev"]
            if f["kev"] and (f["kev_due_date"] != "2025-01-23T00:00:00Z" or not f["overdue"]):
                sys.exit(f"FAIL: {f['name']} {f['cve']}: KEV due date or overdue wrong")
    print(f"deb_fixture: {len(chosen)} source packages, {len(records)} records, "
          f"{len(expect)} findings expected ({sum(expect.values())} in KEV), {len(got)} reported")
    if got != expect:
        miss = sorted(set(expect) - set(got))[:10]
        extra = sorted(set(got) - set(expect))[:10]
        kdiff = sorted(k for k in set(got) & set(expect) if got[k] != expect[k])[:10]
        sys.exit(f"FAIL: missing {miss}, extra {extra}, KEV differs {kdiff}")


if __name__ == "__main__":
    main()
