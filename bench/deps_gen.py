#!/usr/bin/env python3
"""deps_gen.py - a synthetic fleet for `weerbaar deps map` tests and benchmarks.

  deps_gen.py fleet OUTDIR [HOMES] [DAYS]
      A thousand homes (by default) on 10.H.H.0/24, each with a solar
      inverter, often an EV charger and a heat pump, and a laptop, calling
      vendor clouds inside and outside the EU/EEA for DAYS days, plus ordinary
      browsing. Writes conn.log and dns.log (Zeek TSV), inventory.csv,
      rir.txt (a delegated-extended fragment for the cloud addresses) and
      expected.txt: one line "asset endpoint" per planted remote-switch
      exposure, decided here from the plan, not by weerbaar's code.
  deps_gen.py rir OUT
      A full-size RIR delegated-extended set (about 230,000 IPv4 records in
      the shape of the real five files: legacy /8s, dense regions of /24 to
      /16 allocations with gaps, the reserved space left out) for
      bench/deps_lpm.c.
  deps_gen.py flows OUT N
      N Zeek conn.log records for bench/deps_run (5,000 assets, 200,000
      (asset, endpoint) pairs, a week), with inventory.csv and rir.txt next
      to OUT.

Deterministic: the same arguments give the same files.
"""
import os
import random
import sys

T0 = 1793491200  # 2026-11-01T00:00:00Z

# cloud: (names, address, registry, registration cc, behaviour note)
CLOUDS = {
    "growatt": (["server.growatt.com"], "47.91.10.20", "apnic", "CN"),
    "enphase": (["reports.enphaseenergy.com"], "52.20.30.40", "arin", "US"),
    "sma": (["proxy.ied.sma.de"], "195.140.10.5", "ripencc", "DE"),
    "solaredge": (["prod.solaredge.com"], "185.20.30.40", "ripencc", "NL"),
    "zaptec": (["zapcloud.azure-devices.net"], "20.50.60.70", "arin", "US"),
    "plugstream": (["ocpp.ampnexus.net"], "185.99.1.2", "ripencc", "GB"),
    "nibe": (["nibeuplink.com"], "194.10.20.30", "ripencc", "SE"),
    "hpcloud": (["api.hp-cloud.example"], "34.120.1.1", "arin", "US"),
    "ntp": (["pool.ntp.example"], "129.6.15.28", "arin", "US"),
    "search": (["www.search.example"], "142.250.1.1", "arin", "US"),
    "news": (["news.example.nl"], "145.100.1.1", "ripencc", "NL"),
    "video": (["video.example"], "151.101.1.1", "arin", "US"),
}


def rir_lines():
    out = ["2|nro|20261101|0|19700101|20261101|+0000",
           "ripencc|*|ipv4|*|0|summary"]
    for i, (key, (names, addr, reg, cc)) in enumerate(sorted(CLOUDS.items())):
        a = addr.split(".")
        out.append("%s|%s|ipv4|%s.%s.0.0|65536|20100101|allocated|holder-%s" %
                   (reg, cc, a[0], a[1], key))
        out.append("%s|%s|asn|%d|1|20100101|allocated|holder-%s" % (reg, cc, 64600 + i, key))
    return out


class Zeek:
    def __init__(self, d):
        self.conn = open(os.path.join(d, "conn.log"), "w")
        self.dns = open(os.path.join(d, "dns.log"), "w")
        self.uid = 0
        self.conn.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
                        "#unset_field\t-\n#path\tconn\n#fields\tts\tuid\tid.orig_h\t"
                        "id.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
                        "orig_bytes\tresp_bytes\tconn_state\n#types\ttime\tstring\taddr\t"
                        "port\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\n")
        self.dns.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
                       "#unset_field\t-\n#path\tdns\n#fields\tts\tuid\tid.orig_h\tid.orig_p\t"
                       "id.resp_h\tid.resp_p\tproto\tquery\tanswers\n#types\ttime\tstring\t"
                       "addr\tport\taddr\tport\tenum\tstring\tvector[string]\n")

    def flow(self, ts, src, dst, dport, proto, dur, ob, rb):
        self.uid += 1
        self.conn.write("%.6f\tC%07d\t%s\t%d\t%s\t%d\t%s\t-\t%.3f\t%d\t%d\tSF\n" %
                        (ts, self.uid, src, 40000 + self.uid % 20000, dst, dport, proto, dur,
                         ob, rb))

    def name(self, ts, src, name, addr):
        self.uid += 1
        self.dns.write("%.6f\tD%07d\t%s\t5353\t10.255.255.53\t53\tudp\t%s\t%s\n" %
                       (ts, self.uid, src, name, addr))


