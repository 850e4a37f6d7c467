"""The analyst's and the sensor's MISP workflows with PyMISP, MISP's own
client, against a weerbaar hub (tests/cli/misp_pymisp.sh starts it).

Usage: misp_pymisp.py URL KEY_ORG_ADMIN KEY_OTHER_ORG KEY_SENSOR PYMISP_DIR
Prints "ok NAME" / "FAIL NAME" lines; exits 1 when a check failed.
"""
import json
import sys
import time
import uuid as uuidlib

url, key, key_other, key_sensor, pymisp_dir = sys.argv[1:6]
sys.path.insert(0, pymisp_dir)

import requests  # noqa: E402
from pymisp import MISPAttribute, MISPEvent, MISPObject, PyMISP  # noqa: E402

fails = 0


last = None  # the last answer, shown when a check fails


def check(name, cond):
    global fails
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        fails += 1
        print("     last answer: " + json.dumps(last)[:600], file=sys.stderr)


def raw(method, path, k=key, body=None, bearer=False):
    h = {"Authorization": ("Bearer " if bearer else "") + k, "Accept": "application/json",
         "Content-Type": "application/json"}
    return requests.request(method, url + path, headers=h,
                            data=json.dumps(body) if body is not None else None, timeout=30)


# ---- connect: getVersion, getPyMISPVersion, users/view/me, describeTypes
m = PyMISP(url, key, ssl=False, timeout=30)
check("connect: PyMISP's constructor passes (version, user, describeTypes)",
      m._current_user.email == "soc@energienet.example")
check("describeTypes: ip-dst is a type with a default category",
      "ip-dst" in m.describe_types["types"] and "ip-dst" in m.describe_types["sane_defaults"])
check("Authorization: Bearer KEY as well", raw("GET", "/users/view/me", bearer=True).status_code == 200)
check("MISP's bare 'Authorization: KEY' on /api/v1 too", raw("GET", "/api/v1/events").status_code == 200)
r = raw("GET", "/users/view/me", k="0" * 64)
check("a bad key: 401 in MISP's error shape",
      r.status_code == 401 and {"name", "message", "url", "errors"} <= set(r.json()))

# ---- add an event with attributes and tags
tag = "weerbaar-test:" + uuidlib.uuid4().hex[:8]
ev = MISPEvent()
ev.info = "PyMISP workflow"
ev.distribution = 1
ev.add_tag("tlp:green")
ev.add_tag(tag)
ip = ev.add_attribute("ip-dst", "198.18.0.77", to_ids=True, comment="C2")
dom = ev.add_attribute("domain", "pymisp-test.example", to_ids=True)
res = last = m.add_event(ev, pythonify=False)
check("events/add: an event with attributes and tags", "Event" in res)
euuid = res["Event"]["uuid"]

# ---- an object (objects/add), from the MISP object templates PyMISP ships
obj = MISPObject("domain-ip")
obj.add_attribute("domain", value="obj-test.example")
obj.add_attribute("ip", value="198.18.0.78")
res = m.add_object(euuid, obj, pythonify=False)
check("objects/add: the object comes back with its attributes",
      "Object" in res and res["Object"]["name"] == "domain-ip"
      and len(res["Object"].get("Attribute", [])) == 2)

# ---- get (restSearch by uuid; events/view when the sync routes are there)
got = m.search(controller="events", uuid=euuid)
check("get the event: restSearch by uuid", len(got) == 1 and got[0]["Event"]["uuid"] == euuid)
e0 = got[0]["Event"]
check("the event has MISP's ids, its tags and its object",
      e0.get("id") and any(t["name"] == tag for t in e0.get("Tag", []))
      and len(e0.get("Object", [])) == 1 and all("event_id" in a for a in e0["Attribute"]))

got = last = m.get_event(euuid, pythonify=True)
check("events/view: the event with its object",
      got.uuid == euuid and len(got.objects) == 1 and len(got.attributes) == 2)
got.info = "PyMISP workflow (updated)"
upd = last = m.update_event(got, pythonify=False)
s = last = m.search(controller="events", uuid=euuid)
check("events/edit: the info changed, the attributes and the object stayed",
      s[0]["Event"]["info"] == "PyMISP workflow (updated)" and len(s[0]["Event"]["Attribute"]) == 2
      and len(s[0]["Event"]["Object"]) == 1)

# ---- tags attached and removed (tags/attachTagToObject, removeTagFromObject);
# a change unpublishes the event, as in MISP, so this comes before publishing
res = last = m.tag(ip.uuid, "kill-chain:c2")
check("a tag attached to an attribute", "errors" not in res)
res = last = m.tag(euuid, "to-be-removed")
s = last = m.search(controller="attributes", tags=["kill-chain:c2"])
check("the attribute is found by its new tag", [x["uuid"] for x in s["Attribute"]] == [ip.uuid])
res = last = m.untag(euuid, "to-be-removed")
s = last = m.search(controller="events", tags=["to-be-removed"])
check("a tag removed from the event", s == [])
r = raw("POST", "/tags/attachTagToObject", body={"uuid": euuid, "tag": "tlp:red"})
check("tlp:red on a community event: refused as in a posted event (422)", r.status_code == 422)

# ---- update an attribute, add one, publish
a = MISPAttribute()
a.uuid = ip.uuid
a.comment = "C2 server, seen 2026-12"
upd = m.update_attribute(a, pythonify=False)
check("attributes/edit: the comment changed",
      upd.get("Attribute", {}).get("comment") == "C2 server, seen 2026-12")
na = m.add_attribute(euuid, {"type": "url", "value": "http://pymisp-test.example/login",
                             "to_ids": True}, pythonify=False)
