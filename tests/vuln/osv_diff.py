#!/usr/bin/python3
"""osv_diff.py - a differential test of `weerbaar vuln scan` on Go and crates.io
OSV records: generates an inventory of every package the records name, at
versions around every event (and some others), computes which records affect
which component from OSV's SEMVER semantics (written here from the OSV
schema, independently of weerbaar: SemVer 2.0 precedence, events sorted,
the walk of introduced / fixed / last_affected / limit), and compares
exactly with the scan's JSON: the same vulnerabilities for every component,
and fixed_versions equal to the fixes of the intervals that hold the
installed version, never at or below it.

usage: osv_diff.py WEERBAAR DIR... [--sbom FILE ...]
DIR: OSV record directories. With --sbom, the components are the Go and
crates.io packages of real SBOMs (SPDX JSON or tag-value, read by weerbaar
as they are) instead of generated ones.
Exit 0 when they agree; prints the first differences otherwise.
"""
import functools
import json
import os
import random
import subprocess
import sys
import tempfile


# ---- SemVer 2.0.0 precedence ---------------------------------------------------------


def parse(v):
    """(major, minor, patch, prerelease identifiers) or None when not SemVer."""
    v = v.split("+", 1)[0]
    core, _, pre = v.partition("-")
    parts = core.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    ids = pre.split(".") if pre else []
    if pre and any(i == "" for i in ids):
        return None
    return (tuple(int(p) for p in parts), ids)


def cmp_ids(a, b):
    for x, y in zip(a, b):
        if x == y:
            continue
        xd, yd = x.isdigit(), y.isdigit()
        if xd and yd:
            return -1 if int(x) < int(y) else 1
        if xd != yd:
            return -1 if xd else 1
        return -1 if x < y else 1
    return (len(a) > len(b)) - (len(a) < len(b))


def cmp(a, b):
    pa, pb = parse(a), parse(b)
    if pa[0] != pb[0]:
        return -1 if pa[0] < pb[0] else 1
    if not pa[1] or not pb[1]:
        return (not pa[1]) - (not pb[1]) if pa[1] or pb[1] else 0
    return cmp_ids(pa[1], pb[1])


def key(v):
    return functools.cmp_to_key(cmp)(v)


# ---- OSV semantics --------------------------------------------------------------------


def strip(v):
    return v[1:] if v.startswith("v") else v


def affected(events, ver):
    """OSV's evaluation: sort events, the last event at or below ver decides
    (introduced: affected; fixed, limit: not); last_affected covers itself.
    Returns (affected?, the fix of the interval that holds ver or None)."""
    evs = []
    for e in events:
        (k, v), = e.items()
        v = strip(v)
        evs.append((k, v))
    if any(v != "0" and parse(v) is None for _, v in evs):
        return None
    order = sorted(evs, key=lambda kv: (0,) if kv[1] == "0" else (1, key(kv[1])))
    state, fix = False, None
    for i, (k, v) in enumerate(order):
        if k == "introduced":
            if v == "0" or cmp(v, ver) <= 0:
                state = True
        elif k in ("fixed", "limit"):
            if cmp(v, ver) <= 0:
                state = False
        elif k == "last_affected":
            if cmp(v, ver) < 0:
                state = False
    if state:
        # the fix ending this interval: the first closing event above ver
        # (a second introduced while open changes nothing)
        for k, v in order:
            if k == "introduced" or v == "0":
                continue
            c = cmp(v, ver)
            if c > 0 or (k == "last_affected" and c == 0):
                fix = v if k == "fixed" else None
                break
    return state, fix


def purl_of(eco, name, ver):
    if eco == "Go":
        pre = "go" if name in ("stdlib", "toolchain") else "v"
        return f"pkg:golang/{name}@{pre}{ver}"
    return f"pkg:cargo/{name}@{ver}"


def versions_around(vs, rnd):
    out = set()
    for v in sorted(vs):  # sorted: the same versions on every run
        p = parse(v)
        if p is None:
            continue
        (a, b, c), pre = p
        out.add(v)
        out.add(f"{a}.{b}.{c + 1}")
        if c > 0:
            out.add(f"{a}.{b}.{c - 1}")
        if b > 0:
            out.add(f"{a}.{b - 1}.{rnd.randint(0, 30)}")
        out.add(f"{a}.{b + 1}.0")
        if not pre:
            out.add(f"{a}.{b}.{c}-rc.1")
    return out


def sbom_purls(path):
    """The purls of an SPDX JSON or tag-value SBOM."""
    with open(path) as fh:
        text = fh.read()
    if text.lstrip().startswith("{"):
        doc = json.loads(text)
        for p in doc.get("packages", []):
            for r in p.get("externalRefs", []):
                if r.get("referenceType") == "purl":
                    yield r["referenceLocator"]
                    break
        return
    for line in text.splitlines():
        if line.startswith("ExternalRef:") and " purl " in line:
            yield line.split()[-1]


