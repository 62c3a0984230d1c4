"""Accounts and configuration against the real store."""
from datetime import timedelta

import pytest

from lianxin import admin
from lianxin.auth import issue_token, verify_token
from lianxin.clock import utcnow
from lianxin.errors import (Forbidden, TooManyRequests, Unauthorized, ValidationFailed,
                            WrongState)
from services.intake import accounts

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


def test_the_first_admin_is_created_from_configuration_once(db):
    db.users.delete_many({"role": "admin"})
    assert accounts.ensure_admin(db, "root", "s3cret-pass", utcnow())
    assert not accounts.ensure_admin(db, "root2", "other-pass", utcnow())
    assert accounts.authenticate(db, utcnow(), "root", "s3cret-pass", 5, 900)["role"] == "admin"


def test_tokens_expire_and_are_signed():
    now = utcnow()
    actor = {"username": "u", "role": "clerk", "unit": "x", "name": "u"}
    token = issue_token(actor, "k", now, 60)
    assert verify_token(token, "k")["username"] == "u"
    assert verify_token(token, "other-key") is None
    assert verify_token(issue_token(actor, "k", now - timedelta(hours=2), 60), "k") is None


def test_admin_crud_validates_records_and_hides_password_hashes(db):
    now = utcnow()
    unit = {"id": "water_bureau", "name": "县水利局", "kind": "department",
            "email": "slj@demo-county.gov.cn", "topics": ["environment"]}
    assert admin.run(db, now, ADMIN, "create", "units", body=unit)["id"] == "water_bureau"
    with pytest.raises(WrongState):
        admin.run(db, now, ADMIN, "create", "units", body=unit)
    with pytest.raises(ValidationFailed):
        admin.run(db, now, ADMIN, "create", "units", body={**unit, "id": "x", "kind": "club"})
    with pytest.raises(Forbidden):
        admin.run(db, now, {"username": "c", "role": "clerk"}, "list", "units")
    user = admin.run(db, now, ADMIN, "create", "users", body={
        "username": "w1", "password": "long-enough", "role": "handler", "unit": "water_bureau"})
    assert "password" not in user and "password_hash" not in user
    with pytest.raises(ValidationFailed):  # a handler belongs to a unit
        admin.run(db, now, ADMIN, "create", "users", body={
            "username": "w2", "password": "long-enough", "role": "handler"})
    updated = admin.run(db, now, ADMIN, "update", "users", "w1",
                        {"role": "unit_leader", "unit": "water_bureau"})
    assert updated["role"] == "unit_leader"
    assert accounts.authenticate(db, now, "w1", "long-enough", 5, 900)["role"] == "unit_leader"
    admin.run(db, now, ADMIN, "delete", "units", "water_bureau")
    assert [e["op"] for e in db.admin_log.find().sort("at", 1)] == [
        "create", "create", "update", "delete"]
