"""The signed-in user's own things: saved filters of the case list (`/me/filters`), kept by
the accounts service beside the accounts; and the directory of units every staff member's
screens need (`/directory/units`: codes, names, kinds, parents)."""

from urllib.parse import parse_qsl

from flask import jsonify
from marshmallow import Schema, ValidationError, fields, validate, validates

from lianxin.errors import ValidationFailed
from lianxin.schemas import load_or_raise

from .auth import staff
from .cases_api import ListQuerySchema
from .common import api, json_body, rpc

# The list's filters a saved view may hold (the cursor is a page, not a view).
FILTER_KEYS = sorted(
    f.data_key or name for name, f in ListQuerySchema().fields.items() if name != "cursor"
)


class SavedFilterSchema(Schema):
    """A saved view of the case list: its URL query string, e.g. `status=assigned&overdue=true`."""

    query = fields.String(required=True, validate=validate.Length(max=2000))
    name = fields.String(metadata={"description": "if given, the name in the path"})

    @validates("query")
    def known_filters(self, value, **kwargs):
        try:
            pairs = parse_qsl(value.lstrip("?"), keep_blank_values=True, strict_parsing=bool(value))
        except ValueError:
            raise ValidationError("not a URL query string")
        unknown = sorted({k for k, _ in pairs} - set(FILTER_KEYS))
        if unknown:
            raise ValidationError(f"not a filter of the case list: {', '.join(unknown)}")


class FilterNameSchema(Schema):
    name = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=64),
            validate.Regexp(r"^[^\x00-\x1f\x7f:]+$", error="no ':' or control characters"),
        ],
    )


@api.get("/me/filters")
def my_filters():
    """My saved filters.
    ---
    get:
      summary: The caller's saved filters of the case list, by name
      tags: [me]
      security: [{bearer: []}]
      responses:
        200: {content: {application/json: {schema: SavedFilterList}}}
        401: {content: {application/json: {schema: Error}}}
    """
    return jsonify(rpc("accounts", "list_filters", staff()))


@api.put("/me/filters/<name>")
def save_my_filter(name):
    """Save a filter.
    ---
    put:
      summary: Create or replace the caller's saved filter `name`
      tags: [me]
      security: [{bearer: []}]
      parameters: [{in: path, name: name, required: true, schema: {type: string, maxLength: 64}}]
      requestBody: {content: {application/json: {schema: SavedFilterSchema}}}
      responses:
        200: {content: {application/json: {schema: SavedFilterView}}}
        401: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff()
    name = load_or_raise(FilterNameSchema(), {"name": name})["name"]
    body = load_or_raise(SavedFilterSchema(), json_body())
    if body.get("name", name) != name:
        raise ValidationFailed(
            "the saved filter is not valid",
            {"fields": {"name": ["differs from the name in the path"]}},
        )
    return jsonify(rpc("accounts", "save_filter", actor, name, body["query"].lstrip("?")))


@api.delete("/me/filters/<name>")
def delete_my_filter(name):
    """Delete a filter.
    ---
    delete:
      summary: Delete the caller's saved filter `name`
      tags: [me]
      security: [{bearer: []}]
      parameters: [{in: path, name: name, required: true, schema: {type: string}}]
      responses:
        204: {description: deleted}
        401: {content: {application/json: {schema: Error}}}
        404: {content: {application/json: {schema: Error}}}
    """
    rpc("accounts", "delete_filter", staff(), name)
    return "", 204


@api.get("/directory/units")
def unit_directory():
    """The county's units, for any staff member.
    ---
    get:
      summary: Every unit's code, name, kind and parent (no contacts), for pickers and names
      tags: [me]
      security: [{bearer: []}]
      responses:
        200: {content: {application/json: {schema: UnitDirectory}}}
        401: {content: {application/json: {schema: Error}}}
    """
    staff()
    return jsonify({"items": rpc("accounts", "unit_directory")})
