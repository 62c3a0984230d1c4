"""Who hears of asking the public: the commenter with a contact hears the decision on their
comment (e-mail first, else SMS; an anonymous one nobody), the office hears of a held comment."""

from datetime import datetime, timezone

from lianxin.events import make_event
from services.notify import rules

from .test_messages_and_events import FakeDirectory

NOW = datetime(2026, 11, 25, 8, tzinfo=timezone.utc)


class Directory(FakeDirectory):
    comments = {
        "CM-mail": {"contact": {"name": "王五", "phone": "13900001111", "email": "w5@x"}},
        "CM-sms": {"contact": {"phone": "13900002222"}},
        "CM-anon": {"contact": None, "anonymous": True},
    }

    def comment(self, comment_id):
        return self.comments.get(comment_id)


def _decided(comment_id):
    data = {
        "consultation_id": "CN-1",
        "title": "办法",
        "comment_id": comment_id,
        "decision": "not_adopted",
        "reason": "不符",
    }
    return make_event("comment.decided", now=NOW, units=["hbj"], data=data)


def messages(event):
    return rules.messages_for(
        event, None, Directory(), tz="Asia/Shanghai", public_url="http://x", default_lang="zh-CN"
    )


def test_the_commenter_hears_the_decision_by_mail_else_by_sms():
    [mail] = messages(_decided("CM-mail"))
    assert (mail.template, mail.channel, mail.recipient, mail.recipient_kind) == (
        "comment_decided",
        "email",
        "w5@x",
        "commenter",
    )
    assert mail.values["decision"] == "未采纳" and mail.values["reason"] == "不符"
    [sms] = messages(_decided("CM-sms"))
    assert (sms.channel, sms.recipient) == ("sms", "13900002222")
    assert messages(_decided("CM-anon")) == []


def test_the_office_hears_of_a_held_comment_and_nobody_of_a_new_one():
    held = make_event(
        "comment.held", now=NOW, units=["hbj"], data={"comment_id": "CM-sms", "reports": 3}
    )
    assert [(m.template, m.recipient) for m in messages(held)] == [("comment_held", "office@x")]
    received = make_event("comment.received", now=NOW, units=["hbj"], data={"comment_id": "CM-sms"})
    assert messages(received) == []
