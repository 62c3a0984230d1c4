"""Accounts and configuration against the real store."""

from datetime import timedelta

import pytest

from lianxin import admin
from lianxin.auth import issue_token, verify_token
from lianxin.clock import utcnow
from lianxin.errors import Forbidden, TooManyRequests, Unauthorized, ValidationFailed, WrongState
from services.accounts import accounts

pytestmark = pytest.mark.integration
ADMIN = {"username": "admin", "role": "admin"}


def test_a_correct_password_gives_the_actor_a_wrong_one_401(db):
    actor = accounts.authenticate(db, utcnow(), "env_handler", "demo-pass-1", 5, 900)
    assert actor["role"] == "handler" and actor["unit"] == "environment_bureau"
    with pytest.raises(Unauthorized):
        accounts.authenticate(db, utcnow(), "env_handler", "wrong", 5, 900)
    with pytest.raises(Unauthorized):
        accounts.authenticate(db, utcnow(), "nobody", "demo-pass-1", 5, 900)


def test_repeated_failures_lock_the_account_for_a_while(db):
    now = utcnow()
    for _ in range(3):
        with pytest.raises(Unauthorized):
            accounts.authenticate(db, now, "clerk", "guess", 3, 900)
    with pytest.raises(TooManyRequests):  # even the right password, while locked
        accounts.authenticate(db, now, "clerk", "demo-pass-1", 3, 900)
    later = now + timedelta(seconds=901)
    assert accounts.authenticate(db, later, "clerk", "demo-pass-1", 3, 900)["role"] == "clerk"


def test_the_first_admin_is_created_from_configuration_once_and_must_change_the_password(db):
    db.users.delete_many({"role": "admin"})
    assert not accounts.ensure_admin(db, "root", "", utcnow())  # no password: nobody
    assert accounts.ensure_admin(db, "root", "s3cret-pass-long", utcnow())
    assert not accounts.ensure_admin(db, "root2", "other-pass-long", utcnow())
    actor = accounts.authenticate(db, utcnow(), "root", "s3cret-pass-long", 5, 900)
    assert actor["role"] == "admin" and actor["must_change_password"] is True
    with pytest.raises(ValidationFailed):  # too short
        accounts.change_password(db, utcnow(), "root", "s3cret-pass-long", "short")
    with pytest.raises(Unauthorized):  # the current password is wrong
        accounts.change_password(db, utcnow(), "root", "guess", "a-new-long-password")
    changed = accounts.change_password(
        db, utcnow(), "root", "s3cret-pass-long", "a-new-long-password"
    )
    assert changed["must_change_password"] is False and changed["token_version"] == 1
    state = accounts.account_state(db, utcnow(), "root")
    assert state["token_version"] == 1 and not state["must_change_password"]


def test_tokens_expire_and_are_signed():
    now = utcnow()
    key = "k" * 32
    actor = {"username": "u", "role": "clerk", "unit": "x", "name": "u"}
    token = issue_token(actor, key, now, 60)
    assert verify_token(token, key)["sub"] == "u"
    assert verify_token(token, "other-key" * 4) is None
    assert verify_token(issue_token(actor, key, now - timedelta(hours=2), 60), key) is None


def test_a_change_to_what_a_token_stands_for_bumps_the_token_version(db):
    now = utcnow()
    before = accounts.account_state(db, now, "env_handler")["token_version"]
    user = admin.run(db, now, ADMIN, "get", "users", "env_handler")
    body = {k: v for k, v in user.items() if k in ("role", "unit", "name", "email")}
    admin.run(
        db,
        now,
        ADMIN,
        "update",
        "users",
        "env_handler",
        {**body, "name": "新名字"},
        carry=accounts.carry_token_state,
    )
    assert accounts.account_state(db, now, "env_handler")["token_version"] == before
    admin.run(
        db,
        now,
        ADMIN,
        "update",
        "users",
        "env_handler",
        {**body, "unit": "housing_bureau"},
        carry=accounts.carry_token_state,
    )
    assert accounts.account_state(db, now, "env_handler")["token_version"] == before + 1


