"""More of MISP's API with PyMISP, MISP's own client, against a weerbaar hub
(tests/cli/misp_pymisp_more.sh starts it with the shipped galaxies loaded):
sightings search, lists and deletion, galaxies and clusters (attach, includeGalaxy),
proposals (shadow attributes) across two organisations, attributes by
MISP's numeric id, objects/delete, object template checks and restSearch
returnFormat stix2; and another organisation's key seeing only what the
policy allows on each of these paths. Also: writes answer in MISP's shape
with the numeric ids (events/add, events/edit, attributes/add), and
event_exists/attribute_exists (HEAD).

Usage: misp_pymisp_more.py URL KEY_ORG_ADMIN KEY_OTHER_ORG KEY_SENSOR KEY_SITE_ADMIN PYMISP_DIR
Prints "ok NAME" / "FAIL NAME" lines; exits 1 when a check failed.
"""
import json
import sys

url, key, key_other, key_sensor, key_admin, pymisp_dir = sys.argv[1:7]
sys.path.insert(0, pymisp_dir)

import requests  # noqa: E402
from pymisp import MISPAttribute, MISPEvent, MISPObject, PyMISP  # noqa: E402

fails = 0
last = None


def check(name, cond):
    global fails
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        fails += 1
        print("     " + name + ": last answer: " + json.dumps(last, default=str)[:600],
              file=sys.stderr)


def raw(method, path, k=key, body=None):
    h = {"Authorization": k, "Accept": "application/json", "Content-Type": "application/json"}
    return requests.request(method, url + path, headers=h,
                            data=json.dumps(body) if body is not None else None, timeout=30)


m = PyMISP(url, key, ssl=False, timeout=30)
other = PyMISP(url, key_other, ssl=False, timeout=30)
sensor = PyMISP(url, key_sensor, ssl=False, timeout=30)

# ---- an event of Energienet (community), and one only its organisation sees
ev = MISPEvent()
ev.info = "PyMISP more"
ev.distribution = 1
ev.add_tag("tlp:green")
ip = ev.add_attribute("ip-dst", "198.18.1.10", to_ids=True)
ev.add_attribute("domain", "more-test.example", to_ids=True)
def id_of(uuid):
    return m.search(controller="events", uuid=uuid)[0]["Event"]["id"]


res = last = m.add_event(ev, pythonify=False)
euuid = res["Event"]["uuid"]
eid = id_of(euuid)
priv = MISPEvent()
priv.info = "organisation only"
priv.distribution = 0
priv.add_tag("tlp:amber")
pip = priv.add_attribute("ip-dst", "198.18.1.99", to_ids=True)
res = last = m.add_event(priv, pythonify=False)
puuid = res["Event"]["uuid"]
peid = id_of(puuid)
check("two events added", eid and peid)

# ---- attributes by MISP's numeric id
got = last = m.search(controller="events", uuid=euuid)[0]
attr_ids = {a["uuid"]: a["id"] for a in got["Event"]["Attribute"]}
ip_id = attr_ids.get(ip.uuid)
a = last = m.get_attribute(ip_id, pythonify=True)
check("attributes/view by numeric id", getattr(a, "uuid", None) == ip.uuid)
a = last = m.get_attribute(ip.uuid, pythonify=False)
check("attributes/view by uuid", a.get("Attribute", {}).get("value") == "198.18.1.10")
r = raw("POST", "/attributes/edit/" + ip_id, body={"comment": "by id"})
last = r.json()
check("attributes/edit by numeric id", r.status_code == 200 and last["Attribute"]["comment"] == "by id")
pid_ = [x["id"] for x in m.search(controller="events", uuid=puuid)[0]["Event"]["Attribute"]][0]
r1 = raw("GET", "/attributes/view/" + pid_, k=key_other)
r2 = raw("GET", "/attributes/view/99999999", k=key_other)
check("other org: an invisible attribute by id answers as a missing one (404)",
      r1.status_code == r2.status_code == 404 and r1.json()["message"] == r2.json()["message"])

