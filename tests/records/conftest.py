import pytest


@pytest.fixture(autouse=True)
def _feed_storage(settings, tmp_path):
    """Feed files kept by runs go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
