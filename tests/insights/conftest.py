"""What the insights tests share: an analyst, signed in."""

import pytest

from insights.apps import ANALYST
from tests.factories import make_staff
from tests.helpers import sign_in


@pytest.fixture
def analyst(db):
    return make_staff(ANALYST)


@pytest.fixture
def signed_in(client, analyst):
    sign_in(client, analyst)
    return client