# ---- writes answer in MISP's shape with the numeric ids; HEAD for existence
ids = MISPEvent()
ids.info = "ids back"
ids.distribution = 1
ids.add_tag("tlp:green")
ids.add_attribute("ip-dst", "198.18.1.20", to_ids=True)
got = last = m.add_event(ids, pythonify=True)
gid = str(getattr(got, "id", ""))
check("events/add (pythonify): the event's numeric id, uuid, Orgc and attribute ids",
      gid.isdigit() and got.uuid == ids.uuid and got.Orgc.name
      and len(got.attributes) == 1 and str(got.attributes[0].id).isdigit()
      and str(got.attributes[0].event_id) == gid)
back = last = m.get_event(gid, pythonify=True)
check("get_event of the id events/add answered", getattr(back, "uuid", None) == ids.uuid)
got.info = "ids back, edited"
ed = last = m.update_event(got, pythonify=True)
check("events/edit (pythonify): the event with its id",
      str(getattr(ed, "id", "")) == gid and ed.info == "ids back, edited")
na = last = m.add_attribute(gid, {"type": "domain", "value": "ids-back.example"}, pythonify=True)
check("attributes/add (pythonify): the attribute with its id and event_id",
      str(getattr(na, "id", "")).isdigit() and str(na.event_id) == gid)
check("event_exists (HEAD /events/view): 200 for a visible event, by id and uuid",
      m.event_exists(gid) is True and m.event_exists(ids.uuid) is True)
check("event_exists: 404 for no such event", m.event_exists(99999999) is False)
check("event_exists: another organisation's organisation-only event answers 404",
      other.event_exists(peid) is False and m.event_exists(peid) is True)
check("attribute_exists (HEAD /attributes/view): 200 by id and uuid, 404 for none",
      m.attribute_exists(na.id) is True and m.attribute_exists(na.uuid) is True
      and m.attribute_exists(99999999) is False)
check("attribute_exists: another organisation's hidden attribute answers 404",
      other.attribute_exists(pid_) is False)
r = raw("HEAD", "/events/view/" + gid)
check("HEAD: the GET's status and type, no body",
      r.status_code == 200 and r.content == b"" and "json" in r.headers.get("Content-Type", ""))
r = raw("HEAD", "/events/add")
check("HEAD of a POST-only path: 405", r.status_code == 405)

# ---- sightings: add, then search and list them
sensor.add_sighting({"value": "198.18.1.10", "source": "more-sensor"})
sensor.add_sighting({"value": "198.18.1.99", "source": "more-sensor"})
m.add_sighting({"value": "198.18.1.10", "source": "analyst", "type": "1"})
s = last = m.search_sightings(context="event", context_id=eid)
check("sightings/restSearch/event: the event's sightings", len(s) == 2
      and all(x["Sighting"]["event_id"] == eid for x in s))
s = last = m.search_sightings(context="attribute", context_id=ip.uuid, include_attribute=True,
                              include_event_meta=True, pythonify=True)
check("sightings/restSearch/attribute by uuid, with attribute and event (pythonify)",
      len(s) == 2 and s[0]["attribute"].uuid == ip.uuid and s[0]["event"].uuid == euuid)
s = last = m.search_sightings(type_sighting="1")
check("sightings/restSearch by type (false positive)",
      len(s) == 1 and s[0]["Sighting"]["source"] == "analyst")
s = last = m.search_sightings(source="more-sensor", last="1d")
check("sightings/restSearch by source and last", len(s) == 2)
r = raw("POST", "/sightings/restSearch", body={"value": "198.18.1.10", "returnFormat": "csv"})
check("sightings/restSearch returnFormat csv",
      r.status_code == 200 and r.text.startswith("id,uuid,attribute_uuid") and r.text.count("\n") == 3)
r = raw("POST", "/sightings/restSearch", body={"type": "7"})
check("a bad sightings filter: 400 naming it", r.status_code == 400 and "$.type" in r.json()["message"])
ev_obj = m.get_event(euuid, pythonify=True)
s = last = m.sightings(ev_obj)
check("sightings/listSightings of an event (PyMISP sightings())", len(s) == 2)
r = raw("GET", "/sightings/index/" + eid)
check("sightings/index/EVENT", r.status_code == 200 and len(r.json()["response"]) == 2)
r = raw("POST", "/sightings/restSearch", k=key_other, body={"value": "198.18.1.99"})
last = r.json()
check("other org: no sighting of an event it may not see",
      r.status_code == 200 and last["response"] == [])
