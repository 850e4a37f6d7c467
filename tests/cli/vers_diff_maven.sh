#!/usr/bin/env bash
# vers_diff_maven.sh - `weerbaar vers compare maven` against the real implementation
# on 3000 generated pairs (see tests/vuln/vers_diff.sh and oracle.py).
exec bash "$(dirname "$0")/../vuln/vers_diff.sh" "$1" maven 3000
