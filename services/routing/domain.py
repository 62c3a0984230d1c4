"""Routing rules (分流转办, docs/contract.md §4), free of I/O.

Rules are data, evaluated in `order`. A rule with a `lead_unit` decides the case and stops the
evaluation; a rule without one is a modifier (sets the leader, complexity or urgency) and the
evaluation goes on. A target beginning with `@` is resolved from the case and the directory:

- `@town`: the township government whose `towns` include the case's town;
- `@topic_unit`: the department whose `topics` include the case's topic;
- `@receiving_unit`: the unit of the clerk who registered it (谁先收到谁负责);
- `@portfolio` (for `leader`): the leader whose portfolio covers the topic (领导领衔).

A rule whose target does not resolve does not fire. Nothing fired → manual dispatch queue.
"""

from dataclasses import dataclass, field

from lianxin import matching

MATCH_KEYS = ("kind", "topic", "channel", "town", "keywords", "collective", "complexity", "urgency")


@dataclass
class Directory:
    """What routing needs to know about the county: units and leaders."""

    units: list = field(default_factory=list)
    leaders: list = field(default_factory=list)

    def township_of(self, town):
        for unit in self.units:
            if unit.get("kind") == "township" and town in unit.get("towns", []):
                return unit["_id"]
        return None

    def department_for(self, topic):
        for unit in sorted(self.units, key=lambda u: u["_id"]):
            if unit.get("kind") == "department" and topic in unit.get("topics", []):
                return unit["_id"]
        return None

    def leader_for(self, topic):
        for leader in sorted(self.leaders, key=lambda found: found["_id"]):
            if topic in leader.get("portfolio", []):
                return leader["_id"]
        return None


@dataclass
class Decision:
    lead_unit: str = None
    co_units: list = field(default_factory=list)
    leader: str = None
    complexity: str = None
    urgency: str = None
    fired: list = field(default_factory=list)  # names of the rules that fired, in order
    reasons: list = field(default_factory=list)

    @property
    def queued(self):
        return self.lead_unit is None


def facts_of(case):
    """The routable facts of a case document."""
    return {
        "kind": case.get("kind"),
        "topic": case.get("topic"),
        "channel": case.get("channel"),
        "town": (case.get("location") or {}).get("town"),
        "text": f"{case.get('title', '')}\n{case.get('content', '')}",
        "collective": "collective" in (case.get("flags") or []),
        "complexity": case.get("complexity", "general"),
        "urgency": case.get("urgency", "normal"),
        "received_by": case.get("received_by"),
    }


def matches(rule_match, facts):
    """True if every condition of a rule's `match` holds for the case facts."""
    return matching.matches(rule_match, facts, MATCH_KEYS)


def _resolve_unit(target, facts, directory):
    if not target or not target.startswith("@"):
        return target
    if target == "@town":
        return directory.township_of(facts["town"]) if facts["town"] else None
    if target == "@topic_unit":
        return directory.department_for(facts["topic"])
    if target == "@receiving_unit":
        return facts.get("received_by")
    raise ValueError(f"unknown unit target {target!r}")


def _resolve_leader(target, facts, directory):
    if target == "@portfolio":
        return directory.leader_for(facts["topic"])
    return target


def route(case, rules, directory):
    """Apply the ordered rules to a case; return the Decision (queued if no unit was found)."""
    facts = facts_of(case)
    decision = Decision()
    for rule in sorted(rules, key=lambda r: (r.get("order", 0), r.get("name", ""))):
        if rule.get("enabled", True) is False or not matches(rule.get("match"), facts):
            continue
        lead = _resolve_unit(rule.get("lead_unit"), facts, directory)
        if rule.get("lead_unit") and not lead:
            decision.reasons.append(
                f"{rule['name']}: matched, but {rule['lead_unit']} resolves to no unit"
            )
            continue
        leader = _resolve_leader(rule.get("leader"), facts, directory)
        decision.fired.append(rule["name"])
        decision.leader = decision.leader or leader
        decision.complexity = rule.get("complexity") or decision.complexity
        decision.urgency = rule.get("urgency") or decision.urgency
        if lead:
            decision.lead_unit = lead
            decision.co_units = [u for u in rule.get("co_units", []) if u != lead]
            break
    return decision
