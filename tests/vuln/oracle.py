#!/usr/bin/python3
"""oracle.py - asks the real implementation of a version scheme to compare
"A B" pairs read from stdin and prints '<', '=' or '>' for each (or '!' when
the implementation rejects a version), in the format of
`weerbaar vers compare SCHEME -`.

usage: oracle.py SCHEME [NODE_MODULES_DIR]

  deb    dpkg --compare-versions (the dpkg binary itself)
  rpm    rpm.labelCompare from Debian's python3-rpm (librpm's rpmvercmp)
  pypi   packaging.version.Version from Debian's python3-packaging
  maven  org.apache.maven.artifact.versioning.ComparableVersion from the
         maven-artifact jar of Debian's maven package
  npm    semver.compare from the npm package "semver" (node-semver), found
         in NODE_MODULES_DIR

Exit status 77 (the ctest "skipped" code) when the implementation is not
installed, so that a missing oracle never passes for an agreement.
"""
import glob
import os
import subprocess
import sys

SKIP = 77


def sym(c):
    return "<" if c < 0 else (">" if c > 0 else "=")


def oracle_deb(pairs):
    if not os.path.exists("/usr/bin/dpkg"):
        sys.exit(SKIP)
    out = []
    for a, b in pairs:
        res = []
        for op in ("lt", "eq"):
            p = subprocess.run(["dpkg", "--compare-versions", a, op, b],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if p.returncode > 1 or "warning" in p.stderr:
                res = None
                break
            res.append(p.returncode == 0)
        out.append("!" if res is None else ("<" if res[0] else ("=" if res[1] else ">")))
    return out


def split_evr(s):
    """rpm's parseEVR: an epoch only before a colon after leading digits, the
    release after the last hyphen."""
    i = 0
    while i < len(s) and s[i].isdigit():
        i += 1
    e, rest = None, s
    if i < len(s) and s[i] == ":":
        e, rest = s[:i] or "0", s[i + 1:]
    v, sep, r = rest.rpartition("-")
    if not sep:
        v, r = rest, None
    return (e, v, r)


def oracle_rpm(pairs):
    try:
        import rpm
    except ImportError:
        sys.exit(SKIP)
    return [sym(rpm.labelCompare(split_evr(a), split_evr(b))) for a, b in pairs]


def oracle_pypi(pairs):
    try:
        from packaging.version import InvalidVersion, Version
    except ImportError:
        sys.exit(SKIP)
    out = []
    for a, b in pairs:
        try:
            va, vb = Version(a), Version(b)
        except InvalidVersion:
            out.append("!")
            continue
        out.append(sym((va > vb) - (va < vb)))
    return out


def oracle_maven(pairs):
    jars = glob.glob("/usr/share/maven/lib/maven-artifact*.jar") + \
        glob.glob("/usr/share/java/maven-artifact*.jar")
    if not jars or not os.path.exists("/usr/bin/java"):
        sys.exit(SKIP)
    out = []
    for k in range(0, len(pairs), 2000):  # keep the command line short
        chunk = pairs[k:k + 2000]
        args = [v for pair in chunk for v in pair]
        p = subprocess.run(["java", "-cp", jars[0],
                            "org.apache.maven.artifact.versioning.ComparableVersion"] + args,
                           stdout=subprocess.PIPE, text=True, check=True)
        # "   A OP B" lines compare neighbouring arguments; pairs are 0-2, 2-4, ...
        cmps = [ln.split() for ln in p.stdout.splitlines() if ln.startswith("   ")]
        for i in range(0, len(cmps), 2):
            op = cmps[i][1]
            out.append("=" if op == "==" else op)
    return out


NODE_SCRIPT = r"""
const semver = require(process.argv[1]);
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(l => l.length);
const out = lines.map(l => {
  const [a, b] = l.split(' ');
  try { const c = semver.compare(a, b); return c < 0 ? '<' : c > 0 ? '>' : '='; }
  catch (e) { return '!'; }
});
process.stdout.write(out.join('\n') + '\n');
"""


def oracle_npm(pairs, modules):
    mod = os.path.join(modules or "", "semver")
    if not os.path.exists("/usr/bin/node") or not os.path.exists(os.path.join(mod, "package.json")):
        sys.exit(SKIP)
    p = subprocess.run(["node", "-e", NODE_SCRIPT, mod], input="".join(a + " " + b + "\n" for a, b in pairs),
                       stdout=subprocess.PIPE, text=True, check=True)
    return p.stdout.split()


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: oracle.py SCHEME [NODE_MODULES_DIR] < pairs")
    pairs = [tuple(ln.split()) for ln in sys.stdin if ln.strip()]
    scheme = sys.argv[1]
    if scheme == "npm":
        out = oracle_npm(pairs, sys.argv[2] if len(sys.argv) > 2 else None)
    else:
        out = {"deb": oracle_deb, "rpm": oracle_rpm, "pypi": oracle_pypi,
               "maven": oracle_maven}[scheme](pairs)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
