"""The notify service: messages, the event feed, webhooks, the inbox (nameko entrypoints only;
the channels and the ordered journal consumer are the `Dispatch` extension, `dispatch.py`)."""

import logging

from nameko.rpc import rpc
from nameko.timer import timer

from lianxin import demo, settings
from lianxin.consuming import event_handler
from lianxin.errors import Forbidden, ValidationFailed
from lianxin.events import EVENT_TYPES
from lianxin.service import LianxinService, StartupStep

from . import handlers, journal, templating
from . import inbox as inboxes
from .dispatch import Dispatch

log = logging.getLogger(__name__)


class Defaults(StartupStep):
    """The default templates the store does not have yet, and the feed and the inboxes
    numbered the way they are read now (`upgrade`), as soon as the store answers."""

    def run(self, db):
        demo.load_templates(db)
        journal.upgrade(db)
        inboxes.upgrade(db)


def _on_every_event(fn):
    for type_ in EVENT_TYPES:
        fn = event_handler(settings.EVENT_SOURCE, type_)(fn)
    return fn


def _check_template(doc):
    errors = templating.syntax_errors(doc)
    if errors:
        raise ValidationFailed("the template does not compile", {"fields": errors})


class NotifyService(LianxinService):
    name = "notify"
    admin_owns = {"templates": (_check_template, None), "webhooks": (None, None)}

    dispatch = Dispatch()
    defaults = Defaults()

    @_on_every_event
    def on_event(self, event):
        handlers.on_event(
            self.db, self.dispatch.senders, self.clock.now(), event, handlers.Config.from_settings()
        )

    @timer(interval=settings.DELIVERY_POLL_SECONDS)
    def deliver_due(self):
        self.dispatch.deliver_due()

    def periodic(self, now):
        self.sweeps.run_once(
            "notify-ack-waiting",
            lambda: handlers.acknowledge_waiting(
                self.db,
                self.dispatch.senders,
                now,
                handlers.Config.from_settings(),
                settings.ACK_WAIT_SECONDS,
            ),
        )
        self.sweeps.run_once(
            "notify-redrive",
            lambda: handlers.redrive(
                self.db,
                self.dispatch.senders,
                now,
                handlers.Config.from_settings(),
                settings.REDRIVE_GRACE_SECONDS,
                settings.REDRIVE_BATCH,
            ),
        )

    @rpc
    def events(self, actor, after, limit):
        return handlers.feed(self.db, actor, after, limit)

    @rpc
    def case_deliveries(self, case_id, actor):
        return handlers.case_deliveries(self.db, self.clock.now(), case_id, actor)

    @rpc
    def inbox(self, actor, unread_only=False, limit=50):
        return handlers.inbox(self.db, actor, unread_only, limit)

    @rpc
    def mark_read(self, actor, message_id):
        return handlers.mark_read(self.db, self.clock.now(), actor, message_id)

    @rpc
    def webhook_deliveries(self, actor, status=None, subscription=None, limit=100):
        return handlers.webhook_deliveries(self.db, actor, status, subscription, limit)

    @rpc
    def replay(self, actor, key):
        out = handlers.replay(self.db, self.clock.now(), actor, key)
        d = self.db.deliveries.find_one({"_id": key}, {"kind": 1, "subscription": 1})
        self.dispatch.submit(key, d.get("subscription") if d["kind"] == "webhook" else None)
        return out

    @rpc
    def preview_template(self, actor, doc, values=None):
        if (actor or {}).get("role") != "admin":
            raise Forbidden("only an admin may preview templates", {})
        return templating.preview(doc or {}, values)
