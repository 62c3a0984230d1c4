"""Who may see which attachment of a case (docs/contract.md §17): staff within the case's
scope see them all; the citizen with the access code sees their own files and the evidence
the answer publishes, once the answer is delivered. The case's `attachments` list is the
record (the bytes are the files service's, `services/files/`)."""

CITIZEN_ORIGIN = "citizen"


def answer_delivered(case):
    reply = case.get("reply") or {}
    return case.get("status") in ("answered", "closed") and bool(reply.get("delivered_at"))


def visible_to_citizen(case, entry):
    if entry.get("origin") == CITIZEN_ORIGIN:
        return True
    return bool(entry.get("with_answer")) and answer_delivered(case)


def find(case, file_id):
    return next((a for a in case.get("attachments") or [] if a.get("id") == file_id), None)


def public_entry(entry):
    """What a citizen is told of an attachment: no staff name, no role."""
    keys = ("id", "name", "content_type", "size", "origin", "thumbnail", "at")
    return {k: entry.get(k) for k in keys}


def for_citizen(case):
    return [public_entry(a) for a in case.get("attachments") or [] if visible_to_citizen(case, a)]
