"""The handling service: a case's handling from the unit's claim to its closing — claim,
progress, co-handling input, extensions, the reply and its signature, the office's review,
the return visit and the citizen's rating, reopening, leaders' instructions and appeals
(nameko entrypoints only)."""

from nameko.rpc import rpc

from lianxin import cases
from lianxin.rpc import RpcPoolProvider
from lianxin.service import LianxinService

from . import handlers


class HandlingService(LianxinService):
    name = "handling"

    call = RpcPoolProvider()  # supervision starts the clock of a reopened case

    @rpc
    def act(self, action, case_id, actor, body):
        now = self.clock.now()
        deps = cases.Deps(self.db, self.publisher, now, self.call)
        case = handlers.ACTIONS[action](deps, action, case_id, actor, body)
        return cases.staff_view(case, actor, now)

    @rpc
    def feedback(self, case_id, code, body):
        now = self.clock.now()
        deps = cases.Deps(self.db, self.publisher, now, self.call)
        return cases.public_view(handlers.citizen_feedback(deps, case_id, code, body), now)