r = raw("POST", "/sightings/restSearch", body={"value": "198.18.1.99"})
check("(the event's organisation sees it)", r.status_code == 200 and len(r.json()["response"]) == 1)
s = last = other.search_sightings(context="event", context_id=peid)
check("other org: nor by that event's id", s == [])
r = raw("POST", "/sightings/restSearch", k=key_sensor, body={})
check("a sensor may not search sightings: 403", r.status_code == 403)

# ---- sightings/delete: the sighting's organisation or a site admin
m.add_sighting({"value": "more-test.example", "source": "to-delete"})
other.add_sighting({"value": "more-test.example", "source": "other-org"})
mine = last = m.search_sightings(source="to-delete")
theirs = last = m.search_sightings(source="other-org")
check("(two sightings to delete)", len(mine) == 1 and len(theirs) == 1)
mid = mine[0]["Sighting"]["id"]
tuuid = theirs[0]["Sighting"]["uuid"]
r = raw("POST", "/sightings/delete/" + mid, k=key_other)
r2 = raw("POST", "/sightings/delete/99999999", k=key_other)
last = r.json()
check("sightings/delete: a sighting the caller may not see answers 404, as none does",
      r.status_code == r2.status_code == 404 and last["message"] == r2.json()["message"])
r = raw("POST", "/sightings/delete/" + tuuid)
last = r.json()
check("sightings/delete: another organisation's sighting the caller sees: 403",
      r.status_code == 403)
d = last = m.delete_sighting(mid)
check("delete_sighting by id: the organisation's own",
      d.get("success") is True and m.search_sightings(source="to-delete") == [])
r = raw("POST", "/sightings/delete/" + mid)
check("sightings/delete of a deleted sighting: 404", r.status_code == 404)
r = raw("POST", "/sightings/delete/" + tuuid, k=key_sensor)
check("a sensor may not delete sightings: 403", r.status_code == 403)
r = raw("DELETE", "/sightings/delete/" + tuuid, k=key_admin)
last = r.json()
check("sightings/delete by uuid: a site admin, any organisation's",
      r.status_code == 200 and m.search_sightings(source="other-org") == [])

# ---- galaxies and clusters
gals = last = m.galaxies(pythonify=False)
names = {g["Galaxy"]["type"]: g["Galaxy"] for g in gals}
check("galaxies/index: the shipped galaxies", "mitre-intrusion-set" in names and "banker" in names)
g = last = m.get_galaxy(names["mitre-intrusion-set"]["id"], withCluster=True, pythonify=True)
apt1 = [c for c in g.clusters if c.value == "APT1 - G0006"]
check("galaxies/view: the galaxy with its clusters (pythonify)", len(apt1) == 1)
c = last = m.get_galaxy_cluster(apt1[0].uuid, pythonify=True)
check("galaxy_clusters/view by uuid", c.tag_name == 'misp-galaxy:mitre-intrusion-set="APT1 - G0006"')
cl = last = m.search_galaxy_clusters(names["mitre-intrusion-set"]["id"], searchall="Comment Panda",
                                     pythonify=True)
check("galaxy_clusters/index: a cluster by a synonym in its meta",
      [x.value for x in cl] == ["APT1 - G0006"])
