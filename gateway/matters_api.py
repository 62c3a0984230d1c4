"""Supervised matters and livelihood projects (督办事项 · 民生实事, docs/contract.md §14): the
office and leaders create and publish them, units claim and report, supervisors confirm or
send back (事结销号); the public board of projects (挂图作战) and citizens' "I see it done".
Each endpoint validates, checks the role against the matters' state table, and asks the
matters service."""

from flask import jsonify, request

from lianxin import matter_schemas as s
from lianxin import matter_workflow
from lianxin.auth import OFFICE_ROLES, UNIT_ROLES
from lianxin.schemas import load_or_raise

from . import ratelimit
from .auth import bearer_actor, staff
from .common import action_routes, api, json_body, rpc
from .reports_api import PeriodSchema, report_rpc

_create = s.MatterCreateSchema()


def _may(action):
    actor = bearer_actor()
    matter_workflow.check_role(action, actor["role"])
    return actor


@api.post("/matters")
def create_matter():
    """Create a matter (draft).
    ---
    post:
      summary: Create a draft matter (supervisor, leader)
      description: >
        A leader's instruction (批示件), a livelihood project of a year's list, or a
        cluster of cases. A milestone after the matter's end is a 422 naming the field.
      tags: [matters]
      security: [{bearer: []}]
      requestBody: {required: true, content: {application/json: {schema: MatterCreate}}}
      responses:
        201: {content: {application/json: {schema: Matter}}}
        401: {content: {application/json: {schema: Error}}}
        403: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = _may("create")
    body = load_or_raise(_create, json_body())
    response = jsonify(rpc("matters", "create", actor, _create.dump(body)))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/matters/{response.json['id']}"
    return response


@api.get("/matters")
def list_matters():
    """List matters.
    ---
    get:
      summary: Matters in the caller's scope, by end date
      description: Units see their own and those put up for claiming.
      tags: [matters]
      security: [{bearer: []}]
      parameters: [{in: query, schema: MatterQuerySchema}]
      responses:
        200: {content: {application/json: {schema: MatterList}}}
        401: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff()
    query = load_or_raise(s.MatterQuerySchema(), request.args.to_dict())
    return jsonify(rpc("matters", "list", actor, query))


@api.get("/matters/stats")
def matter_stats():
    """Matters by unit with on-time milestones.
    ---
    get:
      summary: Matters by lead unit with on-time milestones
      description: >
        Per lead unit: its matters and their states, and its milestones due in [from,
        to) — on time, late, missed, pending — with the on-time rate (numerator,
        denominator). A unit's staff see their own unit.
      tags: [matters, reports]
      security: [{bearer: []}]
      parameters: [{in: query, schema: PeriodSchema}]
      responses:
        200: {content: {application/json: {schema: MatterStats}}}
        401: {content: {application/json: {schema: Error}}}
        403: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff(*OFFICE_ROLES, *UNIT_ROLES)
    q = load_or_raise(PeriodSchema(), request.args.to_dict())
    return jsonify(
        report_rpc("matters", "stats", actor, q["from_"].isoformat(), q["to"].isoformat())
    )


@api.get("/matters/<matter_id>")
def get_matter(matter_id):
    """One matter.
    ---
    get:
      summary: A matter with its milestones, reports, timeline and warning
      description: "`allowed_actions`: the action endpoints this user may post now."
      tags: [matters]
      security: [{bearer: []}]
      parameters: [{in: path, name: matter_id, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: Matter}}}
        401: {content: {application/json: {schema: Error}}}
        404: {content: {application/json: {schema: Error}}}
    """
    return jsonify(rpc("matters", "get", matter_id, staff()))


# path → (action for the role check, service action, body schema, summary)
ACTIONS = {
    "publish": ("publish", "publish", s.MatterClaimSchema, "Publish a draft (supervisor)"),
    "claim": (
        "claim",
        "claim",
        s.MatterClaimSchema,
        "Claim (认领) — a unit takes on a matter put up for claiming, a leader leads it",
    ),
    "progress": (
        "progress",
        "progress",
        s.MatterProgressSchema,
        "A progress report — text, percent (back only with a reason), evidence, milestones done",
    ),
    "done": (
        "report_done",
        "done",
        s.MatterDoneSchema,
        "Report it done with the evidence (事结销号, lead unit)",
    ),
    "confirm": (
        "confirm",
        "confirm",
        s.MatterConfirmSchema,
        "Confirm it done, which closes it (supervisor)",
    ),
    "send-back": (
        "send_back",
        "send_back",
        s.MatterSendBackSchema,
        "Send a done report back with the reason (supervisor)",
    ),
}


action_routes("matter", _may, "Matter", {p: ("matters", *row) for p, row in ACTIONS.items()})


# --- the public board of projects (挂图作战) ----------------------------------------------


@api.get("/public/projects")
def public_projects():
    """The public board of projects.
    ---
    get:
      summary: Every published project, masked (挂图作战)
      description: >
        Its units, leader, milestones, percent done, latest report and the citizens'
        answers (seen done or not).
      tags: [public]
      parameters: [{in: query, schema: ProjectBoardQuerySchema}]
      responses:
        200: {content: {application/json: {schema: ProjectBoard}}}
        422: {content: {application/json: {schema: Error}}}
        429: {content: {application/json: {schema: Error}}}
    """
    ratelimit.public()
    query = load_or_raise(s.ProjectBoardQuerySchema(), request.args.to_dict())
    return jsonify(rpc("matters", "public_board", query))


@api.get("/public/projects/<matter_id>")
def public_project(matter_id):
    """One project of the public board.
    ---
    get:
      summary: A published project, masked
      description: With the cases that led to it and those that came in after.
      tags: [public]
      parameters: [{in: path, name: matter_id, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: PublicProject}}}
        404: {content: {application/json: {schema: Error}}}
        429: {content: {application/json: {schema: Error}}}
    """
    ratelimit.public()
    return jsonify(rpc("matters", "public_project", matter_id))


@api.post("/public/projects/<matter_id>/seen-done")
def seen_done(matter_id):
    """A citizen says whether they see the project done.
    ---
    post:
      summary: One answer per citizen contact (kept only as a keyed hash); the counts after it
      tags: [public]
      parameters: [{in: path, name: matter_id, required: true, schema: {type: string}}]
      requestBody: {required: true, content: {application/json: {schema: SeenDone}}}
      responses:
        200: {content: {application/json: {schema: SeenDoneCounts}}}
        404: {content: {application/json: {schema: Error}}}
        409: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
        429: {content: {application/json: {schema: Error}}}
    """
    ratelimit.feedback(f"project:{matter_id}")
    body = load_or_raise(s.SeenDoneSchema(), json_body())
    return jsonify(rpc("matters", "seen_done", matter_id, body))
