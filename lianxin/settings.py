"""All configuration, read once from environment variables with safe local defaults."""

import os


def _env(name, default):
    return os.environ.get(name, default)


AMQP_URI = _env("LX_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
MONGO_URI = _env("LX_MONGO_URI", "mongodb://127.0.0.1:27017/")
MONGO_DB = _env("LX_MONGO_DB", "lianxin")

# The public event stream (docs/contract.md §9): a durable topic exchange, routing key = event type.
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

# SMS through an HTTP SMS gateway (docs/contract.md §8): POST {to, text, ref} with a bearer key.
# Without a URL, SMS deliveries are logged as `skipped` (no provider configured).
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
# Events the feed's consumer takes from the broker before it records them (together, in
# order): 1 records one at a time (docs/decisions/0036).
JOURNAL_BATCH = max(1, int(_env("LX_JOURNAL_BATCH", "50")))
# How often notify looks for deliveries that are due (retries, and sends a crash left behind).
# A first send does not wait for it; a retry waits a minute or more anyway.
DELIVERY_POLL_SECONDS = float(_env("LX_DELIVERY_POLL_SECONDS", "5"))
# How long a sender holds a delivery it has claimed before another replica may take it over
# (a sender that died mid-send is retried after this). Keep it well above the channels'
# timeouts: a claim that runs out while the send is still going on can send twice.
DELIVERY_CLAIM_SECONDS = float(_env("LX_DELIVERY_CLAIM_SECONDS", "120"))

# An event handler that fails is tried again after each of these delays (seconds), then its
# message is parked in `lianxin.parked` for an operator (lianxin/consuming.py). The default
# rides out a store or broker outage of about a quarter of an hour.
EVENT_RETRY_DELAYS = tuple(
    float(s) for s in _env("LX_EVENT_RETRY_DELAYS", "1,5,30,120,600").split(",") if s.strip()
)
# How long notify's re-drive leaves an event to its handler before doing its work itself
# (a lost or parked message), and how many feed entries one pass reads.
REDRIVE_GRACE_SECONDS = float(_env("LX_REDRIVE_GRACE_SECONDS", "300"))
REDRIVE_BATCH = int(_env("LX_REDRIVE_BATCH", "500"))

# The shortest time between two checks of the store by its client's background threads
# (lianxin/store.py); they wake this often when idle.
STORE_CHECK_SECONDS = float(_env("LX_STORE_CHECK_SECONDS", "2"))

# How long an idle consumer sleeps before it looks again whether its service is stopping
# (a message wakes it at once; lianxin/consuming.py harden_nameko).
CONSUMER_WAKE_SECONDS = float(_env("LX_CONSUMER_WAKE_SECONDS", "5"))

RPC_TIMEOUT = float(_env("LX_RPC_TIMEOUT", "10"))
RPC_POOL_SIZE = int(_env("LX_RPC_POOL_SIZE", "8"))
REPORT_TIMEOUT = float(_env("LX_REPORT_TIMEOUT", "300"))  # statistics and reports read a period

# Sweepers: how often they run, and how long a thing may sit before it is re-driven. Each
# sweep of the eleven services costs the store a few reads (docs/decisions/0035); a clock
# due, a stranded event or a statistic waits at most one interval more.
SWEEP_INTERVAL = float(_env("LX_SWEEP_INTERVAL", "15"))
OUTBOX_GRACE_SECONDS = float(_env("LX_OUTBOX_GRACE_SECONDS", "5"))
ROUTING_GRACE_SECONDS = float(_env("LX_ROUTING_GRACE_SECONDS", "10"))
LEASE_SECONDS = float(_env("LX_LEASE_SECONDS", "30"))
# A case still waiting for a unit after this long gets an acknowledgement without a date.
ACK_WAIT_SECONDS = float(_env("LX_ACK_WAIT_SECONDS", "600"))

# Local demo mode: `./lx run` and the tests set LX_DEMO=1. Only then may the demo county be
# loaded and may the first admin's password be left unset (the demo brings its own accounts).
DEMO = _env("LX_DEMO", "") == "1"

# Staff authentication. No default: a secret written here would be known to everyone who has
# read the code (docs/security.md). `./lx run` generates one per machine into var/.
SECRET_KEY = _env("LX_SECRET_KEY", "")
TOKEN_TTL_SECONDS = int(_env("LX_TOKEN_TTL_SECONDS", "28800"))  # one working day
# How long the gateway may trust what it last read about an account (active, role, token
# version) before it asks again: a deactivation or sign-out elsewhere bites within this.
TOKEN_CHECK_CACHE_SECONDS = float(_env("LX_TOKEN_CHECK_CACHE_SECONDS", "3"))
LOGIN_MAX_FAILURES = int(_env("LX_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCK_SECONDS = int(_env("LX_LOGIN_LOCK_SECONDS", "900"))
# The first admin, created at first start when no admin exists; must change the password at
# first sign-in.
ADMIN_USERNAME = _env("LX_ADMIN_USERNAME", "admin")
ADMIN_PASSWORD = _env("LX_ADMIN_PASSWORD", "")
MIN_SECRET_LENGTH = 32
MIN_PASSWORD_LENGTH = 12
# Values that have been printed in this project's code or docs at some time: never accepted.
KNOWN_SECRETS = frozenset(
    {
        "lianxin-local-development-secret-change-me",
        "lianxin-local-citizen-key-change-me",
        "admin-change-me",
        "demo-pass-1",
        "change-me",
        "changeme",
        "secret",
        "password",
    }
)

# Cross-origin callers allowed to use the API from a browser (comma-separated origins); the
# gateway's own origin (LX_PUBLIC_URL) is always allowed.
CORS_ORIGINS = [o.strip().rstrip("/") for o in _env("LX_CORS_ORIGINS", "").split(",") if o.strip()]
# Request bodies larger than this are refused with 413 before they are read.
MAX_BODY_BYTES = int(_env("LX_MAX_BODY_BYTES", str(1024 * 1024)))
MAX_JSON_DEPTH = int(_env("LX_MAX_JSON_DEPTH", "20"))
# How long a retried submission can still get its receipt back (with the access code): the
# sealed copy of the code is deleted after this.
RETRY_WINDOW_SECONDS = float(_env("LX_RETRY_WINDOW_SECONDS", "86400"))

# "real" or "store" (business time = real time + an offset kept in the store; tests only).
CLOCK_SOURCE = _env("LX_CLOCK", "real")

# Supervision (docs/contract.md §5): 一天一催 at a local time, 三天一督, yellow at 80% of the time.
REMINDER_LOCAL_TIME = _env("LX_REMINDER_LOCAL_TIME", "09:00")
NOTICE_EVERY_DAYS = int(_env("LX_NOTICE_EVERY_DAYS", "3"))
YELLOW_SHARE = float(_env("LX_YELLOW_SHARE", "0.8"))
OFFICE_UNIT = _env("LX_OFFICE_UNIT", "mass_work_office")  # 群工办: dispatch and supervision
SWEEP_BATCH = int(_env("LX_SWEEP_BATCH", "2000"))
# Clocks claimed, read and written together per round trip (decision 0031); a chunk must be
# handled well within LEASE_SECONDS.
SWEEP_CHUNK = int(_env("LX_SWEEP_CHUNK", "250"))
SWEEP_WORKERS = int(_env("LX_SWEEP_WORKERS", "2"))  # chunks handled at once per replica
# Supervised matters (docs/contract.md §14): the reminder this many days before a milestone's
# date (the yellow share and the sweep settings are the cases' own).
MATTER_REMIND_DAYS = int(_env("LX_MATTER_REMIND_DAYS", "3"))

# Case handling rules (docs/contract.md §3/§5) that an office may tune.
MAX_REOPENS = int(_env("LX_MAX_REOPENS", "1"))  # reopen on dissatisfaction, once
CO_UNIT_SHARE = float(_env("LX_CO_UNIT_SHARE", "0.5"))  # co-units get half the lead's time
CLAIM_WINDOW_WORKING_DAYS = int(_env("LX_CLAIM_WINDOW_WORKING_DAYS", "1"))
RETURNS_FLAG_AT = int(_env("LX_RETURNS_FLAG_AT", "3"))  # a case returned 3 times is flagged

# Duplicates, repeat petitioners and early warning (docs/contract.md §6).
# The citizen keys are HMACs under this secret: set it in production, and never change it
# (a new secret makes every earlier case from the same citizen unrecognisable).
CITIZEN_KEY_SECRET = _env("LX_CITIZEN_KEY_SECRET", "")
DUPLICATE_THRESHOLD = float(_env("LX_DUPLICATE_THRESHOLD", "0.45"))  # bigram cosine, 0…1
DUPLICATE_WINDOW_DAYS = int(_env("LX_DUPLICATE_WINDOW_DAYS", "30"))  # closed cases still match
REPEAT_PETITIONER_CASES = int(_env("LX_REPEAT_PETITIONER_CASES", "3"))
REPEAT_PETITIONER_DAYS = int(_env("LX_REPEAT_PETITIONER_DAYS", "90"))
COLLECTIVE_ALERT_PEOPLE = int(_env("LX_COLLECTIVE_ALERT_PEOPLE", "10"))
CLUSTER_ALERT_CASES = int(_env("LX_CLUSTER_ALERT_CASES", "5"))
CLUSTER_ALERT_HOURS = float(_env("LX_CLUSTER_ALERT_HOURS", "72"))

# Unit assessment (docs/contract.md §7): points taken from 100 per counted case; flagged below the
# bar.
ASSESSMENT_DEDUCTIONS = _env(
    "LX_ASSESSMENT_DEDUCTIONS",
    "overdue=2,dissatisfied=1,reply_rejected=0.5,returned=0.5,reopened=1",
)
ASSESSMENT_FLAG_BELOW = float(_env("LX_ASSESSMENT_FLAG_BELOW", "60"))

# Open endpoints (docs/contract.md §11): requests per minute per client address (public board), per
# client and case (tracking lookups with ?code=), and the default per Open311 API key.
PUBLIC_RATE_PER_MINUTE = int(_env("LX_PUBLIC_RATE_PER_MINUTE", "120"))
TRACKING_RATE_PER_MINUTE = int(_env("LX_TRACKING_RATE_PER_MINUTE", "10"))
OPEN311_RATE_PER_MINUTE = int(_env("LX_OPEN311_RATE_PER_MINUTE", "30"))
# Sign-in attempts and citizens' ratings per client address and minute (besides the lock of
# an account after LX_LOGIN_MAX_FAILURES wrong passwords).
SIGN_IN_RATE_PER_MINUTE = int(_env("LX_SIGN_IN_RATE_PER_MINUTE", "30"))
FEEDBACK_RATE_PER_MINUTE = int(_env("LX_FEEDBACK_RATE_PER_MINUTE", "10"))
# Bookings of reception-day places per client address and minute (docs/contract.md §13).
BOOKING_RATE_PER_MINUTE = int(_env("LX_BOOKING_RATE_PER_MINUTE", "10"))
# Asking the public (docs/contract.md §15): comments per minute from one contact (or, for an
# anonymous comment, one client address); reports that hold a shown comment until a moderator
# decides; survey answers per minute per client address.
CONSULT_COMMENT_RATE_PER_MINUTE = int(_env("LX_CONSULT_COMMENT_RATE_PER_MINUTE", "5"))
CONSULT_REPORTS_TO_HOLD = int(_env("LX_CONSULT_REPORTS_TO_HOLD", "3"))
SURVEY_ANSWER_RATE_PER_MINUTE = int(_env("LX_SURVEY_ANSWER_RATE_PER_MINUTE", "30"))
# How many proxies of ours stand in front of the gateway (a load balancer: 1). Only their
# X-Forwarded-For entries are believed when counting a client's requests.
PROXY_HOPS = int(_env("LX_PROXY_HOPS", "0"))
OPEN311_CONTACT = _env("LX_OPEN311_CONTACT", "县群众工作办公室 12345")

# Attachments (docs/contract.md §17, docs/decisions/0023): photos and documents with a case.
# A phone photo is 2–6 MB; a scanned letter as a PDF rarely more than 10 MB.
ATTACHMENT_MAX_BYTES = int(_env("LX_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
ATTACHMENT_MAX_PER_CASE = int(_env("LX_ATTACHMENT_MAX_PER_CASE", "20"))
# An image larger than this many pixels is refused before it is decoded (a decompression bomb).
ATTACHMENT_MAX_PIXELS = int(_env("LX_ATTACHMENT_MAX_PIXELS", str(50_000_000)))
ATTACHMENT_THUMBNAIL_PX = int(_env("LX_ATTACHMENT_THUMBNAIL_PX", "320"))
ATTACHMENT_CHUNK_BYTES = int(_env("LX_ATTACHMENT_CHUNK_BYTES", str(255 * 1024)))
# An upload not committed after this long is an orphan: its chunks are swept away.
ATTACHMENT_ORPHAN_SECONDS = float(_env("LX_ATTACHMENT_ORPHAN_SECONDS", "600"))
# Citizens' reads and uploads with ?code= per client and case (thumbnails of a case's photos).
ATTACHMENT_RATE_PER_MINUTE = int(_env("LX_ATTACHMENT_RATE_PER_MINUTE", "60"))
# How long the gateway waits for the files service: a 12-megapixel photo takes 1–3 s to check,
# clean and thumbnail on a busy 2-core machine, and its bytes cross the bus.
ATTACHMENT_RPC_TIMEOUT = float(_env("LX_ATTACHMENT_RPC_TIMEOUT", "60"))

# The built web console (`npm run build` in web/), served by the gateway at /.
WEB_DIST = _env(
    "LX_WEB_DIST",
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "web", "dist"),
)

DEFAULT_LANGUAGE = _env("LX_LANGUAGE", "zh-CN")
TIMEZONE = _env("LX_TIMEZONE", "Asia/Shanghai")
# The CJK font the gateway embeds in bulletin and digest PDFs (Debian's fonts-wqy-microhei).
PDF_FONT = _env("LX_PDF_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
PUBLIC_URL = _env("LX_PUBLIC_URL", "http://127.0.0.1:8000")

# The service classes that make up the system; the runner declares every consumer queue of
# every one of them before any service starts, so no event is dropped for want of a queue.
SERVICES = {
    "intake": "services.intake.service:IntakeService",
    "routing": "services.routing.service:RoutingService",
    "handling": "services.handling.service:HandlingService",
    "supervision": "services.supervision.service:SupervisionService",
    "notify": "services.notify.service:NotifyService",
    "accounts": "services.accounts.service:AccountsService",
    "reading": "services.reading.service:ReadingService",
    "reception": "services.reception.service:ReceptionService",
    "files": "services.files.service:FilesService",
    "consult": "services.consult.service:ConsultService",
    "matters": "services.matters.service:MattersService",
}


def secret_problems():
    """What is wrong with the secrets for this mode, one line each (empty: fine)."""

    def weak(name, value, minimum, what):
        if not value:
            return f"{name} is not set: {what}"
        if value in KNOWN_SECRETS:
            return f"{name} is a value published with Lianxin; choose a new one: {what}"
        if len(value) < minimum:
            return f"{name} is too short ({len(value)} characters, at least {minimum}): {what}"
        return None

    key_hint = f"a random string of at least {MIN_SECRET_LENGTH} characters (openssl rand -hex 32)"
    problems = [
        weak("LX_SECRET_KEY", SECRET_KEY, MIN_SECRET_LENGTH, key_hint),
        weak("LX_CITIZEN_KEY_SECRET", CITIZEN_KEY_SECRET, MIN_SECRET_LENGTH, key_hint),
    ]
    if not DEMO or ADMIN_PASSWORD:
        problems.append(
            weak(
                "LX_ADMIN_PASSWORD",
                ADMIN_PASSWORD,
                MIN_PASSWORD_LENGTH,
                f"the first admin's password, at least {MIN_PASSWORD_LENGTH} "
                "characters (changed at first sign-in)",
            )
        )
    return [p for p in problems if p]


def timing_problems():
    """Settings that cannot work together, one line each (empty: fine)."""
    slowest = max(SMTP_TIMEOUT, SMS_TIMEOUT, WEBHOOK_TIMEOUT)
    if DELIVERY_CLAIM_SECONDS <= slowest:
        return [
            f"LX_DELIVERY_CLAIM_SECONDS ({DELIVERY_CLAIM_SECONDS:g}) must be longer than the "
            f"slowest channel's timeout ({slowest:g} s): a claim that runs out while a message "
            "is being sent lets another replica send it again"
        ]
    return []


def require_secrets(component):
    """Refuse to start with a secret that is missing, published or short, or with settings
    that cannot work together: one clear line."""
    problems = secret_problems() + timing_problems()
    if problems:
        raise SystemExit(f"lianxin {component}: refusing to start: {problems[0]}")


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
