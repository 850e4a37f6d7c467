#!/usr/bin/env bash
# incident_schema.sh - docs/incident-report.schema.json is a valid draft
# 2020-12 schema, the examples in docs/incident.md satisfy it, and reports
# weerbaar refuses for their shape are refused by the schema too. Needs
# python3 with jsonschema (exit 77: skipped without it).
set -u
python3 -c 'import jsonschema' 2>/dev/null || exit 77
python3 - <<'PY'
import json, re, sys
import jsonschema
schema = json.load(open("docs/incident-report.schema.json"))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
doc = open("docs/incident.md").read()
examples = re.findall(r'<!-- report: [a-z-]+ -->\n```json\n(.*?)```', doc, re.S)
assert len(examples) >= 4, "examples missing"
bad = 0
for e in examples:
    for err in v.iter_errors(json.loads(e)):
        print("FAIL: docs example:", err.message); bad = 1
for name in ["early-warning", "notification"]:
    for err in v.iter_errors(json.load(open(f"tests/data/incident/{name}.json"))):
        print("FAIL:", name, err.message); bad = 1
for refused in [{"colour": "red"}, {"severity": "extreme"}, {"malicious": "maybe"},
                {"impact": {"users_affected": -1}}, {"contact": {"fax": "1"}},
                {"expected_handled_at": "2026-05-20"}, {"indicators": [{"type": "url"}]}]:
    if v.is_valid(refused):
        print("FAIL: schema accepts", refused); bad = 1
sys.exit(bad)
PY
