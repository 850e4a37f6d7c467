#!/usr/bin/env python3
"""gen_feed.py - writes a MISP feed directory for bench/hub_feed_run:
EVENTS events of ATTRS attributes each (default 1000 x 1000 = 1M), with the
attribute types a CSIRT feed carries (addresses, domains, URLs, hashes, a
composite), TLP:CLEAR/GREEN/AMBER tags, MISP's field layout (strings for
numbers, as MISP writes event files; integers in the manifest).
Deterministic: the same arguments give the same files.
    bench/gen_feed.py DIR [EVENTS [ATTRS]]"""
import hashlib, json, os, sys, uuid

out = sys.argv[1]
events = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
attrs = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
os.makedirs(out, exist_ok=True)
ns = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")
tlps = ["tlp:clear", "tlp:green", "tlp:amber"]
manifest = {}
n = 0
for e in range(events):
    eu = str(uuid.uuid5(ns, f"event-{e}"))
    ts = 1790000000 + e
    tags = [{"name": tlps[e % 3], "colour": "#ffffff"}, {"name": "type:OSINT"}]
    al = []
    for a in range(attrs):
        n += 1
        k = n % 6
        if k == 0:
            t, v = "ip-dst", f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
        elif k == 1:
            t, v = "domain", f"host{n}.bench{e}.example"
        elif k == 2:
            t, v = "url", f"http://site{n}.example/path/{n}.php"
        elif k == 3:
            t, v = "md5", hashlib.md5(str(n).encode()).hexdigest()
        elif k == 4:
            t, v = "sha256", hashlib.sha256(str(n).encode()).hexdigest()
        else:
            t, v = "domain|ip", f"c2-{n}.example|192.0.{(n >> 8) & 255}.{n & 255}"
        al.append({"uuid": str(uuid.uuid5(ns, f"attr-{n}")), "type": t, "value": v,
                   "category": "Network activity", "comment": "", "to_ids": True,
                   "deleted": False, "disable_correlation": False, "timestamp": str(ts)})
    ev = {"Event": {"uuid": eu, "info": f"bench event {e}", "date": "2026-11-01",
                    "analysis": "2", "threat_level_id": "3", "published": True,
                    "timestamp": str(ts), "publish_timestamp": str(ts),
                    "Orgc": {"name": "Bench-Source", "uuid": "6d0e5a10-ffff-4000-8000-000000000001"},
                    "Tag": tags, "Attribute": al}}
    with open(os.path.join(out, eu + ".json"), "w") as f:
        json.dump(ev, f, separators=(",", ":"))
    manifest[eu] = {"Orgc": ev["Event"]["Orgc"], "Tag": tags, "info": ev["Event"]["info"],
                    "date": "2026-11-01", "analysis": 2, "threat_level_id": 3, "timestamp": ts}
with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(manifest, f)
print(f"{events} events, {n} attributes in {out}")
