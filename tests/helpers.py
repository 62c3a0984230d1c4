"""Small helpers shared by tests."""

import time


def wait_for(predicate, timeout=20.0, interval=0.1):
    """Poll until `predicate()` is truthy; return its value or fail with what it last was."""
    deadline, value = time.time() + timeout, None
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")


def answers(monkeypatch, module, name):
    """Wrap `module.name` so that each call records whether it answered (returned something
    other than None); returns the list of those records."""
    answered = []
    real = getattr(module, name)

    def recording(*args):
        result = real(*args)
        answered.append(result is not None)
        return result

    monkeypatch.setattr(module, name, recording)
    return answered
