"""admin_pymisp.py - PyMISP's administration calls (add_organisation,
update_organisation, delete_organisation, users, add_user, update_user,
delete_user) against a hub: the MISP admin/users and admin/organisations
paths of src/hub/misp_admin_api.c, through the real client's request
building and answer parsing.

PyMISP's constructor asks the server for its version, the caller's user and
the type table; those are other routes (servers/..., users/view/me), so they
are answered here from the client's own defaults, and only the admin calls
go over the wire.
Usage: admin_pymisp.py URL SITE_ADMIN_KEY ORG_ADMIN_KEY PYMISP_DIR
"""
import sys

url, key, org_admin_key, pymisp_dir = sys.argv[1:5]
sys.path.insert(0, pymisp_dir)
import pymisp  # noqa: E402
from pymisp import MISPOrganisation, MISPRole, MISPUser, PyMISP  # noqa: E402


def stub_user(self, *a, **k):
    u, r = MISPUser(), MISPRole()
    u.from_dict(email="admin", org_id=1)
    r.from_dict(id=1, name="admin", perm_admin=True, perm_site_admin=True)
    return u, r, []


PyMISP.recommended_pymisp_version = property(lambda self: {"version": pymisp.__version__})
PyMISP.misp_instance_version = property(lambda self: {"version": "2.4.200"})
PyMISP.describe_types_remote = property(lambda self: self.describe_types_local)
real_get_user = PyMISP.get_user
PyMISP.get_user = stub_user

failed = 0


def check(name, cond):
    global failed
    print(("ok   " if cond else "FAIL ") + name)
    failed += 0 if cond else 1


m = PyMISP(url, key, ssl=False)
o = MISPOrganisation()
o.name = "PyMISP-Org"
o.type = "important"
r = m.add_organisation(o, pythonify=True)
check("add_organisation", isinstance(r, MISPOrganisation) and r.name == "PyMISP-Org" and r.type == "important")
oid = r.id
o2 = MISPOrganisation()
o2.name = "PyMISP-Org-2"
o2.sector = "energy"
r = m.update_organisation(o2, oid, pythonify=True)
check("update_organisation renames and sets the sector", r.name == "PyMISP-Org-2")
u = MISPUser()
u.email = "py@pymisp.example"
u.org_id = oid
u.role_id = 3
r = m.add_user(u, pythonify=True)
check("add_user", isinstance(r, MISPUser) and r.email == "py@pymisp.example" and str(r.org_id) == str(oid))
uid = r.id
users = m.users(pythonify=True)
check("users lists it", any(x.email == "py@pymisp.example" for x in users))
u2 = MISPUser()
u2.role_id = 2
u2.disabled = True
r = m.update_user(u2, uid, pythonify=True)
check("update_user changes the role and disables", str(r.role_id) == "2" and r.disabled is True)
r = m.delete_organisation(oid)
check("delete_organisation refuses an organisation that owns a user",
      isinstance(r, dict) and "errors" in r)
r = m.delete_user(uid)
check("delete_user", r.get("success") is True)
r = m.delete_organisation(oid)
check("delete_organisation", r.get("success") is True)
# an organisation's admin: only their own organisation's users
oa = PyMISP(url, org_admin_key, ssl=False)
r = oa.add_organisation(o)
check("an org admin may not add organisations", isinstance(r, dict) and "errors" in r)
users = oa.users(pythonify=True)
check("an org admin lists only their own organisation's users",
      len(users) >= 1 and len({x.org_id for x in users}) == 1)
sys.exit(1 if failed else 0)
