"""Routing rules (docs/contract.md §4), as the demo county ships them."""

import pytest

from services.routing import domain


@pytest.fixture
def directory(county):
    return domain.Directory(units=county["units"], leaders=county["leaders"])


def case(**kw):
    base = {
        "kind": "complaint",
        "topic": "environment",
        "channel": "web",
        "title": "t",
        "content": "c",
        "location": {},
        "flags": [],
        "complexity": "general",
    }
    return {**base, **kw}


def route(county, directory, **kw):
    return domain.route(case(**kw), county["routing_rules"], directory)


def test_a_topic_goes_to_the_department_that_covers_it(county, directory):
    d = route(county, directory, topic="education")
    assert (d.lead_unit, d.fired) == ("education_bureau", ["topic_department"])


def test_a_case_tied_to_a_town_goes_to_the_town_government(county, directory):
    d = route(county, directory, topic="environment", location={"town": "山阳镇"})
    assert (d.lead_unit, d.fired) == ("shanyang_town", ["town_government"])


def test_a_more_specific_topic_rule_beats_the_town(county, directory):
    d = route(county, directory, topic="discipline", location={"town": "山阳镇"})
    assert (d.lead_unit, d.fired) == ("party_office", ["party_affairs"])
    assert (
        route(county, directory, topic="economy", location={"town": "清水镇"}).lead_unit
        == "gov_office"
    )


def test_an_unknown_town_falls_through_to_the_topic(county, directory):
    d = route(county, directory, topic="health", location={"town": "不存在镇"})
    assert d.lead_unit == "health_commission"
    assert "town_government" not in d.fired and d.reasons


def test_collective_case_is_leader_led_by_the_portfolio_leader(county, directory):
    d = route(county, directory, topic="land_relocation", flags=["collective"])
    assert d.lead_unit == "natural_resources_bureau"
    assert d.leader == "magistrate_li" and d.complexity == "major"
    assert d.fired == ["collective_leader_led", "topic_department"]


def test_a_simple_consultation_stays_with_the_unit_that_received_it(county, directory):
    d = route(
        county,
        directory,
        kind="consultation",
        channel="hotline",
        topic="education",
        received_by="mass_work_office",
    )
    assert (d.lead_unit, d.fired) == ("mass_work_office", ["first_receiver"])


def test_nothing_matched_waits_for_manual_dispatch(county, directory):
    d = route(county, directory, topic="other")
    assert d.queued and d.lead_unit is None


def test_keywords_match_title_or_content():
    rules = [
        {
            "name": "noise",
            "order": 1,
            "match": {"keywords": ["噪音", "扰民"]},
            "lead_unit": "environment_bureau",
        }
    ]
    d = domain.route(case(content="夜间施工噪音"), rules, domain.Directory())
    assert d.lead_unit == "environment_bureau"
    assert domain.route(case(content="路灯坏了"), rules, domain.Directory()).queued


def test_an_unknown_match_key_is_an_error_not_a_silent_match():
    rules = [{"name": "bad", "order": 1, "match": {"colour": "red"}, "lead_unit": "x"}]
    with pytest.raises(ValueError):
        domain.route(case(), rules, domain.Directory())
