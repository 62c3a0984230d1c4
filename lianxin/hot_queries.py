"""Every query the system runs often, with what serves it (issue 14).

Each entry names a query by what it is for, the collection, the shape of its filter (an
example with realistic values), its sort and page size, the index of `store.ensure_indexes`
that serves it (None: the `_id` index) and the code that runs it. It is the list to keep in
step with the code: `tests/integration/test_hot_queries.py` runs each through `explain` on the
local store and fails when one is not pushed down to an index (FerretDB reports
`filterPushdown` and SQLite's plan), and checks that its index exists, as it must on MongoDB.

A query the local store still answers by reading a whole collection is listed with
`known_scan` saying why; its test is expected to fail, so that fixing it shows. One whose
code reads everything its filter selects (no page) says so in `unbounded`.

The staff lists of the cases in hand, open or answered (states all among `queues.STATES`,
any filter but text, any sort) are answered from the queues' parts (`lianxin/queues.py`,
decisions 0032, 0038 and 0046): reads by the queues' keys on their index (and, for the
office's lists, the units). The list
queries on `cases` below serve the rest (the received cases, closed ones, text) and every
list until a store's queue documents are upgraded to their entries.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .workflow import OWING_STATES

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
OWING = list(OWING_STATES)


@dataclass(frozen=True)
class HotQuery:
    name: str
    collection: str
    filter: dict
    index: tuple | None  # the key of the index serving it, as given to create_index; None: `_id`
    where: str  # the code that runs it
    sort: tuple = ()  # ((field, 1 or -1), ...)
    limit: int | None = None
    periodic: bool = False  # idle work: runs on a timer whether anyone asks or not
    known_scan: str | None = None  # why the local store still reads the whole collection
    unbounded: str | None = None  # served by its index, but the code reads all it selects: why


def _unit(unit):
    return {"$or": [{"assignment.lead_unit": unit}, {"assignment.co_units": unit}]}


BY_DUE = (("assignment.due_at", 1), ("_id", 1))
NEWEST = (("received_at", -1), ("_id", -1))

QUERIES = (
    # --- a person waiting: the gateway's reads ------------------------------------------
    HotQuery(
        "case by id (staff view, citizen's tracking view, every action's load)",
        "cases",
        {"_id": "LX-20261125-000042"},
        None,
        "lianxin/casestore.py CaseStore.get",
    ),
    HotQuery(
        "feed page: 100 events (the one or two page documents they are on)",
        "journal_pages",
        {"_id": {"$in": ["0000000042", "0000000043"]}},
        None,
        "services/notify/journal.py read",
    ),
    HotQuery(
        "feed: one event (a slot a crash left empty)",
        "journal",
        {"_id": "000000004201"},
        None,
        "services/notify/journal.py read",
    ),
    HotQuery(
        "inbox: one message",
        "inbox",
        {"_id": "env_handler:000000000042"},
        None,
        "services/notify/inbox.py page",
    ),
    HotQuery(
        "queue page by time left: the parts of a unit's (or every unit's) queues",
        "queues",
        {"q": {"$in": ["hexi_town|in_progress", "hexi_town|assigned"]}},
        ("q", "p"),
        "lianxin/queues.py read_parts (page; services/reading/queries.py list_cases)",
    ),
    HotQuery(
        "overdue or red-warned cases, or a window of a list by due or received time: the parts"
        " of their queues that began before some time (and at or after another)",
        "queues",
        {
            "q": {"$in": ["hexi_town|in_progress", "hexi_town|assigned"]},
            "p": {"$gte": NOW - timedelta(days=14), "$lt": NOW},
        },
        ("q", "p"),
        "lianxin/queues.py read_parts (Keep.parts of services/reading/queries.py)",
    ),
    HotQuery(
        "yellow-warned cases: the parts of their queues holding a yellow mark gone by and a due"
        " time to come",
        "queues",
        {
            "q": {"$in": ["hexi_town|in_progress", "hexi_town|assigned"]},
            "ym": {"$lte": NOW},
            "xm": {"$gte": NOW},
        },
        ("q", "p"),
        "lianxin/queues.py read_parts (Keep.parts of services/reading/queries.py)",
    ),
    HotQuery(
        "queue page by time left: its cases by id",
        "cases",
        {"_id": {"$in": ["LX-20261125-000042", "LX-20261125-000043"]}},
        None,
        "lianxin/queues.py page",
    ),
    HotQuery(
        "the county's units (an office queue merges every unit's queue documents)",
        "units",
        {},
        None,
        "services/reading/queries.py _from_queues",
        known_scan="a configuration collection of tens of documents, read whole",
    ),
    HotQuery(
        "unit's queue with other filters (handler, unit leader): one state, by time left",
        "cases",
        {"$and": [_unit("hexi_town"), {"status": {"$in": ["in_progress"]}}]},
        ("assignment.lead_unit", "status", "assignment.due_at"),
        "services/reading/queries.py list_cases (web/src/staff/queues.ts)",
        BY_DUE,
        51,
    ),
    HotQuery(
        "unit's list: owing cases received in the last 90 days, by time left",
        "cases",
        {
            "$and": [
                _unit("hexi_town"),
                {"status": {"$in": OWING}},
                {"received_at": {"$gte": NOW - timedelta(days=90)}},
            ]
        },
        ("assignment.lead_unit", "status", "received_at"),
        "services/reading/queries.py list_cases",
        BY_DUE,
        51,
    ),
    HotQuery(
        "office queue with other filters (supervisor, dispatcher): one state, by time left",
        "cases",
        {"$and": [{"status": {"$in": ["replied"]}}]},
        ("status", "assignment.due_at"),
        "services/reading/queries.py list_cases (web/src/staff/queues.ts)",
        BY_DUE,
        51,
    ),
    HotQuery(
        "clerk's queue: received cases, newest first",
        "cases",
        {"$and": [{"status": {"$in": ["received"]}}]},
        ("status", "received_at"),
        "services/reading/queries.py list_cases (web/src/staff/queues.ts)",
        NEWEST,
        51,
    ),
    HotQuery(
        "case list by topic and town, newest first",
        "cases",
        {"$and": [{"topic": {"$in": ["environment"]}}, {"location.town": {"$in": ["城关镇"]}}]},
        ("topic", "received_at"),
        "services/reading/queries.py list_cases",
        NEWEST,
        51,
    ),
    HotQuery(
        "leader's queue: leader-led owing cases, by time left",
        "cases",
        {"$and": [{"status": {"$in": OWING}}, {"flags": {"$in": ["leader_led"]}}]},
        ("flags", "status"),
        "services/reading/queries.py list_cases (web/src/staff/queues.ts)",
        BY_DUE,
        51,
    ),
    HotQuery(
        "every case, newest first (the admin's list): the first slice of received time",
        "cases",
        {"received_at": {"$gte": NOW - timedelta(hours=1)}},
        ("received_at",),
        "services/reading/queries.py _newest_first (web/src/staff/queues.ts admin.all)",
        NEWEST,
        51,
    ),
    HotQuery(
        "every case, newest first: a slice read unsorted, for one case more than the page wants",
        "cases",
        {"received_at": {"$gte": NOW - timedelta(hours=7), "$lt": NOW - timedelta(hours=3)}},
        ("received_at",),
        "services/reading/queries.py _newest_first",
        (),
        51,
    ),
    HotQuery(
        "every case, newest first: a slice holding more than the page wants, read sorted",
        "cases",
        {
            "received_at": {
                "$gte": NOW - timedelta(hours=3, minutes=1),
                "$lt": NOW - timedelta(hours=3),
            }
        },
        ("received_at",),
        "services/reading/queries.py _newest_first",
        NEWEST,
        51,
    ),
    HotQuery(
        "a newest-first list's next page: the cases received at the cursor's time, after it",
        "cases",
        {"received_at": NOW - timedelta(hours=3), "_id": {"$lt": "LX-20261125-000042"}},
        ("received_at",),
        "services/reading/queries.py _newest_first",
        NEWEST,
        51,
    ),
    HotQuery(
        "a newest-first list with filters, a slice of received time (topic, town)",
        "cases",
        {
            "$and": [
                {
                    "$and": [
                        {"topic": {"$in": ["environment"]}},
                        {"location.town": {"$in": ["城关镇"]}},
                    ]
                },
                {"received_at": {"$gte": NOW - timedelta(days=8)}},
            ]
        },
        ("topic", "received_at"),
        "services/reading/queries.py _newest_first",
        NEWEST,
        51,
    ),
    HotQuery(
        "a flag's list newest first (a leader's raised cases), a slice of received time",
        "cases",
        {
            "$and": [
                {"$and": [{"flags": {"$in": ["final_dissatisfied"]}}]},
                {"received_at": {"$gte": NOW - timedelta(days=8)}},
            ]
        },
        ("flags", "received_at"),
        "services/reading/queries.py _newest_first (web/src/staff/queues.ts leader.raised)",
        NEWEST,
        51,
    ),
    HotQuery(
        "every case, newest first, when 64 days' slices do not fill the page: the rest",
        "cases",
        {"received_at": {"$not": {"$gte": NOW - timedelta(days=64)}}},
        ("received_at",),
        "services/reading/queries.py _newest_first (web/src/staff/queues.ts admin.all)",
        NEWEST,
        51,
        known_scan="`$not` is not pushed down: the rest is every case (decision 0020)",
    ),
    HotQuery(
        "open alerts, newest first (every office queue page)",
        "alerts",
        {"status": "open"},
        ("status", "raised_at"),
        "services/reading/alerts.py list_alerts",
        (("raised_at", -1), ("_id", -1)),
        200,
    ),
    HotQuery(
        "webhook deliveries, newest first (GET /webhook-deliveries)",
        "deliveries",
        {"kind": "webhook", "status": "dead"},
        ("kind", "status", "created_at"),
        "services/notify/handlers.py webhook_deliveries",
        (("created_at", -1), ("_id", 1)),
        100,
    ),
    HotQuery(
        "a case's deliveries (the case page)",
        "deliveries",
        {"case_id": "LX-20261125-000042"},
        ("case_id",),
        "services/notify/handlers.py case_deliveries",
    ),
    HotQuery(
        "a unit's staff in some roles, for an event's messages",
        "users",
        {"unit": "hexi_town", "role": {"$in": ["handler", "unit_leader"]}},
        ("unit", "role"),
        "services/notify/handlers.py Directory.unit_users",
    ),
    HotQuery(
        "a leader's accounts (or every user of a role), for an event's messages",
        "users",
        {"role": "leader", "leader": "L-zhang"},
        ("role", "leader"),
        "services/notify/handlers.py Directory.leader_users",
    ),
    HotQuery(
        "a user's saved filters",
        "saved_filters",
        {"username": "env_handler"},
        ("username",),
        "services/accounts/filters.py list_filters",
    ),
    HotQuery(
        "Open311 requests of a period",
        "cases",
        {"received_at": {"$gte": NOW - timedelta(days=90), "$lte": NOW}},
        ("received_at",),
        "services/reading/public.py open311_requests",
        unbounded="reads every case of the period (up to 1000 are shown): needs a limit",
    ),
    HotQuery(
        "public board (公开栏): answered cases with consent",
        "cases",
        {"public_consent": True, "status": {"$in": ["answered", "closed"]}},
        ("public_consent", "status"),
        "services/reading/public.py board",
        unbounded="reads every public answered case, to sort and count them in Python",
    ),
    HotQuery(
        "appeals of a period with their decisions (the dashboard, under the assessment)",
        "cases",
        {
            "appeal.status": {"$in": ["pending"]},
            "received_at": {"$gte": NOW - timedelta(days=90), "$lt": NOW},
        },
        ("appeal.status", "received_at"),
        "services/reading/appeals.py appeal_list",
        NEWEST,
        501,
    ),
    # --- idle work: timers, reading only what is due ------------------------------------
    HotQuery(
        "outbox relay: notes of writes not flushed after the grace period",
        "outbox_due",
        {"at": {"$lt": NOW - timedelta(seconds=30)}},
        ("at",),
        "lianxin/outbox.py relay",
        limit=500,
        periodic=True,
    ),
    HotQuery(
        "re-routing: received cases routing has not taken",
        "unrouted",
        {"at": {"$lt": NOW - timedelta(seconds=60)}},
        ("at",),
        "services/routing/handlers.py reroute_stuck",
        limit=200,
        periodic=True,
    ),
    HotQuery(
        "acknowledgements waiting for a unit (manual queue)",
        "ack_codes",
        {"waiting_ack": None, "at": {"$lt": NOW - timedelta(minutes=10)}},
        ("waiting_ack", "at"),
        "services/notify/handlers.py acknowledge_waiting",
        limit=100,
        periodic=True,
    ),
    HotQuery(
        "sealed retry codes past their window",
        "retry_codes",
        {"expires_at": {"$lt": NOW}},
        ("expires_at",),
        "services/intake/handlers.py forget_retry_codes",
        limit=1000,
        periodic=True,
    ),
    HotQuery(
        "deliveries due for a try",
        "delivery_due",
        {"at": {"$lte": NOW}},
        ("at",),
        "services/notify/deliveries.py due",
        (("at", 1),),
        200,
        periodic=True,
    ),
    HotQuery(
        "rate windows that have ended",
        "rate_windows",
        {"expires_at": {"$lt": NOW}},
        ("expires_at",),
        "gateway/ratelimit.py _forget_old",
        periodic=True,
    ),
    HotQuery(
        "clocks due (supervision's sweep)",
        "clocks",
        {"state": "running", "next_at": {"$lte": NOW}},
        ("state", "next_at"),
        "lianxin/timers.py sweep (services/supervision/sweeps.py sweep_clocks)",
        periodic=True,
    ),
    HotQuery(
        "a sweep chunk's claims taken by another replica (lianxin/timers.py)",
        "clock_claims",
        {"_id": {"$in": ["LX-20261125-000042:1@2026-11-25T08:00:00Z", "LX-20261125-000043:1@x"]}},
        None,
        "lianxin/timers.py claim_many (supervision's clocks and matters' matter_clocks)",
        periodic=True,
    ),
    HotQuery(
        "a sweep chunk's cases",
        "cases",
        {"_id": {"$in": ["LX-20261125-000042", "LX-20261125-000043"]}},
        None,
        "services/supervision/sweeps.py plan_clocks",
        periodic=True,
    ),
    HotQuery(
        "a sweep chunk's alerts already recorded: published, under their keys or batch ids?"
        " (alerts_sent read the same way)",
        "alerts_published",
        {"_id": {"$in": ["notice:LX-20261125-000042:1:3", "unclaimed:LX-20261125-000043:1"]}},
        None,
        "lianxin/timers.py emit_many",
        periodic=True,
    ),
    HotQuery(
        "the daily reminder: the parts of every unit's owing queues, then the first 200 cases"
        " of each unit by id (decision 0037)",
        "queues",
        {"q": {"$in": ["hexi_town|assigned", "hexi_town|in_progress"]}},
        ("q", "p"),
        "services/supervision/sweeps.py owing_by_unit (lianxin/queues.py owed_by_lead)",
        periodic=True,
    ),
    HotQuery(
        "clock claims older than a day",
        "clock_claims",
        {"at": {"$lt": NOW - timedelta(days=1)}},
        ("at",),
        "services/supervision/sweeps.py forget_old_claims",
        periodic=True,
    ),
    HotQuery(
        "a lease (every timer, every replica)",
        "leases",
        {"_id": "outbox-relay"},
        None,
        "lianxin/lease.py acquire",
        periodic=True,
    ),
)
