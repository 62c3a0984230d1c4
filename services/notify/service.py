"""The notify service: deliveries (nameko entrypoints only)."""
from nameko.events import event_handler
from nameko.extensions import DependencyProvider

from lianxin import settings
from lianxin.service import LianxinService

from . import handlers
from .mailer import Mailer


class MailerProvider(DependencyProvider):
    def setup(self):
        cfg = self.container.config
        self.mailer = Mailer(cfg.get("SMTP_HOST", settings.SMTP_HOST),
                             int(cfg.get("SMTP_PORT", settings.SMTP_PORT)),
                             settings.SMTP_FROM, settings.SMTP_TIMEOUT)

    def get_dependency(self, worker_ctx):
        return self.mailer


class NotifyService(LianxinService):
    name = "notify"

    mailer = MailerProvider()

    @event_handler(settings.EVENT_SOURCE, "case.assigned")
    def on_case_assigned(self, event):
        handlers.on_case_assigned(self.db, self.mailer, self.clock.now(), event,
                                  settings.TIMEZONE, settings.PUBLIC_URL,
                                  settings.DEFAULT_LANGUAGE)

    @event_handler(settings.EVENT_SOURCE, "supervision.reminder")
    @event_handler(settings.EVENT_SOURCE, "supervision.notice")
    @event_handler(settings.EVENT_SOURCE, "supervision.warning")
    @event_handler(settings.EVENT_SOURCE, "supervision.overdue")
    def on_supervision(self, event):
        handlers.on_supervision_event(self.db, self.mailer, self.clock.now(), event,
                                      settings.TIMEZONE, settings.DEFAULT_LANGUAGE,
                                      settings.OFFICE_UNIT)

    def periodic(self, now):
        self.sweeps.run_once("notify-retry", lambda: handlers.retry_due(
            self.db, self.mailer, now, settings.TIMEZONE, settings.PUBLIC_URL,
            settings.DEFAULT_LANGUAGE))
        self.sweeps.run_once("notify-ack-waiting", lambda: handlers.acknowledge_waiting(
            self.db, self.mailer, now, settings.ACK_WAIT_SECONDS, settings.PUBLIC_URL,
            settings.DEFAULT_LANGUAGE))
