import pytest
import yaml

from lianxin.demo import DEMO_FILE


@pytest.fixture(scope="session")
def county():
    return yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
