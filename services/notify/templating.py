"""Templates (docs/contract.md §8): one document per message and language in the `templates`
collection, `_id` "<name>:<language>", with a part per channel:

    subject, body   e-mail (plain text) and the in-app inbox (title, text)
    html            optional HTML part of the e-mail
    sms             the text message; without it the subject is sent

Rendered with Jinja2 in a sandbox (the admin edits templates; a template must not reach into
Python objects). The HTML part is autoescaped, so a citizen's title such as `<b>` shows as
text; plain-text parts are not, since they are not HTML. An unknown variable renders empty.
"""

from jinja2 import TemplateSyntaxError, select_autoescape
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


def render(template, values):
    """{part: text} for every part the template has."""
    out = {}
    for part in PARTS:
        source = template.get(part)
        if source:
            env = _html if part == "html" else _text
            out[part] = env.from_string(source).render(**values)
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
