from __future__ import annotations

from pathlib import Path

import pytest

from tests.proxy import har_validator


@pytest.fixture(scope="session")
def har_validate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The path of a Node script running har-validator on a file."""
    if not har_validator.HAS_NPM:
        pytest.skip("node and npm are not installed (CI installs them)")
    return har_validator.install(tmp_path_factory.mktemp("har-validator"))
