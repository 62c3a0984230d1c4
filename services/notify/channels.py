"""The channels a message leaves by (docs/contract.md §8): e-mail over SMTP, SMS through an HTTP
gateway, the in-app inbox, and webhooks to unit systems. Each `send` returns normally when the other
side took the message and raises when it did not: `Permanent` when trying again cannot help (no
address, a provider that refuses the request), anything else is retried with back-off."""

import hashlib
import hmac
import json
import re
import smtplib
import ssl
import time
from email.message import EmailMessage
from email.utils import formatdate

import requests

from . import inbox


class Permanent(Exception):
    """A failure that trying again will not fix."""


class Skipped(Exception):
    """The channel is not configured here (e.g. no SMS provider): logged, not retried."""


def message_id(ref):
    """The same Message-ID for every send of delivery `ref` (the receiving side may drop a
    repeat by it; a random one would make every repeat look new)."""
    local = re.sub(r"[^A-Za-z0-9.\-]", ".", ref)
    return f"<{local}@lianxin>"


class Mailer:
    def __init__(self, host, port, sender, timeout=10, security="none", user="", password=""):
        self.host, self.port, self.sender, self.timeout = host, int(port), sender, timeout
        self.security, self.user, self.password = security, user, password

    def send(self, to, parts, ref):
        msg = EmailMessage()
        msg["From"], msg["To"] = self.sender, to
        msg["Subject"] = parts.get("subject", "")
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = message_id(ref)
        msg["X-Lianxin-Delivery"] = ref
        msg.set_content(parts.get("body", ""))
        if parts.get("html"):
            msg.add_alternative(parts["html"], subtype="html")
        if self.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            try:
                smtp.send_message(msg)
            except smtplib.SMTPRecipientsRefused as exc:
                raise Permanent(f"recipient refused: {exc.recipients}") from exc


class SmsGateway:
    """An HTTP SMS gateway: POST {"to", "text", "ref"} with `Authorization: Bearer <key>`;
    any 2xx is accepted. `ref` lets the provider drop a repeat of the same message."""

    def __init__(self, url, key, timeout=10):
        self.url, self.key, self.timeout = url, key, timeout

    def send(self, to, parts, ref):
        if not self.url:
            raise Skipped("no SMS gateway is configured (LX_SMS_URL)")
        text = parts.get("sms") or parts.get("subject") or ""
        response = requests.post(
            self.url,
            json={"to": to, "text": text, "ref": ref},
            headers={"Authorization": f"Bearer {self.key}"},
            timeout=self.timeout,
        )
        if response.status_code in (400, 401, 403, 422):
            raise Permanent(f"SMS gateway refused: HTTP {response.status_code}")
        response.raise_for_status()


class Inbox:
    """The in-app inbox: a message per staff user, keyed by the delivery, so a second send of
    the same delivery is the same message."""

    def __init__(self, db):
        self.db = db

    def send(self, to, parts, ref, *, now, case_id, template):
        inbox.put(
            self.db,
            to,
            ref,
            {
                "title": parts.get("subject", ""),
                "body": parts.get("body", ""),
                "case_id": case_id,
                "template": template,
                "created_at": now,
            },
        )


def signature(secret, timestamp, body):
    """HMAC-SHA256 over "<timestamp>.<body>", hex: what `X-Lianxin-Signature` carries."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


class WebhookSender:
    """POSTs the docs/contract.md §9 envelope, signed. Headers:
    X-Lianxin-Delivery (id, the same on every retry), X-Lianxin-Event (type),
    X-Lianxin-Sequence (the event's place in the feed, to put deliveries back in order),
    X-Lianxin-Timestamp (unix seconds), X-Lianxin-Signature ("sha256=<hex>" of
    HMAC-SHA256(secret, timestamp + "." + body))."""

    def __init__(self, timeout=10):
        self.timeout = timeout

    def send(self, url, secret, event, delivery_id, sequence=None):
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        response = requests.post(
            url,
            data=body,
            timeout=self.timeout,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Lianxin-Webhooks/1",
                "X-Lianxin-Delivery": delivery_id,
                "X-Lianxin-Event": event["type"],
                "X-Lianxin-Sequence": str(sequence or ""),
                "X-Lianxin-Timestamp": timestamp,
                "X-Lianxin-Signature": f"sha256={signature(secret, timestamp, body)}",
            },
            allow_redirects=False,
        )
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"HTTP {response.status_code}")
