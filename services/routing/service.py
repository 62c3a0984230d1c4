"""The routing service: rules and their dry-run, assignment, re-routing, the return and its
ruling (nameko entrypoints only)."""

from nameko.rpc import rpc

from lianxin import cases, matching, settings
from lianxin.consuming import event_handler
from lianxin.rpc import RpcPoolProvider
from lianxin.service import LianxinService

from . import domain, handlers


def _check_rule(doc):
    matching.check_keys(doc.get("match"), domain.MATCH_KEYS, "rule")


class RoutingService(LianxinService):
    name = "routing"
    admin_owns = {"routing-rules": (_check_rule, None)}

    call = RpcPoolProvider()

    @event_handler(settings.EVENT_SOURCE, "case.received")
    def on_case_received(self, event):
        handlers.route_case(self.db, self.publisher, self.call, self.clock.now(), event["case_id"])

    @rpc
    def act(self, action, case_id, actor, body):
        now = self.clock.now()
        deps = cases.Deps(self.db, self.publisher, now, self.call)
        case = handlers.ACTIONS[action](deps, action, case_id, actor, body)
        return cases.staff_view(case, actor, now)

    @rpc
    def dry_run(self, case_body, actor):
        return handlers.dry_run(self.db, case_body)

    def periodic(self, now):
        self.sweeps.run_once(
            "routing-reroute",
            lambda: handlers.reroute_stuck(
                self.db, self.publisher, self.call, now, settings.ROUTING_GRACE_SECONDS
            ),
        )
