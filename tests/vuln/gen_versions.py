#!/usr/bin/env python3
"""gen_versions.py - deterministic version-pair corpora for the differential
tests in tests/cli/vers_diff_*.sh.

usage: gen_versions.py SCHEME COUNT [SEED]

Prints COUNT lines "A B" of versions valid in SCHEME (deb, rpm, pypi, maven,
npm). Half of the pairs are independent random versions, half are a version
and a small mutation of it (a bumped number, an added or removed suffix, a
changed separator or case), because near-equal pairs are where comparison
rules differ. The grammars deliberately produce the awkward cases: epochs,
'~' and '^', pre-/post-/dev-releases, leading zeros, long numbers, letters
next to digits. Python standard library only; the same SEED always gives
the same corpus.
"""
import random
import sys


def num(r):
    k = r.random()
    if k < 0.55:
        return str(r.randint(0, 3))
    if k < 0.8:
        return str(r.randint(0, 20))
    if k < 0.9:
        return "0" * r.randint(1, 2) + str(r.randint(0, 9))  # leading zeros
    if k < 0.97:
        return str(r.randint(100, 99999))
    return str(r.randint(10**18, 10**25))  # longer than 64 bits


def word(r, letters="abcdefghijklmnopqrstuvwxyz"):
    return "".join(r.choice(letters) for _ in range(r.randint(1, 4)))


def dotted(r, lo=1, hi=4):
    return ".".join(num(r) for _ in range(r.randint(lo, hi)))


# ---- Debian ------------------------------------------------------------------

def deb(r):
    up = num(r).lstrip("0") or "0"
    for _ in range(r.randint(0, 3)):
        up += r.choice([".", ".", "+", "~", "", "-"]) + r.choice([num(r), word(r), word(r, "abcXYZ")])
    if up.endswith("-"):
        up += "1"
    v = up
    if r.random() < 0.25:
        v = num(r).lstrip("0")[:6] + ":" + v if r.random() < 0.9 else "0:" + v
    if r.random() < 0.6 or "-" in up:
        rev = r.choice([num(r), num(r) + r.choice(["ubuntu", "+deb", "~bpo", "build", "."]) + num(r),
                        num(r) + "~" + word(r)])
        v += "-" + rev
    return v


def deb_mut(r, v):
    ops = [lambda s: s + "~" + word(r), lambda s: s + "+" + num(r), lambda s: s.replace(".", "~", 1),
           lambda s: s + ".0", lambda s: s.replace("-", "-0", 1), lambda s: "0:" + s if ":" not in s else s,
           lambda s: s[:-1] if len(s) > 1 and s[-2] not in "-:~+." else s,
           lambda s: s + "a", lambda s: s.replace("~", "", 1)]
    return r.choice(ops)(v)


def deb_ok(v):
    if ":" in v:
        e, _, rest = v.partition(":")
        if not e.isdigit() or not rest:
            return False
    else:
        rest = v
    if rest.endswith("-") or not rest[:1].isdigit():
        return False
    return len(v) < 200


# ---- RPM ---------------------------------------------------------------------

def rpm(r):
    v = dotted(r, 1, 3)
    for _ in range(r.randint(0, 3)):
        v += r.choice([".", "_", "+", "~", "^", "", ".", "~~"]) + r.choice([num(r), word(r), word(r, "abXY")])
    if r.random() < 0.2:
        v = str(r.randint(0, 3)) + ":" + v
    if r.random() < 0.6:
        v += "-" + r.choice([num(r), num(r) + ".el" + str(r.randint(7, 9)), num(r) + ".fc" + num(r),
                             num(r) + "~" + word(r), num(r) + "^" + word(r)])
    return v


def rpm_mut(r, v):
    ops = [lambda s: s + "~rc1", lambda s: s + "^git" + num(r), lambda s: s.replace(".", "_", 1),
           lambda s: s + ".0", lambda s: s + "a", lambda s: s.replace("~", "^", 1),
           lambda s: s.replace("^", "~", 1), lambda s: "0:" + s if ":" not in s else s,
           lambda s: s.split("-")[0]]
    return r.choice(ops)(v)


def rpm_ok(v):
    if v.endswith("-") or v.startswith("-") or v.endswith(":"):
        return False
    head, _, tail = v.partition(":")
    if tail and head.isdigit() and (tail.startswith("-") or not tail):
        return False
    return "--" not in v and len(v) < 200


# ---- PEP 440 -----------------------------------------------------------------

