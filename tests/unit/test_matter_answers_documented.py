"""A supervised matter's staff view, list row and public board item fit the API document at
each stage (draft, published, with a report, claimed), as schemathesis checks a live answer:
the fuzzing's random ids never reach a real matter."""

from services.matters import domain, public
from tests.unit.test_matters import HOUSING, SUPERVISOR, T0, apply, draft, published
from tests.unit.test_response_schemas import conforms, document  # noqa: F401 (a fixture)

ID = "DB20260001"


def test_a_matter_at_each_stage_fits_the_document(document):  # noqa: F811
    m = draft()
    stages = [m, published()]
    report = {"text": "设计完成", "percent": 40, "evidence": ["f1"], "milestones_done": ["m1"]}
    stages.append(apply(stages[-1], domain.progress(stages[-1], HOUSING, report, T0)))
    claimable = published(lead_unit=None, co_units=[], claimable=True)
    env = {"username": "env_handler", "role": "handler", "unit": "environment_bureau"}
    stages.append(apply(claimable, domain.claim(claimable, env, T0)))
    for matter in stages:
        conforms(
            document, "GET", f"/api/v1/matters/{ID}", domain.staff_view(matter, SUPERVISOR, T0)
        )
        row = domain.list_item(matter, T0)
        listed = {"total": 1, "page": 1, "limit": 50, "items": [row]}
        conforms(document, "GET", "/api/v1/matters", listed)
    item = public.item(stages[2], {"housing_bureau": "住建局", "chengguan_town": "城关镇"}, {})
    board = {"total": 1, "page": 1, "limit": 50, "items": [item]}
    conforms(document, "GET", "/api/v1/public/projects", board)