def fleet(d, homes=1000, days=3):
    os.makedirs(d, exist_ok=True)
    rnd = random.Random(17)
    z = Zeek(d)
    inv = open(os.path.join(d, "inventory.csv"), "w")
    inv.write("address,asset,class,criticality,owner\n")
    expected = []

    def periodic(src, cloud, per_day, days_on, port=443):
        names, addr = CLOUDS[cloud][0], CLOUDS[cloud][1]
        for day in days_on:
            base = T0 + day * 86400
            z.name(base + 1, src, names[0], addr)
            step = 86400 // per_day
            for k in range(per_day):
                z.flow(base + k * step + rnd.randint(5, 600), src, addr, port, "tcp",
                       rnd.uniform(0.2, 3), rnd.randint(300, 2000), rnd.randint(300, 4000))

    def longlived(src, cloud, days_on, seconds):
        names, addr = CLOUDS[cloud][0], CLOUDS[cloud][1]
        for day in days_on:
            base = T0 + day * 86400
            z.name(base + 1, src, names[0], addr)
            z.flow(base + 3600, src, addr, 8883, "tcp", seconds, 50000, 80000)

    alldays = list(range(days))
    for h in range(homes):
        net = "10.%d.%d" % (h // 256, h % 256)
        inverter, charger, heatpump, laptop = net + ".2", net + ".3", net + ".4", net + ".10"
        inv.write("%s,home%04d-inverter,inverter,high,home%04d\n" % (inverter, h, h))
        inv.write("%s,home%04d-charger,ev-charger,medium,home%04d\n" % (charger, h, h))
        inv.write("%s,home%04d-heatpump,heat-pump,medium,home%04d\n" % (heatpump, h, h))
        inv.write("%s,home%04d-laptop,workstation,low,home%04d\n" % (laptop, h, h))
        # inverter: one of four makers
        maker = ("growatt", "enphase", "sma", "solaredge")[h % 4]
        if maker == "growatt" and h % 50 == 0:
            periodic(inverter, maker, 11, alldays)  # near miss: 11 a day
        elif maker == "enphase" and h % 7 == 0:
            longlived(inverter, maker, alldays[:1], 7200)  # one 2-hour session
            expected.append(("home%04d-inverter" % h, CLOUDS[maker][1]))
        else:
            periodic(inverter, maker, 12 + h % 5, alldays)
            if maker in ("growatt", "enphase"):
                expected.append(("home%04d-inverter" % h, CLOUDS[maker][1]))
        # charger: Zaptec (Norway, on Azure), PlugStream (UK) or none
        c = h % 3
        if c == 0:
            periodic(charger, "zaptec", 24, alldays, 8883)
        elif c == 1:
            if h % 40 == 1:
                periodic(charger, "plugstream", 24, alldays[:-1])  # near miss: 2 of 3 days
            else:
                periodic(charger, "plugstream", 24, alldays)
                expected.append(("home%04d-charger" % h, CLOUDS["plugstream"][1]))
        # heat pump: NIBE (Sweden), an unlisted US cloud, or none
        p = h % 5
        if p in (0, 1):
            periodic(heatpump, "nibe", 12, alldays)
        elif p == 2:
            periodic(heatpump, "hpcloud", 16, alldays)
            expected.append(("home%04d-heatpump" % h, CLOUDS["hpcloud"][1]))
        # every energy device asks the time once a day (occasional, outside the EU)
        for dev in (inverter, charger, heatpump):
            for day in alldays:
                z.flow(T0 + day * 86400 + 500 + h, dev, CLOUDS["ntp"][1], 123, "udp", 0.01, 48,
                       48)
        # ordinary browsing: often and outside the EU, but not an energy device
        for day in alldays:
            for k in range(20):
                site = ("search", "news", "video")[k % 3]
                z.flow(T0 + day * 86400 + 28800 + k * 1500 + h, laptop, CLOUDS[site][1], 443,
                       "tcp", rnd.uniform(1, 60), rnd.randint(1000, 9000),
                       rnd.randint(10000, 900000))
            z.name(T0 + day * 86400 + 28000, laptop, CLOUDS["search"][0][0], CLOUDS["search"][1])
    with open(os.path.join(d, "rir.txt"), "w") as f:
        f.write("\n".join(rir_lines()) + "\n")
    with open(os.path.join(d, "asn.txt"), "w") as f:
        for i, (key, c) in enumerate(sorted(CLOUDS.items())):
            f.write("%d %s-NET example hosting of %s, %s\n" % (64600 + i, key.upper(), c[0][0], c[3]))
    with open(os.path.join(d, "expected.txt"), "w") as f:
        for a, e in sorted(expected):
            f.write("%s %s\n" % (a, e))


def flows(out, n):
    """N Zeek conn.log records: 5,000 assets (a third of them energy devices)
    each talking to 40 of 2,000 endpoints, over a week: 200,000 pairs."""
    d = os.path.dirname(out) or "."
    rnd = random.Random(5)
    tops = (47, 52, 195, 185, 20, 194, 34, 142, 151, 145)
    eps = ["%d.%d.%d.%d" % (rnd.choice(tops), rnd.randint(0, 255), rnd.randint(0, 255),
                            rnd.randint(1, 254)) for _ in range(2000)]
    with open(os.path.join(d, "inventory.csv"), "w") as f:
        f.write("address,asset,class,criticality,owner\n")
        for i in range(5000):
            f.write("10.1.%d.%d,dev%04d,%s,high,org\n" %
                    (i // 250, i % 250 + 1, i, ("inverter", "heat-pump", "server")[i % 3]))
    with open(os.path.join(d, "rir.txt"), "w") as f:
        f.write("\n".join(rir_lines()) + "\n")
    src = ["10.1.%d.%d" % (i // 250, i % 250 + 1) for i in range(5000)]
    with open(out, "w") as f:
        f.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
                "#unset_field\t-\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\t"
                "id.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\t"
                "conn_state\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\t"
                "interval\tcount\tcount\tstring\n")
        buf = []
        step = 7 * 86400 / n
        for i in range(n):
            a = i * 7919 % 5000
            e = eps[(a * 31 + (i >> 3) % 40) % 2000]
            buf.append("%.6f\tC%09d\t%s\t%d\t%s\t443\ttcp\tssl\t%d.%03d\t%d\t%d\tSF\n" %
                       (1793491200 + i * step, i, src[a], 30000 + i % 30000, e, i % 90,
                        i % 1000, 300 + i % 4000, 1000 + i % 90000))
            if len(buf) == 200000:
                f.write("".join(buf))
                buf = []
        f.write("".join(buf))


# special-purpose blocks no registry delegates (RFC 6890)
RESERVED = [(0x64400000, 10), (0xAC100000, 12), (0xC0A80000, 16), (0xA9FE0000, 16),
            (0xC6120000, 15), (0xC0000000, 24), (0xC0000200, 24), (0xC6336400, 24),
            (0xCB007100, 24)]


def reserved(a, size):
    return any(a < net + (1 << (32 - plen)) and net < a + size for net, plen in RESERVED)


def rir(out):
    rnd = random.Random(23)
    ccs = ["US", "CN", "JP", "DE", "GB", "KR", "BR", "FR", "CA", "IT", "AU", "NL", "RU", "IN",
           "TW", "ES", "SE", "MX", "PL", "ZA", "AR", "CH", "BE", "NO", "FI", "DK", "AT", "IE",
           "SG", "HK", "ID", "TR", "UA", "VN", "TH", "CZ", "RO", "IL", "NZ", "EG"]
    regs = ["arin", "ripencc", "apnic", "lacnic", "afrinic"]
    n = 0
    with open(out, "w") as f:
        f.write("2|nro|20261201|0|19700101|20261201|+0000\n")
        for top in range(1, 224):
            if top in (10, 127):
                continue
            reg = regs[top % 5]
            if rnd.random() < 0.18 and not reserved(top << 24, 1 << 24):  # a legacy /8
                f.write("%s|%s|ipv4|%d.0.0.0|16777216|19910101|assigned|L%d\n" %
                        (reg, rnd.choice(ccs), top, top))
                n += 1
                continue
            a = top << 24
            end = (top + 1) << 24
            while a < end:
                size = 256 << rnd.choices(range(9), (2, 1, 2, 1, 1, 1, 1, 1, 1))[0]
                size = min(size, end - a)
                if rnd.random() < 0.1 or reserved(a, size):  # unallocated
                    a += size
                    continue
                f.write("%s|%s|ipv4|%d.%d.%d.%d|%d|20100101|allocated|H%d\n" %
                        (reg, rnd.choice(ccs), a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255,
                         size, n))
                n += 1
                a += size
    print("%d IPv4 records" % n)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "fleet":
        fleet(sys.argv[2], *(int(x) for x in sys.argv[3:5]))
    elif len(sys.argv) == 3 and sys.argv[1] == "rir":
        rir(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "flows":
        flows(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