def test_the_token_state_an_admin_sends_back_is_ignored(db):
    """A form sends back what it read (GET shows the token state, revocations with their
    expiries as strings): the stored state stays, and the user can still be served."""
    now = utcnow()
    accounts.sign_out(db, now, "env_handler", "aaaa", now + timedelta(hours=1))
    stored = db.users.find_one({"_id": "env_handler"})
    echoed = admin.run(db, now, ADMIN, "get", "users", "env_handler")
    echoed.pop("password_set")
    echoed.update(
        token_version=0,
        revoked={"aaaa": (now + timedelta(hours=1)).isoformat(), "zzzz": "2099-01-01"},
        must_change_password=True,
        created_at="2020-01-01T00:00:00Z",
    )
    owns = (accounts.drop_token_state, accounts.carry_token_state)
    admin.run(db, now, ADMIN, "update", "users", "env_handler", echoed, *owns)
    after = db.users.find_one({"_id": "env_handler"})
    for field in accounts.TOKEN_STATE:
        assert after.get(field) == stored.get(field), field
    state = accounts.account_state(db, now, "env_handler")  # no str-vs-date comparison
    assert state["revoked"] == ["aaaa"] and not state["must_change_password"]
    fresh = {"username": "w9", "password": "long-enough", "role": "clerk", "unit": "office"}
    admin.run(db, now, ADMIN, "create", "users", None, {**fresh, "revoked": {"x": "y"}}, *owns)
    assert "revoked" not in db.users.find_one({"_id": "w9"})
    assert accounts.account_state(db, now, "w9")["revoked"] == []


def test_sign_out_revokes_one_token_until_it_expires(db):
    now = utcnow()
    accounts.sign_out(db, now, "clerk", "aaaa", now + timedelta(hours=1))
    accounts.sign_out(db, now, "clerk", "bbbb", now + timedelta(seconds=1))
    assert set(accounts.account_state(db, now, "clerk")["revoked"]) == {"aaaa", "bbbb"}
    later = now + timedelta(minutes=1)
    assert accounts.account_state(db, later, "clerk")["revoked"] == ["aaaa"]
    accounts.sign_out(db, later, "clerk", "cccc", later + timedelta(hours=1))
    assert set(db.users.find_one({"_id": "clerk"})["revoked"]) == {"aaaa", "cccc"}


def test_admin_crud_validates_records_and_hides_password_hashes(db):
    now = utcnow()
    unit = {
        "id": "water_bureau",
        "name": "县水利局",
        "kind": "department",
        "email": "slj@demo-county.gov.cn",
        "topics": ["environment"],
    }
    assert admin.run(db, now, ADMIN, "create", "units", body=unit)["id"] == "water_bureau"
    with pytest.raises(WrongState):
        admin.run(db, now, ADMIN, "create", "units", body=unit)
    with pytest.raises(ValidationFailed):
        admin.run(db, now, ADMIN, "create", "units", body={**unit, "id": "x", "kind": "club"})
    with pytest.raises(Forbidden):
        admin.run(db, now, {"username": "c", "role": "clerk"}, "list", "units")
    user = admin.run(
        db,
        now,
        ADMIN,
        "create",
        "users",
        body={
            "username": "w1",
            "password": "long-enough",
            "role": "handler",
            "unit": "water_bureau",
        },
    )
    assert "password" not in user and "password_hash" not in user
    with pytest.raises(ValidationFailed):  # a handler belongs to a unit
        admin.run(
            db,
            now,
            ADMIN,
            "create",
            "users",
            body={"username": "w2", "password": "long-enough", "role": "handler"},
        )
    updated = admin.run(
        db, now, ADMIN, "update", "users", "w1", {"role": "unit_leader", "unit": "water_bureau"}
    )
    assert updated["role"] == "unit_leader"
    assert accounts.authenticate(db, now, "w1", "long-enough", 5, 900)["role"] == "unit_leader"
    admin.run(db, now, ADMIN, "delete", "units", "water_bureau")
    assert [e["op"] for e in db.admin_log.find().sort("at", 1)] == [
        "create",
        "create",
        "update",
        "delete",
    ]


def test_the_unit_directory_gives_every_unit_its_name_and_no_contacts(db):
    units = accounts.unit_directory(db)
    assert [u["id"] for u in units] == sorted(d["_id"] for d in db.units.find())
    env = next(u for u in units if u["id"] == "environment_bureau")
    assert env["name"] == db.units.find_one({"_id": "environment_bureau"})["name"] != env["id"]
    assert all(set(u) == {"id", "name", "kind", "parent"} for u in units)
