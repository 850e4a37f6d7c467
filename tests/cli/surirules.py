#!/usr/bin/env python3
"""A checker for the Suricata 7 rule, dataset and iprep syntax that
`weerbaar intel export` writes, and a reader of their content.

    surirules.py check RULES...          exit 0 when every rule parses
    surirules.py content DIR             prints "type<TAB>value" for what the
                                         files in DIR (an export) select

The grammar is the part of Suricata 7's that the exports use, from its user
guide: header, options "name" or "name:value;" with quoted strings and
|hex| bytes in content, the dataset, iprep and file-hash keyword values.
tests/data/match/suricata/doc-examples.rules holds the documented forms the
checker must accept; a broken rule in the test shows it can refuse.
"""
import base64, ipaddress, os, re, sys

KEYWORDS = {"msg", "sid", "rev", "content", "nocase", "startswith", "endswith", "dotprefix",
            "dataset", "iprep", "filemd5", "filesha1", "filesha256", "metadata", "flow",
            "to_sha256", "dns.query", "http.host", "http.uri", "tls.sni", "http.user_agent"}
STICKY = {"dns.query", "http.host", "http.uri", "tls.sni", "http.user_agent"}
MODIFIERS = {"nocase", "startswith", "endswith"}
HEAD = re.compile(r'^(alert|drop|pass|reject) (ip|tcp|udp|http|dns|tls) (\S+|\[[^\]]+\]) (\S+) '
                  r'(->|<>) (\S+|\[[^\]]+\]) (\S+) \((.*)\)$')


def addr_ok(a):
    if a == "any" or a.startswith("$"):
        return True
    if a.startswith("["):
        return all(addr_ok(x) for x in a[1:-1].split(","))
    try:
        ipaddress.ip_network(a, strict=False)
        return True
    except ValueError:
        return False


def port_ok(p):
    return p == "any" or (p.isdigit() and 0 < int(p) < 65536)


def options(body):
    """Splits 'a; b:c; d:"x;y";' honouring quotes and backslash escapes."""
    out, cur, q, i = [], "", False, 0
    while i < len(body):
        c = body[i]
        if c == "\\" and q:
            cur += body[i:i + 2]
            i += 2
            continue
        if c == '"':
            q = not q
        if c == ";" and not q:
            out.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    if cur.strip() or q:
        raise ValueError("option list does not end with ';'")
    return out


def content_bytes(v):
    if not (v.startswith('"') and v.endswith('"')):
        raise ValueError("content not quoted")
    s, out = v[1:-1], b""
    parts = s.split("|")
    if len(parts) % 2 == 0:
        raise ValueError("unbalanced |hex| in content")
    for k, p in enumerate(parts):
        if k % 2:
            out += bytes.fromhex(p)
        else:
            if re.search(r'(?<!\\)[";]', p):
                raise ValueError("unescaped \" or ; in content")
            out += p.encode()
    return out


def check_rule(line):
    m = HEAD.match(line)
    if not m:
        raise ValueError("bad rule header")
    if not (addr_ok(m.group(3)) and addr_ok(m.group(6)) and port_ok(m.group(4)) and port_ok(m.group(7))):
        raise ValueError("bad address or port")
    opts = options(m.group(8))
    names = [o.split(":", 1)[0] for o in opts]
    if names[0] != "msg" or "sid" not in names or "rev" not in names:
        raise ValueError("msg first, sid and rev required")
    last_content = False
    for o in opts:
        k, _, v = o.partition(":")
        if k not in KEYWORDS:
            raise ValueError("unknown keyword " + k)
        if k == "msg" and not re.fullmatch(r'"[^";\\]*"', v):
            raise ValueError("bad msg")
        if k in ("sid", "rev") and not v.isdigit():
            raise ValueError("bad " + k)
        if k == "content":
            content_bytes(v)
        if k in MODIFIERS and not last_content:
            raise ValueError(k + " without a content before it")
        if k == "dataset" and not re.fullmatch(
                r'(set|isset|isnotset),[\w.-]+,type (string|md5|sha256|ipv4|ip)(,(load|save|state) [\w./-]+)?', v):
            raise ValueError("bad dataset")
        if k == "iprep" and not re.fullmatch(r'(any|src|dst|both),\w+,[<>=],\d+', v):
            raise ValueError("bad iprep")
        if k in ("filemd5", "filesha1", "filesha256") and not re.fullmatch(r'[\w./-]+', v):
            raise ValueError("bad " + k)
        last_content = k == "content" or (last_content and k in MODIFIERS)
    return m, opts


def check(paths):
    bad = 0
    sids = set()
    for p in paths:
        for n, line in enumerate(open(p), 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            try:
                _, opts = check_rule(line)
                sid = [o for o in opts if o.startswith("sid:")][0]
                if (p, sid) in sids:
                    raise ValueError("duplicate " + sid)
                sids.add((p, sid))
            except ValueError as e:
                print("%s:%d: %s" % (p, n, e), file=sys.stderr)
                bad += 1
    return bad == 0


def content(d):
    out = set()
    for f in sorted(os.listdir(d)):
        p = os.path.join(d, f)
        if f.endswith(".lst"):
            for l in open(p):
                out.add(("name", base64.b64decode(l.strip(), validate=True).decode()))
        elif f.endswith(".iprep"):
            cats = {l.split(",")[0] for l in open(os.path.join(d, "weerbaar-categories.txt"))}
            for l in open(p):
                a, c, s = l.strip().split(",")
                ipaddress.ip_network(a, strict=False)
                assert c in cats and 0 <= int(s) <= 127
                out.add(("addr", a))
        elif f.startswith("weerbaar-") and f.endswith(".txt") and "categories" not in f:
            for l in open(p):
                out.add(("hash", l.strip()))
        elif f.endswith(".rules"):
            for l in open(p):
                m, opts = check_rule(l.rstrip("\n"))
                vals = [o.partition(":")[2] for o in opts if o.startswith("content:")]
                if "dotprefix" in opts:
                    out.add(("name", content_bytes(vals[0]).decode()[1:]))
                elif "http.uri" in opts:
                    out.add(("url", content_bytes(vals[0]).decode() + content_bytes(vals[1]).decode()))
                elif "dns.query" in opts and vals:
                    out.add(("name", content_bytes(vals[0]).decode()))
                elif m.group(3).startswith("["):
                    out.update(("addr", a) for a in m.group(3)[1:-1].split(","))
                elif m.group(6).startswith("["):
                    out.update(("addr", a) for a in m.group(6)[1:-1].split(","))
                elif m.group(7) != "any":
                    out.add(("ip-port", m.group(6) + "|" + m.group(7)))
    for t, v in sorted(out):
        print("%s\t%s" % (t, v))
    return True


if __name__ == "__main__":
    ok = check(sys.argv[2:]) if sys.argv[1] == "check" else content(sys.argv[2])
    sys.exit(0 if ok else 1)
