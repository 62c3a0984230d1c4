"""The bytes of attachments in the document store, in chunks that run on MongoDB and on the
local store alike (docs/decisions/0023):

- `file_chunks`: one document per chunk, `_id = "<blob>:<n>"` (n zero-padded), so a file is
  read by a string `_id` `$in` — the lookup the local store serves from its `_id` index;
- `files`: one document per attachment (`_id` = the file id): type, size, chunk counts, hash;
- `file_uploads`: a note per upload in flight, written before the first chunk and deleted
  once the case lists the file. A note past its `due_at` is an orphan: the sweep takes the
  note (find-and-delete: one taker, however many replicas) and deletes what the upload left.

A blob is the original (`<file id>`) or its thumbnail (`<file id>.t`).
"""

import hashlib
from datetime import timedelta

from pymongo.errors import DuplicateKeyError


def thumb_blob(file_id):
    return f"{file_id}.t"


def chunk_ids(blob, count):
    return [f"{blob}:{n:05d}" for n in range(count)]


def split(data, size):
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


def begin(db, file_id, case_id, blobs, now, orphan_seconds):
    """Note the upload before any byte is stored: `blobs` maps a blob to its chunk count."""
    db.file_uploads.insert_one(
        {
            "_id": file_id,
            "case_id": case_id,
            # a list, not a mapping: a blob's name has a dot, which the local store refuses in
            # keys (and it takes no nested arrays either)
            "blobs": [{"blob": blob, "chunks": count} for blob, count in blobs.items()],
            "started_at": now,
            "due_at": now + timedelta(seconds=orphan_seconds),
        }
    )


def put(db, blob, pieces):
    """Store a blob's chunks; a retried write of the same chunk is the same chunk."""
    docs = [{"_id": cid, "data": piece} for cid, piece in zip(chunk_ids(blob, len(pieces)), pieces)]
    try:
        db.file_chunks.insert_many(docs, ordered=True)
    except DuplicateKeyError:
        for doc in docs:
            db.file_chunks.replace_one({"_id": doc["_id"]}, doc, upsert=True)


def renew(db, file_id, now, orphan_seconds):
    """Keep an upload's note from the sweep until it is committed; False if it was swept."""
    result = db.file_uploads.update_one(
        {"_id": file_id}, {"$set": {"due_at": now + timedelta(seconds=orphan_seconds)}}
    )
    return bool(result.matched_count)


def finish(db, file_id):
    db.file_uploads.delete_one({"_id": file_id})


def discard(db, file_id, blobs):
    """Everything an upload stored: chunks, the file's record, its note."""
    if isinstance(blobs, dict):
        pairs = blobs.items()
    else:
        pairs = [(b["blob"], b["chunks"]) for b in blobs]
    ids = [cid for blob, count in pairs for cid in chunk_ids(blob, count)]
    if ids:
        db.file_chunks.delete_many({"_id": {"$in": ids}})
    db.files.delete_one({"_id": file_id})
    db.file_uploads.delete_one({"_id": file_id})


def read(db, blob, count):
    """A blob's bytes, or None if a chunk is missing."""
    ids = chunk_ids(blob, count)
    found = {d["_id"]: d["data"] for d in db.file_chunks.find({"_id": {"$in": ids}})}
    if len(found) != count:
        return None
    return b"".join(bytes(found[cid]) for cid in ids)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def sweep_orphans(db, now, is_committed, batch=100):
    """Delete what uploads that never finished left behind. Reads only the notes that are due
    (`due_at` is indexed); each note is taken by one sweeper. `is_committed(note)` says
    whether the case lists the file (the uploader died after committing): then only the note
    goes. Returns how many orphans were removed."""
    removed = 0
    due = list(db.file_uploads.find({"due_at": {"$lt": now}}, {"_id": 1}).limit(batch))
    for ref in due:
        note = db.file_uploads.find_one_and_delete({"_id": ref["_id"], "due_at": {"$lt": now}})
        if note is None:  # renewed, finished or taken by another sweeper meanwhile
            continue
        if is_committed(note):
            continue
        discard(db, note["_id"], note.get("blobs") or [])
        removed += 1
    return removed