cl = last = m.search_galaxy_clusters(names["mitre-intrusion-set"]["id"], context="custom")
check("galaxy_clusters/index context custom: none here", cl == [])
found = last = m.search_galaxy("intrusion")
check("POST galaxies {value}: search", [x["Galaxy"]["type"] for x in found] == ["mitre-intrusion-set"])
res = last = m.attach_galaxy_cluster(ev_obj, apt1[0].id)
check("galaxies/attachCluster to an event", res.get("success") == "Cluster attached.")
gozi = [x for x in m.get_galaxy(names["banker"]["id"], pythonify=False)["GalaxyCluster"]][0]
ip_attr = MISPAttribute()
ip_attr.from_dict(**m.get_attribute(ip_id, pythonify=False)["Attribute"])
res = last = m.attach_galaxy_cluster(ip_attr, gozi["id"])
check("galaxies/attachCluster to an attribute", res.get("success") == "Cluster attached.")
e = last = m.get_event(euuid, pythonify=False)["Event"]
check("events/view: the event's Galaxy array in MISP's shape",
      [x["type"] for x in e.get("Galaxy", [])] == ["mitre-intrusion-set"]
      and e["Galaxy"][0]["GalaxyCluster"][0]["value"] == "APT1 - G0006")
ipj = [x for x in e["Attribute"] if x["uuid"] == ip.uuid][0]
check("events/view: the attribute's Galaxy array",
      ipj.get("Galaxy", [{}])[0].get("GalaxyCluster", [{}])[0].get("value") == "Gozi")
pe = last = m.get_event(euuid, pythonify=True)
check("PyMISP reads the galaxies of the event", [gx.type for gx in pe.galaxies] == ["mitre-intrusion-set"])
s = last = m.search(controller="events", tags=['misp-galaxy:mitre-intrusion-set="APT1 - G0006"'],
                    include_galaxy=True)
check("restSearch by the cluster's tag, includeGalaxy",
      [x["Event"]["uuid"] for x in s] == [euuid] and s[0]["Event"]["Galaxy"][0]["type"] == "mitre-intrusion-set")
r = raw("POST", "/attributes/restSearch", body={"value": "198.18.1.10", "includeGalaxy": True})
last = r.json()
check("attributes restSearch includeGalaxy",
      r.status_code == 200 and last["response"]["Attribute"][0]["Galaxy"][0]["type"] == "banker")
r = raw("POST", "/galaxies/attachCluster/%s/event/local:0" % peid, k=key_other,
        body={"Galaxy": {"target_id": apt1[0].id}})
r2 = raw("POST", "/galaxies/attachCluster/99999999/event/local:0", k=key_other,
         body={"Galaxy": {"target_id": apt1[0].id}})
check("other org: attaching to an invisible event answers as to a missing one (404)",
      r.status_code == r2.status_code == 404)
r = raw("POST", "/galaxies/attachCluster/%s/event/local:0" % eid, k=key_other,
        body={"Galaxy": {"target_id": apt1[0].id}})
check("other org: attaching to a visible event it did not make: 403", r.status_code == 403)

# ---- proposals: the other organisation proposes, the event's accepts
prop = MISPAttribute()
prop.type = "ip-dst"
prop.value = "198.18.1.50"
prop.to_ids = True
p = last = other.add_attribute_proposal(eid, prop, pythonify=False)
check("shadow_attributes/add on another organisation's event",
      p.get("ShadowAttribute", {}).get("value") == "198.18.1.50")
add_id = p["ShadowAttribute"]["id"]
chg = MISPAttribute()
chg.comment = "proposed comment"
p = last = other.update_attribute_proposal(ip_id, chg, pythonify=False)
check("shadow_attributes/edit of an attribute", p.get("ShadowAttribute", {}).get("comment") == "proposed comment")
edit_id = p["ShadowAttribute"]["id"]
r = raw("POST", "/shadowAttributes/add/" + peid, k=key_other, body={"type": "ip-dst", "value": "192.0.2.1"})
r2 = raw("POST", "/shadowAttributes/add/99999999", k=key_other, body={"type": "ip-dst", "value": "192.0.2.1"})
check("other org: proposing on an invisible event answers as on a missing one (404)",
      r.status_code == r2.status_code == 404 and r.json()["message"] == r2.json()["message"])
