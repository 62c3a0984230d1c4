"""Templates (docs/contract.md §8): one document per message and language in the `templates`
collection, `_id` "<name>:<language>", with a part per channel:

    subject, body   e-mail (plain text) and the in-app inbox (title, text)
    html            optional HTML part of the e-mail
    sms             the text message; without it the subject is sent

Rendered with Jinja2 in a sandbox (the admin edits templates; a template must not reach into
Python objects). The HTML part is autoescaped, so a citizen's title such as `<b>` shows as
text; plain-text parts are not, since they are not HTML. An unknown variable renders empty.
"""

from functools import lru_cache

from jinja2 import TemplateError, TemplateSyntaxError, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

PARTS = ("subject", "body", "html", "sms")

_text = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True)
_html = SandboxedEnvironment(autoescape=select_autoescape(default=True, default_for_string=True))


def find(db, name, lang, default_lang="zh-CN"):
    """The template for `name` in `lang`, else in the default language, else None."""
    for candidate in dict.fromkeys((lang, default_lang, "zh-CN")):
        doc = db.templates.find_one({"_id": f"{name}:{candidate}"})
        if doc is not None:
            return doc
    return None


@lru_cache(maxsize=512)
def _compiled(html, source):
    """A part's source compiled once per process (Jinja parses and compiles a template to
    Python each time it is given the text): keyed by the text, so an edit is a new entry."""
    return (_html if html else _text).from_string(source)


def render(template, values):
    """{part: text} for every part the template has."""
    out = {}
    for part in PARTS:
        source = template.get(part)
        if source:
            out[part] = _compiled(part == "html", source).render(**values)
    if "subject" in out:
        out["subject"] = " ".join(out["subject"].split())  # one line, whatever the data
    return out


def syntax_errors(doc):
    """{part: [message]} for the parts of a template document that do not compile."""
    errors = {}
    for part in PARTS:
        source = doc.get(part)
        if source is None:
            continue
        if not isinstance(source, str):
            errors[part] = ["must be a string"]
            continue
        try:
            (_html if part == "html" else _text).parse(source)
        except TemplateSyntaxError as exc:
            errors[part] = [f"line {exc.lineno}: {exc.message}"]
    return errors


# What a template sees when the admin previews it: the values `rules.event_values` gives every
# template, filled with a plausible case. The admin's own `values` replace any of them.
SAMPLE_VALUES = {
    "event_type": "case.assigned",
    "case_id": "LX-20261125-000042",
    "title": "清水河夜间排污",
    "topic": "environment",
    "kind": "complaint",
    "town": "城关镇",
    "unit_name": "县生态环境局",
    "due_at": "2026-12-09 17:00",
    "occurred_at": "2026-11-25 09:30",
    "outcome": "已解决",
    "opinion": "已责令停产整改，河道已清理。",
    "satisfaction": "满意",
    "reason": "",
    "comment": "",
    "text": "",
    "primary_id": "",
    "number": 3,
    "open_cases": 5,
    "co_unit_name": "城关镇人民政府",
    "people_involved": 1,
    "case_list": "  LX-20261125-000042 清水河夜间排污  剩余 20 小时",
    "track_url": "http://127.0.0.1:8000/track/LX-20261125-000042",
    "public_url": "http://127.0.0.1:8000",
}


def preview(doc, values=None):
    """{"parts": {part: text}} for a template document rendered with the sample values, or
    {"errors": [{part, line, message}]} when a part does not compile or fails to render."""
    problems = []
    for part in PARTS:
        source = doc.get(part)
        if source is None:
            continue
        if not isinstance(source, str):
            problems.append({"part": part, "line": None, "message": "must be a string"})
            continue
        try:
            (_html if part == "html" else _text).parse(source)
        except TemplateSyntaxError as exc:
            problems.append({"part": part, "line": exc.lineno, "message": exc.message})
    if problems:
        return {"errors": problems}
    try:
        return {"parts": render(doc, {**SAMPLE_VALUES, **(values or {})})}
    except (TemplateError, TypeError, ValueError, ArithmeticError) as exc:  # e.g. the sandbox
        return {"errors": [{"part": None, "line": None, "message": str(exc)}]}
