"""The rules of an opinion survey (民意调查): its questions (single and multiple choice, a
scale of 1–5 or 0–10, short and long text, a matrix), which answers it takes, and its results
(counts and shares per option, averages of scales, free text). Pure: no store, no bus."""

from lianxin.errors import ValidationFailed, WrongState

KINDS = ("single", "multiple", "scale", "short_text", "long_text", "matrix")
SCALES = {"1-5": (1, 5), "0-10": (0, 10)}
TEXT_LIMITS = {"short_text": 200, "long_text": 5000}
IDENTITIES = ("anonymous", "contact")  # an answer without a contact, or with one
ONCE_PER = ("contact", "token")  # one answer per contact, or per link token


def check_definition(survey):
    """422 with per-question details for a survey that cannot be answered as defined."""
    errors = {}
    ids = set()
    for n, q in enumerate(survey.get("questions") or []):
        problems = []
        if q["id"] in ids:
            problems.append("duplicate question id")
        ids.add(q["id"])
        if q["kind"] in ("single", "multiple", "matrix") and len(q.get("options") or []) < 2:
            problems.append("give at least two options")
        if q["kind"] == "matrix" and not q.get("rows"):
            problems.append("a matrix needs rows")
        if q["kind"] == "scale" and q.get("scale") not in SCALES:
            problems.append(f"scale is one of {', '.join(SCALES)}")
        if problems:
            errors[str(n)] = problems
    if not survey.get("questions"):
        errors["questions"] = ["a survey needs a question"]
    if survey["closes_at"] <= survey["opens_at"]:
        errors["closes_at"] = ["must be after opens_at"]
    if survey.get("once_per") == "contact" and survey.get("identity") == "anonymous":
        errors["once_per"] = ["one answer per contact needs identity contact"]
    if errors:
        raise ValidationFailed("the survey is not valid", {"fields": errors})


def phase(survey, now):
    if survey.get("status") != "published":
        return "draft"
    if now < survey["opens_at"]:
        return "scheduled"
    return "open" if now < survey["closes_at"] else "closed"


def check_open(survey, now):
    current = phase(survey, now)
    if current != "open":
        raise WrongState(
            "this survey is closed" if current == "closed" else "this survey is not open",
            {"phase": current},
        )


def _choice(q, value, problems):
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < len(q["options"]):
        problems.append(f"an option number from 0 to {len(q['options']) - 1}")
    return value


def clean_answers(survey, answers):
    """The answers as stored (question id → value), or 422 naming each wrong question.
    single: option number; multiple: list of option numbers; scale: a number within the
    scale; text: a string; matrix: one option number (or null) per row."""
    if not isinstance(answers, dict):
        raise ValidationFailed("answers is an object of question id → answer", {})
    known = {q["id"]: q for q in survey["questions"]}
    errors = {k: ["no such question"] for k in answers if k not in known}
    out = {}
    for qid, q in known.items():
        value, problems = answers.get(qid), []
        empty = (
            value is None
            or value == ""
            or value == []
            or (q["kind"] == "matrix" and isinstance(value, list) and all(v is None for v in value))
        )
        if empty:
            if q.get("required"):
                errors[qid] = ["required"]
            continue
        kind = q["kind"]
        if kind == "single":
            _choice(q, value, problems)
        elif kind == "multiple":
            if not isinstance(value, list):
                problems.append("a list of option numbers")
            else:
                for v in value:
                    _choice(q, v, problems)
                value = sorted(set(value)) if not problems else value
        elif kind == "scale":
            low, high = SCALES[q["scale"]]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                problems.append(f"a whole number from {low} to {high}")
        elif kind in TEXT_LIMITS:
            if not isinstance(value, str) or len(value) > TEXT_LIMITS[kind]:
                problems.append(f"text of at most {TEXT_LIMITS[kind]} characters")
            else:
                value = value.strip()
        elif kind == "matrix":
            if not isinstance(value, list) or len(value) != len(q["rows"]):
                problems.append(f"a list of {len(q['rows'])} option numbers (null: no answer)")
            else:
                for v in value:
                    if v is not None:
                        _choice(q, v, problems)
                if q.get("required") and any(v is None for v in value):
                    problems.append("answer every row")
        if problems:
            errors[qid] = sorted(set(problems))
        else:
            out[qid] = value
    if errors:
        raise ValidationFailed("the answers are not valid", {"fields": errors})
    return out


def _share(n, d):
    return round(n / d, 4) if d else None


def results(survey, answers):
    """Counts and shares per option (of those who answered the question), the average of a
    scale, the free text listed; `responses` is the number of answers."""
    answers = list(answers)
    out = []
    for q in survey["questions"]:
        given = [a["answers"][q["id"]] for a in answers if q["id"] in a["answers"]]
        r = {"id": q["id"], "kind": q["kind"], "text": q["text"], "answered": len(given)}
        if q["kind"] in ("single", "multiple"):
            counts = [0] * len(q["options"])
            for v in given:
                for i in v if q["kind"] == "multiple" else [v]:
                    counts[i] += 1
            r["options"] = [
                {"label": label, "count": c, "share": _share(c, len(given))}
                for label, c in zip(q["options"], counts)
            ]
        elif q["kind"] == "scale":
            low, high = SCALES[q["scale"]]
            counts = {str(v): 0 for v in range(low, high + 1)}
            for v in given:
                counts[str(v)] += 1
            r["scale"] = q["scale"]
            r["counts"] = counts
            r["average"] = round(sum(given) / len(given), 2) if given else None
        elif q["kind"] in TEXT_LIMITS:
            r["texts"] = [v for v in given if v]
        elif q["kind"] == "matrix":
            rows = []
            for n, label in enumerate(q["rows"]):
                picked = [v[n] for v in given if v[n] is not None]
                rows.append(
                    {
                        "label": label,
                        "answered": len(picked),
                        "options": [
                            {
                                "label": o,
                                "count": picked.count(i),
                                "share": _share(picked.count(i), len(picked)),
                            }
                            for i, o in enumerate(q["options"])
                        ],
                    }
                )
            r["rows"] = rows
        out.append(r)
    return {"responses": len(answers), "questions": out}


def csv_header(survey):
    head = ["answer_id", "received_at", "channel"]
    for q in survey["questions"]:
        if q["kind"] == "matrix":
            head += [f"{q['id']}:{row}" for row in q["rows"]]
        else:
            head.append(q["id"])
    return head


def csv_row(survey, answer, received_at):
    row = [answer["_id"], received_at, answer.get("channel", "web")]
    for q in survey["questions"]:
        v = answer["answers"].get(q["id"])
        if q["kind"] == "matrix":
            row += [
                q["options"][x] if x is not None else "" for x in (v or [None] * len(q["rows"]))
            ]
        elif v is None:
            row.append("")
        elif q["kind"] == "single":
            row.append(q["options"][v])
        elif q["kind"] == "multiple":
            row.append("; ".join(q["options"][i] for i in v))
        else:
            row.append(v)
    return row