r = raw("POST", "/shadowAttributes/add/" + eid, body={"type": "ip-dst", "value": "192.0.2.2"})
check("the event's own organisation changes it directly: 403", r.status_code == 403)
r = raw("POST", "/shadowAttributes/add/" + eid, k=key_other, body={"type": "ip-dst", "value": "not an ip"})
check("a proposal with a bad value: 422", r.status_code == 422)
lst = last = m.attribute_proposals(ev_obj, pythonify=True)
check("shadow_attributes/index/EVENT for the event's organisation (pythonify)",
      sorted(x.value for x in lst) == ["198.18.1.10", "198.18.1.50"])
r = raw("POST", "/shadowAttributes/accept/" + add_id, k=key_other)
check("the proposing organisation may not accept: 403", r.status_code == 403)
res = last = m.accept_attribute_proposal(add_id)
check("shadow_attributes/accept", res.get("success") == "Proposal accepted")
s = last = m.search(controller="attributes", value="198.18.1.50")
check("the accepted attribute is in the event", [x["event_id"] for x in s["Attribute"]] == [eid])
res = last = m.accept_attribute_proposal(edit_id)
a = last = m.get_attribute(ip_id, pythonify=False)
check("an accepted change applies to the attribute", a["Attribute"]["comment"] == "proposed comment")
r = raw("POST", "/shadowAttributes/accept/" + add_id)
check("a proposal accepted once is gone: 404", r.status_code == 404)
p = last = other.add_attribute_proposal(eid, {"type": "domain", "value": "withdrawn.example"}, pythonify=False)
res = last = other.discard_attribute_proposal(p["ShadowAttribute"]["id"])
check("the proposing organisation withdraws its proposal", res.get("success") == "Proposal discarded")
lst = last = m.attribute_proposals(pythonify=False)
check("shadow_attributes/index: nothing left open", lst == [])
r = raw("GET", "/api/v1/audit?action=proposal", k=key_admin)
check("accept and discard are audited", r.status_code == 200 and "proposal.accept" in r.text
      and "proposal.discard" in r.text)

# ---- objects: template checks and objects/delete
o = MISPObject("domain-ip")
o.add_attribute("domain", value="obj-more.example")
res = last = m.add_object(euuid, o, pythonify=False)
ouuid = res.get("Object", {}).get("uuid")
check("objects/add: a domain-ip object gets its template's uuid",
      res.get("Object", {}).get("template_uuid") == "43b3b146-77eb-4931-b4cc-b66c60f28734")
bad = {"Object": {"name": "domain-ip", "Attribute": [{"object_relation": "port", "type": "port",
                                                      "value": "443"}]}}
r = raw("POST", "/objects/add/" + euuid, body=bad)
check("objects/add: a domain-ip object without ip, domain or hostname: 422",
      r.status_code == 422 and "requires one of" in r.json()["message"])
bad = {"Object": {"name": "url", "Attribute": [{"object_relation": "url", "type": "ip-dst",
                                                "value": "192.0.2.3"}]}}
r = raw("POST", "/objects/add/" + euuid, body=bad)
check("objects/add: a relation with another type than its template's: 422", r.status_code == 422)
r = raw("POST", "/objects/delete/" + ouuid, k=key_other)
check("other org: deleting an object of an event it did not make: 403", r.status_code == 403)
res = last = m.delete_object(ouuid)
check("objects/delete", "errors" not in res)
s = last = m.search(controller="attributes", value="obj-more.example")
check("the object's attributes went with it", s["Attribute"] == [])

# ---- restSearch returnFormat stix2
b = last = m.search(controller="events", value="198.18.1.10", return_format="stix2")
pats = [x.get("pattern", "") for x in b.get("objects", []) if x.get("type") == "indicator"]
check("events restSearch stix2: a bundle with the event's indicators",
      b.get("type") == "bundle" and any("198.18.1.10" in p for p in pats))
b = last = other.search(controller="events", value="198.18.1.99", return_format="stix2")
check("other org: stix2 leaves out the organisation-only event",
      not any("198.18.1.99" in x.get("pattern", "") for x in b.get("objects", [])))
r = raw("POST", "/attributes/restSearch", body={"returnFormat": "stix2"})
check("attributes restSearch stix2: 400 naming events/restSearch", r.status_code == 400)

m.delete_event(euuid)
m.delete_event(puuid)
sys.exit(1 if fails else 0)
