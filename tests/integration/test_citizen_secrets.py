"""Citizens' access codes are never stored in clear: the copies kept to answer a retried
submission and to send the acknowledgement are sealed, and deleted when their use is over."""

from datetime import timedelta

import pytest

from lianxin import settings
from lianxin.access import unseal
from lianxin.clock import utcnow
from lianxin.errors import WrongState
from services.intake import handlers as intake
from tests.helpers import wait_for

from .test_flow import SUBMISSION

pytestmark = pytest.mark.integration


def _everything_stored(db):
    return "".join(str(list(db[name].find())) for name in db.list_collection_names())


def test_no_plain_code_remains_after_the_acknowledgement_and_the_retry_window(
    start_services, rpc, db, mailbox
):
    start_services("intake", "routing", "supervision", "notify")
    receipt = rpc.intake.submit(
        {**SUBMISSION, "citizen": {"email": "secret@example.com"}}, "key:sealed-1"
    )
    code, case_id = receipt["access_code"], receipt["id"]
    [ack] = wait_for(lambda: mailbox.to("secret@example.com"))
    assert code in ack["body"]  # the citizen got it ...
    wait_for(lambda: db.ack_codes.find_one({"_id": case_id}) is None)
    assert code not in _everything_stored(db)  # ... and no collection holds it in clear
    # Within the retry window the same request gets the same receipt back from its sealed copy.
    kept = db.retry_codes.find_one({"_id": "key:sealed-1"})
    assert unseal(kept["sealed"], settings.SECRET_KEY, case_id) == code
    assert unseal(kept["sealed"], settings.SECRET_KEY, "LX-20260101-000001") is None
    assert (
        rpc.intake.submit(
            {**SUBMISSION, "citizen": {"email": "secret@example.com"}}, "key:sealed-1"
        )["access_code"]
        == code
    )
    # After the window the sealed copy is deleted, and a retry is told the case exists.
    after = utcnow() + timedelta(seconds=settings.RETRY_WINDOW_SECONDS + 1)
    assert intake.forget_retry_codes(db, after) >= 1
    assert db.retry_codes.find_one({"_id": "key:sealed-1"}) is None
    assert code not in _everything_stored(db)
    with pytest.raises(WrongState) as exc:
        rpc.intake.submit(
            {**SUBMISSION, "citizen": {"email": "secret@example.com"}}, "key:sealed-1"
        )
    assert exc.value.details == {"case_id": case_id}
    assert db.cases.count_documents({"title": SUBMISSION["title"]}) == 1
