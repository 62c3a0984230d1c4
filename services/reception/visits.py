"""A citizen's visit to a reception day, free of I/O: the booking and its waiting list, and
the day at the desk — check-in → waiting → received → done (docs/contract.md §13). Every
state a booking has comes from `TRANSITIONS`; the session close report is counted here.

A booking is one citizen's place at one session; a walk-in is a visit the desk opens for
someone who came without one (reception days are open doors: nobody is sent away for want
of a booking).
"""

from lianxin.errors import WrongState

ACTIVE = ("booked", "waitlisted")  # holding a place or waiting for one: told of changes
AT_THE_DESK = ("waiting", "received", "done")
# action → (from states, to state); () = the visit's first state.
TRANSITIONS = {
    "book": ((), "booked"),
    "waitlist": ((), "waitlisted"),
    "walk_in": ((), "waiting"),
    "cancel": (ACTIVE, "cancelled"),
    "promote": (("waitlisted",), "booked"),
    "check_in": (ACTIVE, "waiting"),
    "receive": (("waiting",), "received"),
    "finish": (("received",), "done"),
}
DESK_ACTIONS = ("check_in", "receive", "finish")
# Terminal states of a case: what a receiving leader is no longer answerable for (首问负责
# lasts until the case closes).
CASE_DONE = ("closed", "not_accepted", "merged")


def check(action, status):
    """The state `action` leads to from `status`, or 409."""
    sources, target = TRANSITIONS[action]
    if (status or None) not in (sources or (None,)):
        raise WrongState(
            f"a visit that is {status} cannot {action.replace('_', ' ')}",
            {"status": status, "action": action},
        )
    return target


def closing_report(bookings, matters, notes, now, actor):
    """What closing a session records: people received, cases registered, solved on the spot."""
    received = [b for b in bookings if b["status"] in ("received", "done")]
    return {
        "closed_at": now,
        "closed_by": actor["username"],
        "received": len(received),
        "no_show": len([b for b in bookings if b["status"] == "booked"]),
        "registered": len([m for m in matters if not m.get("linked")]),
        "linked": len([m for m in matters if m.get("linked")]),
        "solved_on_the_spot": len([m for m in matters if m.get("solved_on_the_spot")]),
        "cases": [m["_id"] for m in matters],
        "notes": notes or "",
    }


def still_open(matters, cases):
    """[{case_id, title, status, session_id}] of the matters whose case is not done yet.
    `cases` maps case id → case (or None when it is gone); a merged case answers through
    the case it joined, so it is shown under that one."""
    out, seen = [], set()
    for m in sorted(matters, key=lambda m: (m.get("at"), m["_id"])):
        case = cases.get(m["_id"])
        if case is None:
            continue
        if case["status"] == "merged" and case.get("primary_id"):
            case = cases.get(case["primary_id"]) or case
        if case["_id"] in seen or case["status"] in CASE_DONE:
            continue
        seen.add(case["_id"])
        out.append(
            {
                "case_id": case["_id"],
                "title": case.get("title", ""),
                "status": case["status"],
                "session_id": m.get("session_id"),
            }
        )
    return out
