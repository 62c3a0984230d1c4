"""Load the demo county (config/demo_county.yaml) into the store.

`python -m lianxin.demo` loads it (replacing documents with the same _id);
`--if-empty` loads it only into a store without units. Its accounts share a published
password, so it loads only in the local demo mode (LX_DEMO=1, set by `./lx run`) or with an
explicit `--demo`: never into a county's real store by accident.
"""

import argparse
import pathlib

import yaml

from . import settings, store
from .auth import hash_password

CONFIG = pathlib.Path(__file__).resolve().parent.parent / "config"
DEMO_FILE = CONFIG / "demo_county.yaml"
TEMPLATES_FILE = CONFIG / "templates.yaml"
COLLECTIONS = (
    "topics",
    "units",
    "leaders",
    "routing_rules",
    "deadline_policies",
    "reception_rules",
    "users",
)
DEMO_PASSWORD = "demo-pass-1"


def load(db, path=DEMO_FILE):
    data = yaml.safe_load(pathlib.Path(path).read_text(encoding="utf-8"))
    counts = {}
    for name in COLLECTIONS:
        for doc in data.get(name, []):
            if name == "users":
                doc = {**doc, "password_hash": _password_hash(), "active": True}
            db[name].replace_one({"_id": doc["_id"]}, doc, upsert=True)
        counts[name] = len(data.get(name, []))
    counts["templates"] = load_templates(db, replace=True)
    store.ensure_indexes(db)
    return counts


def load_templates(db, replace=False, path=TEMPLATES_FILE):
    """The default message templates (docs/contract.md §8). Without `replace`, only those missing
    from the store are added, so the admin's edits survive a restart. Returns how many were
    written."""
    written = 0
    for doc in yaml.safe_load(pathlib.Path(path).read_text(encoding="utf-8"))["templates"]:
        if replace:
            db.templates.replace_one({"_id": doc["_id"]}, doc, upsert=True)
            written += 1
        else:
            fields = {k: v for k, v in doc.items() if k != "_id"}
            result = db.templates.update_one(
                {"_id": doc["_id"]}, {"$setOnInsert": fields}, upsert=True
            )
            written += bool(result.upserted_id)
    return written


_HASH: list[str] = []


def _password_hash():
    # One scrypt hash for all demo users: loading stays fast in every test.
    if not _HASH:
        _HASH.append(hash_password(DEMO_PASSWORD))
    return _HASH[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--if-empty", action="store_true")
    parser.add_argument(
        "--demo", action="store_true", help="load the demo county outside the local demo mode"
    )
    args = parser.parse_args()
    if not (settings.DEMO or args.demo):
        raise SystemExit(
            "lianxin demo: refusing to load the demo county (its accounts share a "
            "published password) outside the local demo: pass --demo if you mean it"
        )
    db = store.database()
    if args.if_empty and db.units.estimated_document_count():
        print("demo county: store already has units; left as is")
    else:
        counts = load(db)
        print("demo county loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    print(
        f"demo accounts (password {DEMO_PASSWORD}): "
        + ", ".join(f"{u['_id']} ({u['role']})" for u in db.users.find().sort("_id", 1))
    )


if __name__ == "__main__":
    main()
