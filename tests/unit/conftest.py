"""Fixtures shared by the harness tests."""

from __future__ import annotations

import pytest

from conformance import adapters


@pytest.fixture(scope="module")
def torch_ad():
    """torch's default adapter; the test skips with the reason and install command when missing."""
    a = adapters.get("torch")
    ok = a.available()
    if not ok:
        pytest.skip(str(ok))
    return a
