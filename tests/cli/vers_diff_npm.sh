#!/usr/bin/env bash
# vers_diff_npm.sh - `weerbaar vers compare npm` against the real implementation
# on 3000 generated pairs (see tests/vuln/vers_diff.sh and oracle.py).
exec bash "$(dirname "$0")/../vuln/vers_diff.sh" "$1" npm 3000
