"""Rules that once had two homes and drifted apart: each now has one, and changing it changes
every place that uses it."""

from datetime import timedelta

import pytest

from lianxin import cases, settings
from lianxin.errors import WrongState
from services.intake import dispatch, screening
from services.supervision import watch

from .test_watch import CLOCK, T0, case


@pytest.mark.parametrize("share", [0.8, 0.5])
def test_the_case_list_and_the_yellow_warning_agree_on_the_yellow_share(monkeypatch, share):
    monkeypatch.setattr(settings, "YELLOW_SHARE", share)
    c = case(days=10, claimed_at=T0)
    c["status"] = "in_progress"
    before, after = T0 + timedelta(days=10 * share - 0.1), T0 + timedelta(days=10 * share + 0.1)
    assert cases.clock_state(c, before) == (False, "none")
    assert cases.clock_state(c, after) == (False, "yellow")
    warned = lambda at: "yellow" in {a.kind for a in watch.evaluate(c, CLOCK, at, watch.Rules())[0]}  # noqa: E731,E501
    assert not warned(before) and warned(after)


class _Db:
    """Just enough of a store for a manual merge's checks to run."""

    def __init__(self, primary):
        self.primary = primary

    class _Cases:
        def __init__(self, primary):
            self.primary = primary

        def find_one(self, query, *_):
            return self.primary if query.get("_id") == self.primary["_id"] else None

        def update_one(self, query, update):
            self.primary.setdefault("duplicates", []).append(update["$addToSet"]["duplicates"])

    @property
    def cases(self):
        return self._Cases(self.primary)


@pytest.mark.parametrize(
    "window, closed_days_ago, takes", [(30, 20, True), (10, 20, False), (10, 5, True)]
)
def test_manual_and_automatic_merges_share_the_duplicate_window(
    monkeypatch, window, closed_days_ago, takes
):
    monkeypatch.setattr(settings, "DUPLICATE_WINDOW_DAYS", window)
    now = T0 + timedelta(days=60)
    primary = {
        "_id": "LX-P",
        "status": "closed",
        "closed_at": now - timedelta(days=closed_days_ago),
        "title": "噪音",
        "content": "工地夜间施工",
    }
    dup = {"_id": "LX-D", "status": "received", "title": "噪音", "content": "工地夜间施工"}
    assert screening.takes_duplicates(primary, now) is takes
    captured = {}
    monkeypatch.setattr(
        cases,
        "act",
        lambda db, pub, now_, case_id, actor, action, decide: captured.setdefault(
            "change", decide(dup)
        ),
    )
    deps = cases.Deps(_Db(primary), None, now)
    if takes:
        dispatch.merge(
            deps, "merge", "LX-D", {"username": "d", "role": "dispatcher"}, {"primary_id": "LX-P"}
        )
        assert captured["change"].data["primary_id"] == "LX-P"
        assert primary["duplicates"] == ["LX-D"]
    else:
        with pytest.raises(WrongState):
            dispatch.merge(
                deps,
                "merge",
                "LX-D",
                {"username": "d", "role": "dispatcher"},
                {"primary_id": "LX-P"},
            )
