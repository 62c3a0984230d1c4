"""The citizen's endpoints of the v1 API (docs/contract.md §10): submit a case, track it."""

import uuid
from datetime import timedelta

from flask import current_app, jsonify, request

from lianxin.clock import exact_isoformat, exact_utcnow
from lianxin.errors import BadRequest, NotFound
from lianxin.schemas import CaseSubmissionSchema, load_or_raise

from . import ratelimit
from .cases_api import register_case, staff_case
from .common import api, json_body, rpc

_submission = CaseSubmissionSchema()
MAX_IDEMPOTENCY_KEY = 200


@api.post("/cases")
def submit_case():
    """Submit a case (citizen, no account).
    ---
    post:
      summary: Submit a case
      description: >
        Validates the submission (docs/contract.md §2) and registers it. An `Idempotency-Key` header makes a
        retried submission return the same case instead of a second one.
      parameters:
        - in: header
          name: Idempotency-Key
          schema: {type: string, maxLength: 200}
      requestBody:
        required: true
        content:
          application/json:
            schema: CaseSubmission
      responses:
        201:
          content:
            application/json:
              schema: SubmissionReceipt
        400: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
        503: {content: {application/json: {schema: Error}}}
    """
    if request.headers.get("Authorization"):
        return register_case()  # a clerk registering a case from another channel
    payload = load_or_raise(_submission, json_body())
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise BadRequest("Idempotency-Key is too long", {"max_length": MAX_IDEMPOTENCY_KEY})
    request_key = f"key:{key}" if key else f"req:{uuid.uuid4()}"
    # If intake picks the request up after we have given up, it must do nothing.
    expires_at = exact_isoformat(
        exact_utcnow() + timedelta(seconds=current_app.config["RPC_TIMEOUT"])
    )
    receipt = rpc("intake", "submit", _submission.dump(payload), request_key, expires_at)
    response = jsonify(receipt)
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/cases/{receipt['id']}"
    return response


@api.get("/cases/<case_id>")
def get_case(case_id):
    """A case as its citizen sees it (with `?code=`), or as staff see it (with a token).
    ---
    get:
      summary: Track a case with its tracking number and access code; staff read the full case
      description: >
        With `Authorization: Bearer` and no code, the full case within the caller's scope,
        with `allowed_actions`: the action endpoints (`POST /cases/{id}/<action>`) this user
        may take on this case now, from the workflow table, the scope and the handling rules.
      parameters:
        - {in: path, name: case_id, required: true, schema: {type: string}}
        - {in: query, name: code, required: true, schema: {type: string}}
      responses:
        200:
          content:
            application/json:
              schema: PublicCase
        404: {content: {application/json: {schema: Error}}}
        429: {content: {application/json: {schema: Error}}}
    """
    code = request.args.get("code")
    if not code:
        if request.headers.get("Authorization"):
            return staff_case(case_id)  # staff: the full case within their scope
        raise NotFound("no case with this tracking number and access code", {})
    ratelimit.tracking(case_id)  # access codes cannot be guessed by trying them all
    return jsonify(rpc("intake", "public_case", case_id, code))
