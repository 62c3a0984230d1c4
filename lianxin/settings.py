"""All configuration, read once from environment variables with safe local defaults."""
import os


def _env(name, default):
    return os.environ.get(name, default)


AMQP_URI = _env("LX_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
MONGO_URI = _env("LX_MONGO_URI", "mongodb://127.0.0.1:27017/")
MONGO_DB = _env("LX_MONGO_DB", "lianxin")

# The public event stream (SPEC §9): a durable topic exchange, routing key = event type.
# nameko names an event exchange "<source>.events", so internal handlers subscribe with
# source "lianxin" and read the very same stream outside systems bind to.
EVENT_SOURCE = "lianxin"
EVENTS_EXCHANGE = f"{EVENT_SOURCE}.events"

SMTP_HOST = _env("LX_SMTP_HOST", "127.0.0.1")
SMTP_PORT = int(_env("LX_SMTP_PORT", "8025"))
SMTP_FROM = _env("LX_SMTP_FROM", "lianxin@localhost")
SMTP_TIMEOUT = float(_env("LX_SMTP_TIMEOUT", "10"))
SMTP_SECURITY = _env("LX_SMTP_SECURITY", "none")  # none | starttls | ssl
SMTP_USER = _env("LX_SMTP_USER", "")
SMTP_PASSWORD = _env("LX_SMTP_PASSWORD", "")

# SMS through an HTTP SMS gateway (SPEC §8): POST {to, text, ref} with a bearer key. Without a
# URL, SMS deliveries are logged as `skipped` (no provider configured).
SMS_URL = _env("LX_SMS_URL", "")
SMS_KEY = _env("LX_SMS_KEY", "")
SMS_TIMEOUT = float(_env("LX_SMS_TIMEOUT", "10"))

# Deliveries that fail are tried again with exponential back-off and jitter: the n-th retry
# waits base * factor**(n-1) seconds (±JITTER), up to MAX_ATTEMPTS tries in all; then the
# delivery is dead-lettered. Defaults: 8 tries over about 18 hours.
DELIVERY_MAX_ATTEMPTS = int(_env("LX_DELIVERY_MAX_ATTEMPTS", "8"))
DELIVERY_BACKOFF_BASE = float(_env("LX_DELIVERY_BACKOFF_BASE", "60"))
DELIVERY_BACKOFF_FACTOR = float(_env("LX_DELIVERY_BACKOFF_FACTOR", "3"))
DELIVERY_JITTER = float(_env("LX_DELIVERY_JITTER", "0.2"))
WEBHOOK_TIMEOUT = float(_env("LX_WEBHOOK_TIMEOUT", "10"))
# How many deliveries to one webhook may be in flight at once (a slow endpoint waits its
# turn; it never holds up the others).
WEBHOOK_CONCURRENCY = int(_env("LX_WEBHOOK_CONCURRENCY", "2"))
# How often notify looks for deliveries that are due (retries, and sends a crash left behind).
DELIVERY_POLL_SECONDS = float(_env("LX_DELIVERY_POLL_SECONDS", "1"))

# An event handler that fails is tried again after each of these delays (seconds), then its
# message is parked in `lianxin.parked` for an operator (lianxin/consuming.py). The default
# rides out a store or broker outage of about a quarter of an hour.
EVENT_RETRY_DELAYS = tuple(float(s) for s in _env("LX_EVENT_RETRY_DELAYS",
                                                   "1,5,30,120,600").split(",") if s.strip())
# How long notify's re-drive leaves an event to its handler before doing its work itself
# (a lost or parked message), and how many feed entries one pass reads.
REDRIVE_GRACE_SECONDS = float(_env("LX_REDRIVE_GRACE_SECONDS", "300"))
REDRIVE_BATCH = int(_env("LX_REDRIVE_BATCH", "500"))

RPC_TIMEOUT = float(_env("LX_RPC_TIMEOUT", "10"))
RPC_POOL_SIZE = int(_env("LX_RPC_POOL_SIZE", "8"))
REPORT_TIMEOUT = float(_env("LX_REPORT_TIMEOUT", "300"))  # statistics and reports read a period

# Sweepers: how often they run, and how long a thing may sit before it is re-driven.
SWEEP_INTERVAL = float(_env("LX_SWEEP_INTERVAL", "5"))
OUTBOX_GRACE_SECONDS = float(_env("LX_OUTBOX_GRACE_SECONDS", "5"))
ROUTING_GRACE_SECONDS = float(_env("LX_ROUTING_GRACE_SECONDS", "10"))
LEASE_SECONDS = float(_env("LX_LEASE_SECONDS", "30"))
# A case still waiting for a unit after this long gets an acknowledgement without a date.
ACK_WAIT_SECONDS = float(_env("LX_ACK_WAIT_SECONDS", "600"))

# Staff authentication. Set LX_SECRET_KEY in production: tokens signed with the default are
# worthless outside one machine.
SECRET_KEY = _env("LX_SECRET_KEY", "lianxin-local-development-secret-change-me")
TOKEN_TTL_SECONDS = int(_env("LX_TOKEN_TTL_SECONDS", "28800"))  # one working day
LOGIN_MAX_FAILURES = int(_env("LX_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCK_SECONDS = int(_env("LX_LOGIN_LOCK_SECONDS", "900"))
# The first admin, created at first start when no admin exists.
ADMIN_USERNAME = _env("LX_ADMIN_USERNAME", "admin")
ADMIN_PASSWORD = _env("LX_ADMIN_PASSWORD", "admin-change-me")

# "real" or "store" (business time = real time + an offset kept in the store; tests only).
CLOCK_SOURCE = _env("LX_CLOCK", "real")

# Supervision (SPEC §5): 一天一催 at a local time, 三天一督, yellow at 80% of the time.
REMINDER_LOCAL_TIME = _env("LX_REMINDER_LOCAL_TIME", "09:00")
NOTICE_EVERY_DAYS = int(_env("LX_NOTICE_EVERY_DAYS", "3"))
YELLOW_SHARE = float(_env("LX_YELLOW_SHARE", "0.8"))
OFFICE_UNIT = _env("LX_OFFICE_UNIT", "mass_work_office")  # 群工办: dispatch and supervision
SWEEP_BATCH = int(_env("LX_SWEEP_BATCH", "2000"))
SWEEP_WORKERS = int(_env("LX_SWEEP_WORKERS", "8"))

# Case handling rules (SPEC §3/§5) that an office may tune.
MAX_REOPENS = int(_env("LX_MAX_REOPENS", "1"))              # reopen on dissatisfaction, once
CO_UNIT_SHARE = float(_env("LX_CO_UNIT_SHARE", "0.5"))      # co-units get half the lead's time
CLAIM_WINDOW_WORKING_DAYS = int(_env("LX_CLAIM_WINDOW_WORKING_DAYS", "1"))
RETURNS_FLAG_AT = int(_env("LX_RETURNS_FLAG_AT", "3"))      # a case returned 3 times is flagged

# Duplicates, repeat petitioners and early warning (SPEC §6).
# The citizen keys are HMACs under this secret: set it in production, and never change it
# (a new secret makes every earlier case from the same citizen unrecognisable).
CITIZEN_KEY_SECRET = _env("LX_CITIZEN_KEY_SECRET", "lianxin-local-citizen-key-change-me")
DUPLICATE_THRESHOLD = float(_env("LX_DUPLICATE_THRESHOLD", "0.45"))  # bigram cosine, 0…1
DUPLICATE_WINDOW_DAYS = int(_env("LX_DUPLICATE_WINDOW_DAYS", "30"))  # closed cases still match
REPEAT_PETITIONER_CASES = int(_env("LX_REPEAT_PETITIONER_CASES", "3"))
REPEAT_PETITIONER_DAYS = int(_env("LX_REPEAT_PETITIONER_DAYS", "90"))
COLLECTIVE_ALERT_PEOPLE = int(_env("LX_COLLECTIVE_ALERT_PEOPLE", "10"))
CLUSTER_ALERT_CASES = int(_env("LX_CLUSTER_ALERT_CASES", "5"))
CLUSTER_ALERT_HOURS = float(_env("LX_CLUSTER_ALERT_HOURS", "72"))

# Unit assessment (SPEC §7): points taken from 100 per counted case; flagged below the bar.
ASSESSMENT_DEDUCTIONS = _env(
    "LX_ASSESSMENT_DEDUCTIONS",
    "overdue=2,dissatisfied=1,reply_rejected=0.5,returned=0.5,reopened=1")
ASSESSMENT_FLAG_BELOW = float(_env("LX_ASSESSMENT_FLAG_BELOW", "60"))

# Open endpoints (SPEC §11): requests per minute per client address (public board), per client
# and case (tracking lookups with ?code=), and the default per Open311 API key.
PUBLIC_RATE_PER_MINUTE = int(_env("LX_PUBLIC_RATE_PER_MINUTE", "120"))
TRACKING_RATE_PER_MINUTE = int(_env("LX_TRACKING_RATE_PER_MINUTE", "10"))
OPEN311_RATE_PER_MINUTE = int(_env("LX_OPEN311_RATE_PER_MINUTE", "30"))
OPEN311_CONTACT = _env("LX_OPEN311_CONTACT", "县群众工作办公室 12345")

DEFAULT_LANGUAGE = _env("LX_LANGUAGE", "zh-CN")
TIMEZONE = _env("LX_TIMEZONE", "Asia/Shanghai")
PUBLIC_URL = _env("LX_PUBLIC_URL", "http://127.0.0.1:8000")

# The service classes that make up the system; the runner declares every consumer queue of
# every one of them before any service starts, so no event is dropped for want of a queue.
SERVICES = {
    "intake": "services.intake.service:IntakeService",
    "routing": "services.routing.service:RoutingService",
    "supervision": "services.supervision.service:SupervisionService",
    "notify": "services.notify.service:NotifyService",
}


def nameko_config():
    return {
        "AMQP_URI": AMQP_URI,
        "MONGO_URI": MONGO_URI,
        "MONGO_DB": MONGO_DB,
        "SMTP_HOST": SMTP_HOST,
        "SMTP_PORT": SMTP_PORT,
        "max_workers": int(_env("LX_MAX_WORKERS", "10")),
        "serializer": "json",
    }
