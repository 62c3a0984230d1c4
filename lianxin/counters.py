"""Numbers unique across replicas (a case's tracking number of the day, a matter's number of
the year): an atomic `$inc` on a counter document in the store, `_id` = the counter's key."""

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError


def next_number(db, key: str) -> int:
    """The next number of counter `key` (1, 2, …), whatever the number of replicas asking."""
    for _ in range(5):
        try:
            doc = db.counters.find_one_and_update(
                {"_id": key},
                {"$inc": {"seq": 1}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
            return doc["seq"]
        except DuplicateKeyError:  # two replicas created the counter at once: ask again
            continue
    raise RuntimeError(f"could not count on {key}")
