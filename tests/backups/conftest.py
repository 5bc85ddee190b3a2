from __future__ import annotations

import pytest

from tests.backups.helpers import two_databases


@pytest.fixture
def databases(request, tmp_path):
    """``(source, target)``: the app's database and another installation's, on the engine the
    test is parametrized with (``indirect``)."""
    with two_databases(request.param, tmp_path) as pair:
        yield pair
