"""Attachments over HTTP (docs/contract.md §17): upload one file per request (multipart
`file`), list a case's files, read a file or its thumbnail — staff with a token within the
case's scope, the citizen with `?code=`. The files service judges the bytes and who may see
them; here the request is parsed and the bytes are shaped into a response."""

import base64
from urllib.parse import quote

from flask import Response, current_app, jsonify, request

from lianxin import settings
from lianxin.errors import ValidationFailed

from . import ratelimit
from .auth import bearer_actor
from .common import api

# A multipart body carries the file and a little more: its headers and the form's fields.
MULTIPART_OVERHEAD = 64 * 1024


def rpc(method, *args):
    """The files service, with a wait of its own (LX_ATTACHMENT_RPC_TIMEOUT): photos take
    longer than a case action."""
    return current_app.extensions["lianxin.files_rpc"].call("files", method, *args)


def _who(case_id):
    """A staff actor (token) or the citizen's access code (rate-limited like tracking)."""
    code = request.args.get("code")
    if code and not request.headers.get("Authorization"):
        ratelimit.attachments(case_id)
        return {"code": code}
    return {"actor": bearer_actor()}


@api.post("/cases/<case_id>/attachments")
def upload_attachment(case_id):
    """Attach a photo or a document to a case.
    ---
    post:
      summary: Attach a file (JPEG, PNG, WebP or PDF, recognised by its content)
      description: >
        One file per request, `multipart/form-data` with the part `file`; `with_answer=true`
        (staff of the lead unit or the office) publishes it to the citizen with the answer.
        Staff with a token within the case's scope, or the citizen with `?code=`. Images are
        re-encoded without EXIF and get a thumbnail; a PDF loses its metadata.
      tags: [attachments]
      parameters:
        - {in: path, name: case_id, required: true, schema: {type: string}}
        - {in: query, name: code, required: false, schema: {type: string}}
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                file: {type: string, format: binary}
                with_answer: {type: boolean}
      responses:
        201:
          description: the case's entry for the file
          content: {application/json: {schema: Attachment}}
        404: {content: {application/json: {schema: Error}}}
        409: {content: {application/json: {schema: Error}}}
        413: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    request.max_content_length = settings.ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD
    who = _who(case_id)
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed(
            "send the file as the multipart part `file`", {"file": ["missing"], "reason": "missing"}
        )
    data = upload.stream.read(settings.ATTACHMENT_MAX_BYTES + 1)
    if len(data) > settings.ATTACHMENT_MAX_BYTES:  # not worth carrying to the files service
        message = f"the file is larger than {settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB"
        raise ValidationFailed(message, {"file": [message], "reason": "too_large"})
    with_answer = request.form.get("with_answer", "").lower() in ("1", "true", "yes", "on")
    body = {
        "data": base64.b64encode(data).decode(),
        "name": (upload.filename or "")[:200],
        "with_answer": with_answer,
    }
    response = jsonify(rpc("attach", case_id, who, body))
    response.status_code = 201
    return response


@api.get("/cases/<case_id>/attachments")
def list_attachments(case_id):
    """A case's files.
    ---
    get:
      summary: A case's files as the caller may see them, and whether the caller may add one
      tags: [attachments]
      parameters:
        - {in: path, name: case_id, required: true, schema: {type: string}}
        - {in: query, name: code, required: false, schema: {type: string}}
      responses:
        200: {content: {application/json: {schema: AttachmentList}}}
        404: {content: {application/json: {schema: Error}}}
    """
    return jsonify(rpc("list", case_id, _who(case_id)))


def _file_response(case_id, file_id, thumbnail):
    found = rpc("read", case_id, file_id, _who(case_id), thumbnail)
    response = Response(base64.b64decode(found["data"]), mimetype=found["content_type"])
    # Photos open in the browser; a PDF is saved (no viewer runs under our CSP).
    disposition = "inline" if found["content_type"].startswith("image/") else "attachment"
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename*=UTF-8''{quote(found['name'])}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@api.get("/cases/<case_id>/attachments/<file_id>")
def read_attachment(case_id, file_id):
    """One file.
    ---
    get:
      summary: A file of a case (its cleaned copy), to whoever may see it
      tags: [attachments]
      parameters:
        - {in: path, name: case_id, required: true, schema: {type: string}}
        - {in: path, name: file_id, required: true, schema: {type: string}}
        - {in: query, name: code, required: false, schema: {type: string}}
      responses:
        200:
          description: the file, as it was sniffed (Content-Disposition names it)
          content:
            image/jpeg: {schema: {type: string, format: binary}}
            image/png: {schema: {type: string, format: binary}}
            image/webp: {schema: {type: string, format: binary}}
            application/pdf: {schema: {type: string, format: binary}}
        404: {content: {application/json: {schema: Error}}}
    """
    return _file_response(case_id, file_id, False)


@api.get("/cases/<case_id>/attachments/<file_id>/thumbnail")
def read_thumbnail(case_id, file_id):
    """An image's thumbnail.
    ---
    get:
      summary: The JPEG thumbnail of an image attachment
      tags: [attachments]
      parameters:
        - {in: path, name: case_id, required: true, schema: {type: string}}
        - {in: path, name: file_id, required: true, schema: {type: string}}
        - {in: query, name: code, required: false, schema: {type: string}}
      responses:
        200:
          description: a JPEG thumbnail
          content: {image/jpeg: {schema: {type: string, format: binary}}}
        404: {content: {application/json: {schema: Error}}}
    """
    return _file_response(case_id, file_id, True)
