"""notify's directory reads only the staff a message goes to, on the real store: a unit's
active users in the roles asked for, the users of a role, a leader's accounts — the same
people whatever else the users collection holds (services/notify/handlers.py Directory)."""

import pytest

from lianxin import store
from services.notify.handlers import Directory

pytestmark = pytest.mark.integration


def _user(name, role, unit=None, leader=None, active=True):
    doc = {"_id": name, "role": role, "active": active, "password_hash": "x"}
    if unit:
        doc["unit"] = unit
    if leader:
        doc["leader"] = leader
    return doc


@pytest.fixture
def staff(db):
    store.ensure_indexes(db)
    db.users.delete_many({})
    db.users.insert_many(
        [
            _user("a_handler", "handler", "unit_a"),
            _user("a_handler_gone", "handler", "unit_a", active=False),
            _user("a_leader", "unit_leader", "unit_a"),
            _user("b_handler", "handler", "unit_b"),
            _user("a_clerk", "clerk", "unit_a"),  # an office role filed under a unit
            _user("li", "leader", leader="L-li"),
            _user("li_deputy", "leader", leader="L-li"),
            _user("wang", "leader", leader="L-wang", active=False),
            _user("disp", "dispatcher", "office"),
        ]
        + [_user(f"x{n}", "handler", f"unit_x{n % 40}") for n in range(400)]
    )
    return Directory(db, "office")


def names(users):
    return sorted(u["_id"] for u in users)


def test_a_units_active_users_in_the_roles_asked_for(staff):
    assert names(staff.unit_users("unit_a", ("handler", "unit_leader"))) == [
        "a_handler",
        "a_leader",
    ]
    assert names(staff.unit_users("unit_a", ("unit_leader",))) == ["a_leader"]
    assert staff.unit_users("unit_none", ("handler",)) == []
    assert staff.unit_users(None, ("handler",)) == []


def test_the_users_of_a_role_and_a_leaders_accounts(staff):
    assert names(staff.role_users("dispatcher")) == ["disp"]
    assert names(staff.leader_users("L-li")) == ["li", "li_deputy"]
    assert staff.leader_users("L-wang") == []  # switched off
    assert staff.leader_users(None) == []


def test_no_password_hash_leaves_the_store_and_a_read_is_remembered_for_the_event(staff, db):
    first = staff.unit_users("unit_a", ("handler", "unit_leader"))
    assert all("password_hash" not in u for u in first)
    db.users.insert_one(_user("a_new", "handler", "unit_a"))
    # one event sees one directory: the same answer within it, the new user in the next
    assert staff.unit_users("unit_a", ("unit_leader", "handler")) is first
    assert "a_new" in names(Directory(db, "office").unit_users("unit_a", ("handler",)))
