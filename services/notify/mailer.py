"""The SMTP adapter: one message out through a real SMTP server."""
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


class Mailer:
    def __init__(self, host, port, sender, timeout=10):
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def send(self, to, subject, body, message_id):
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, to, subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(idstring=message_id.replace(":", "."), domain="lianxin")
        msg.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(msg)