check("attributes/add: the new attribute with an id and its event's id",
      na.get("Attribute", {}).get("value") == "http://pymisp-test.example/login"
      and na["Attribute"].get("event_id") == e0["id"])
url_uuid = na["Attribute"]["uuid"]
pub = last = raw("POST", "/events/publish/" + e0["id"]).json()
check("events/publish by MISP's numeric id", pub.get("success") is True)

# ---- search events and attributes
t0 = int(time.time()) - 3600
s = last = m.search(controller="events", value="198.18.0.77")
check("events by value", [x["Event"]["uuid"] for x in s] == [euuid])
s = last = m.search(controller="attributes", value="198.18.0.77")
check("attributes by value", len(s["Attribute"]) == 1 and s["Attribute"][0]["uuid"] == ip.uuid)
s = last = m.search(controller="attributes", type_attribute="url", tags=[tag])
check("attributes by type and tag", [x["uuid"] for x in s["Attribute"]] == [url_uuid])
s = last = m.search(controller="attributes", tags=[tag], to_ids=True, timestamp=t0)
check("attributes by tag, to_ids and time", len(s["Attribute"]) == 5)
s = last = m.search(controller="attributes", value="198.18.0.77", tags=["!" + tag])
check("NOT tag leaves it out", s["Attribute"] == [])
s = last = m.search(controller="events", tags=[tag], published=True, last="1d")
check("events by tag, published and last", [x["Event"]["uuid"] for x in s] == [euuid])
s = last = m.search(controller="attributes", tags=[tag], limit=2, page=2)
check("limit and page", len(s["Attribute"]) == 2)
csv = m.search(controller="attributes", value="pymisp-test.example", return_format="csv")
check("returnFormat csv", isinstance(csv, str) and "pymisp-test.example" in csv
      and csv.startswith("uuid,event_id,category,type,value"))
r = raw("POST", "/attributes/restSearch", body={"tags": [tag], "returnFormat": "text"})
check("returnFormat text", r.status_code == 200 and "198.18.0.77\n" in r.text)
r = raw("POST", "/attributes/restSearch", body={"timestamp": "yesterday"})
check("a bad filter: 400 in MISP's shape naming it",
      r.status_code == 400 and "$.timestamp" in r.json()["message"])

# ---- sightings
sensor = PyMISP(url, key_sensor, ssl=False, timeout=30)
res = sensor.add_sighting({"value": "198.18.0.77", "source": "pymisp-sensor"})
check("a sensor adds a sighting by value", "errors" not in res)
r = raw("GET", "/api/v1/events/%s/sightings" % euuid, bearer=True)
check("the sighting is listed", r.status_code == 200 and "pymisp-sensor" in r.text)
s = last = sensor.search(controller="attributes", value="198.18.0.77")
check("a sensor searches attributes (as indicators)", len(s["Attribute"]) == 1)
r = raw("POST", "/events/restSearch", k=key_sensor, body={})
check("a sensor may not search events: 403", r.status_code == 403)

# ---- lists
tags = m.tags(pythonify=False)
check("tags/index lists the event's tag", any(t["name"] == tag for t in tags))
orgs = m.organisations(pythonify=False)
check("organisations/index", any(o["Organisation"]["name"] == "Energienet" for o in orgs))
sgs = m.sharing_groups(pythonify=False)
check("sharing_groups/index: the groups of the caller's organisation", isinstance(sgs, list))
feeds = m.feeds(pythonify=False)
check("feeds/index: the hub's own feeds", len(feeds) == 2)

# ---- another organisation sees exactly what the policy allows
secret = MISPEvent()
secret.info = "organisation only"
secret.distribution = 0
secret.add_tag("tlp:amber")
sa = secret.add_attribute("ip-dst", "198.18.0.99", to_ids=True)
r = raw("POST", "/api/v1/events", body={"Event": json.loads(secret.to_json())}, bearer=True)
suuid = r.json()["Event"]["uuid"]
other = PyMISP(url, key_other, ssl=False, timeout=30)
s = last = other.search(controller="events", value="198.18.0.77")
check("other org: the community event is found", [x["Event"]["uuid"] for x in s] == [euuid])
s = last = other.search(controller="events", value="198.18.0.99")
check("other org: the organisation-only event is not", s == [])
s = last = other.search(controller="attributes", tags=["tlp:amber"])
check("other org: not through a tag filter either",
      all(x["event_id"] != r.json()["Event"].get("id") for x in s["Attribute"])
      and sa.uuid not in [x["uuid"] for x in s["Attribute"]])
s = last = other.search(controller="events", uuid=suuid)
check("other org: not by its uuid", s == [])
r1 = raw("POST", "/events/publish/" + suuid, k=key_other)
r2 = raw("POST", "/events/publish/" + str(uuidlib.uuid4()), k=key_other)
check("other org: publishing it answers as for an event that does not exist",
      r1.status_code == r2.status_code == 404 and r1.json()["message"] == r2.json()["message"])
r = raw("POST", "/attributes/delete/" + sa.uuid, k=key_other)
check("other org: deleting its attribute: 404", r.status_code == 404)
r = raw("POST", "/attributes/add/" + euuid, k=key_other, body={"type": "ip-dst", "value": "192.0.2.1"})
check("other org: adding to a visible event it did not make: 403", r.status_code == 403)

# ---- delete
d = m.delete_attribute(url_uuid)
check("attributes/delete", "errors" not in d)
s = last = m.search(controller="attributes", value="http://pymisp-test.example/login")
check("the deleted attribute is gone", s["Attribute"] == [])
d = m.delete_event(euuid)
check("events/delete", d.get("success") is True)
s = last = m.search(controller="events", uuid=euuid)
check("the deleted event is gone", s == [])
sys.exit(1 if fails else 0)
