"""The one matcher behind routing rules and deadline policies: does a rule's `match` hold for
a case's facts? Every condition must hold. A value may be a scalar (equal), a list (any of),
or "*" (present and non-empty); `keywords` look for any word in the title and content;
booleans (e.g. `collective`) compare as booleans."""

from collections.abc import Iterable, Mapping
from typing import Any


def _value_matches(expected: Any, actual: Any) -> bool:
    if expected == "*":
        return actual not in (None, "")
    if isinstance(expected, bool):
        return bool(actual) is expected
    if isinstance(expected, (list, tuple)):
        return actual in expected
    return actual == expected


def matches(match: Mapping[str, Any] | None, facts: Mapping[str, Any], keys: Iterable[str]) -> bool:
    for key, expected in (match or {}).items():
        if key not in keys:
            raise ValueError(f"unknown match key {key!r}")
        if key == "keywords":
            words = [expected] if isinstance(expected, str) else expected
            if not any(w and w in facts.get("text", "") for w in words):
                return False
        elif not _value_matches(expected, facts.get(key)):
            return False
    return True


def check_keys(match: Mapping[str, Any] | None, keys: Iterable[str], what: str) -> None:
    """Refuse (422) a rule or policy whose `match` names keys this matcher does not know."""
    from .errors import ValidationFailed

    unknown = set(match or {}) - set(keys)
    if unknown:
        raise ValidationFailed(
            f"the {what} is not valid",
            {
                "fields": {
                    "match": [f"unknown keys: {', '.join(sorted(unknown))}; use {', '.join(keys)}"]
                }
            },
        )
