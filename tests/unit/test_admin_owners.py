"""Each admin collection (docs/contract.md §10) is served by exactly one service, and the
gateway sends it to that one: the gateway's `OWNERS` and the services' `admin_owns` agree."""

from gateway.admin_api import OWNERS
from lianxin import admin, settings
from lianxin.bus import load_service_class


def test_every_admin_collection_has_one_owner_and_the_gateway_knows_it():
    owned = {}
    for name, path in settings.SERVICES.items():
        for collection in load_service_class(path).admin_owns:
            assert collection not in owned, f"{collection}: {owned.get(collection)} and {name}"
            owned[collection] = name
    assert set(owned) == set(admin.COLLECTIONS)
    assert {c: s for c, s in OWNERS.items() if c in admin.COLLECTIONS} == owned
