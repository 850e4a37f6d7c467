#!/usr/bin/env bash
# vers_diff_deb.sh - `weerbaar vers compare deb` against the real implementation
# on 2000 generated pairs (see tests/vuln/vers_diff.sh and oracle.py).
exec bash "$(dirname "$0")/../vuln/vers_diff.sh" "$1" deb 2000