def pypi(r):
    v = ""
    if r.random() < 0.1:
        v += str(r.randint(0, 2)) + "!"
    v += dotted(r, 1, 4)
    if r.random() < 0.35:
        v += r.choice(["", ".", "-", "_"]) + r.choice(["a", "b", "rc", "c", "alpha", "beta", "pre",
                                                       "preview", "A", "RC"])
        v += r.choice(["", num(r)])
    if r.random() < 0.25:
        if r.random() < 0.3:
            v += "-" + num(r)
        else:
            v += r.choice(["", ".", "-", "_"]) + r.choice(["post", "rev", "r", "POST"]) + r.choice(["", num(r)])
    if r.random() < 0.25:
        v += r.choice(["", ".", "-", "_"]) + r.choice(["dev", "DEV"]) + r.choice(["", num(r)])
    if r.random() < 0.15:
        v += "+" + ".".join(r.choice([word(r), num(r), word(r) + num(r)]) for _ in range(r.randint(1, 3)))
    if r.random() < 0.05:
        v = "v" + v
    return v


def pypi_mut(r, v):
    ops = [lambda s: s + ".0", lambda s: s + ".dev0", lambda s: s + "a1", lambda s: s + ".post1",
           lambda s: s + "+local", lambda s: s.replace(".", "_", 1) if "+" in s else s,
           lambda s: s.upper(), lambda s: s + "-1" if "post" not in s and "dev" not in s else s,
           lambda s: s.split("+")[0]]
    return r.choice(ops)(v)


# ---- Maven -------------------------------------------------------------------

MAVEN_WORDS = ["alpha", "beta", "milestone", "rc", "cr", "snapshot", "SNAPSHOT", "ga", "final",
               "GA", "Final", "sp", "a", "b", "m", "release", "RELEASE", "foo", "x", "pfd", "jre"]


def maven(r):
    v = dotted(r, 1, 4)
    for _ in range(r.randint(0, 3)):
        v += r.choice(["-", ".", "", "-", "."]) + r.choice(MAVEN_WORDS + [num(r), num(r)])
    return v


def maven_mut(r, v):
    ops = [lambda s: s + ".0", lambda s: s + "-0", lambda s: s + "-ga", lambda s: s + "-SNAPSHOT",
           lambda s: s.replace("-", ".", 1), lambda s: s.replace(".", "-", 1), lambda s: s.upper(),
           lambda s: s + "1", lambda s: s + "-sp", lambda s: s + ".a"]
    return r.choice(ops)(v)


def maven_ok(v):
    return v and " " not in v


# ---- npm (node-semver) --------------------------------------------------------

def npm_num(r):
    s = num(r).lstrip("0") or "0"
    return s if len(s) <= 15 else s[:15]


def npm_ident(r):
    k = r.random()
    if k < 0.4:
        return npm_num(r)
    if k < 0.5:
        return str(r.randint(10**15, 10**20))  # beyond 2^53: compared as doubles
    return r.choice([word(r), word(r, "abcABC-"), "0" + word(r), "alpha", "beta", "rc", "x-y"])


def npm(r):
    v = ".".join(npm_num(r) for _ in range(3))
    if r.random() < 0.5:
        v += "-" + ".".join(npm_ident(r) for _ in range(r.randint(1, 3)))
    if r.random() < 0.15:
        v += "+" + ".".join(r.choice([word(r), npm_num(r), "0" + npm_num(r)]) for _ in range(r.randint(1, 2)))
    if r.random() < 0.05:
        v = "v" + v
    return v


def npm_mut(r, v):
    ops = [lambda s: s + ".1" if "-" in s and "+" not in s else s + "-0",
           lambda s: s.split("-")[0] if "+" not in s else s,
           lambda s: s + "+build", lambda s: s.replace("alpha", "beta"),
           lambda s: s.replace("1", "2", 1), lambda s: s.upper() if "-" in s and "+" not in s else s]
    return r.choice(ops)(v)


SCHEMES = {
    "deb": (deb, deb_mut, deb_ok),
    "rpm": (rpm, rpm_mut, rpm_ok),
    "pypi": (pypi, pypi_mut, lambda v: True),
    "maven": (maven, maven_mut, maven_ok),
    "npm": (npm, npm_mut, lambda v: "-" not in v.split("+")[0] or not v.split("+")[0].endswith("-")),
}


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in SCHEMES:
        sys.exit("usage: gen_versions.py {%s} COUNT [SEED]" % ",".join(SCHEMES))
    gen, mut, ok = SCHEMES[sys.argv[1]]
    count = int(sys.argv[2])
    r = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 440)
    out = []
    while len(out) < count:
        a = gen(r)
        b = gen(r) if r.random() < 0.5 else mut(r, a)
        if r.random() < 0.05:
            b = a
        if ok(a) and ok(b) and " " not in a + b:
            out.append(a + " " + b)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