def main():
    binary, args = sys.argv[1], sys.argv[2:]
    sboms = [args[i + 1] for i, a in enumerate(args) if a == "--sbom"]
    dirs = [a for i, a in enumerate(args) if a != "--sbom" and (i == 0 or args[i - 1] != "--sbom")]
    rnd = random.Random(12)
    records = []
    for d in dirs:
        for f in sorted(os.listdir(d)):
            if f.endswith(".json"):
                with open(os.path.join(d, f)) as fh:
                    records.append(json.load(fh))
    records = [r for r in records if "withdrawn" not in r]
    # union-find over id, aliases, upstream, related: weerbaar merges them
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in records:
        for a in r.get("aliases", []) + r.get("upstream", []) + r.get("related", []):
            parent[find(a)] = find(r["id"])
    pkgs = {}
    for r in records:
        for a in r.get("affected", []):
            eco, name = a["package"]["ecosystem"], a["package"]["name"]
            vs = pkgs.setdefault((eco, name), set())
            for rg in a.get("ranges", []):
                if rg["type"] != "SEMVER":
                    continue
                for e in rg["events"]:
                    (_, v), = e.items()
                    if v != "0":
                        vs.add(strip(v))
            for v in a.get("versions", []):
                vs.add(strip(v))
    comps = []
    given = {}  # purl as the SBOM writes it, for --sbom
    if sboms:
        for path in sboms:
            for purl in sbom_purls(path):
                t, _, rest = purl[4:].partition("/")
                if t not in ("golang", "cargo") or "@" not in rest:
                    continue
                name, _, ver = rest.partition("@")
                ver = ver.split("?")[0].split("#")[0]
                eco = "Go" if t == "golang" else "crates.io"
                v = ver[2:] if ver.startswith("go") else strip(ver)
                if parse(v) is None:
                    continue
                comps.append((eco, name, v))
                given[(eco, name, v)] = purl
    else:
        for (eco, name), vs in sorted(pkgs.items()):
            for v in sorted(versions_around(vs, rnd)):
                comps.append((eco, name, v))
    # expected: per component purl, the groups and the fixes
    expect = {}
    by_pkg = {}
    for r in records:
        for a in r.get("affected", []):
            by_pkg.setdefault((a["package"]["ecosystem"], a["package"]["name"]), []).append((r, a))
    for eco, name, v in comps:
        p = given.get((eco, name, v)) or purl_of(eco, name, v)
        groups = {}
        for r, a in by_pkg.get((eco, name), []):
            if True:
                hit, fixes = False, set()
                for rg in a.get("ranges", []):
                    if rg["type"] != "SEMVER":
                        continue
                    res = affected(rg["events"], v)
                    if res and res[0]:
                        hit = True
                        if res[1]:
                            fixes.add(res[1])
                if v in {strip(x) for x in a.get("versions", [])} and not a.get("ranges"):
                    hit = True
                if hit:
                    g = groups.setdefault(find(r["id"]), set())
                    g |= fixes
        expect[p] = groups
    with tempfile.TemporaryDirectory() as tmp:
        bom = {"bomFormat": "CycloneDX", "specVersion": "1.5",
               "metadata": {"component": {"name": "generated"}},
               "components": [{"type": "library", "name": n, "version": purl_of(e, n, v).split("@")[1],
                               "purl": purl_of(e, n, v)} for e, n, v in comps]}
        inv = os.path.join(tmp, "inv.cdx.json")
        with open(inv, "w") as fh:
            json.dump(bom, fh)
        args = [binary, "vuln", "scan", "--format", "json", "--now", "2026-01-01T00:00:00Z"]
        for i in sboms or [inv]:
            args += ["--inventory", i]
        for d in dirs:
            args += ["--advisories", d]
        out = subprocess.run(args, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"FAIL: weerbaar exited {out.returncode}: {out.stderr[-2000:]}")
        doc = json.loads(out.stdout)
    ids = {r["id"] for r in records}
    got = {}
    bad = []
    for f in doc["findings"]:
        groups = {find(i) for i in f["ids"] if i in parent or i in ids}
        if len(groups) != 1:
            bad.append(f"{f['component']}: ids {f['ids']} are not one group")
            continue
        g = groups.pop()
        got.setdefault(f["component"], {})[g] = set(f["fixed_versions"])
        inst = f["component"].split("@")[1].split("?")[0]
        inst = strip(inst[2:] if inst.startswith("go") else inst)
        for fx in f["fixed_versions"]:
            if cmp(fx, inst) <= 0:
                bad.append(f"{f['component']} {g}: fixed_versions {fx} at or below the installed")
    nfind = 0
    for p, groups in expect.items():
        g2 = got.get(p, {})
        nfind += len(groups)
        if set(groups) != set(g2):
            bad.append(f"{p}: expected {sorted(groups)}, got {sorted(g2)}")
            continue
        for g, fixes in groups.items():
            if fixes != g2[g]:
                bad.append(f"{p} {g}: fixed_versions expected {sorted(fixes)}, got {sorted(g2[g])}")
    print(f"osv_diff: {len(records)} records, {len(comps)} components, {nfind} findings expected, "
          f"{len(doc['findings'])} reported")
    if bad:
        for b in bad[:20]:
            print("FAIL:", b)
        sys.exit(f"FAIL: {len(bad)} differences")


if __name__ == "__main__":
    main()
