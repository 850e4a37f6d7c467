#!/usr/bin/env bash
# vers_diff_rpm.sh - `weerbaar vers compare rpm` against the real implementation
# on 3000 generated pairs (see tests/vuln/vers_diff.sh and oracle.py).
exec bash "$(dirname "$0")/../vuln/vers_diff.sh" "$1" rpm 3000
