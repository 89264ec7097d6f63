"""docs/deploy.md names every environment variable the settings read, and .env.example
describes each: a new setting cannot ship without the operators being told."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = (ROOT / "hackney_portal" / "settings.py").read_text()
# Every way settings.py reads the environment: env.str/int/bool/path/list/db_url/email_url and
# the small readers of its own (_count, _bool, _seconds, _fraction, _client, _api_access...).
READ = re.compile(r"(?:\benv\.\w+|\b_[a-z_]+)\(\s*\"([A-Z][A-Z0-9_]{2,})\"")
EXAMPLE = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
DEPLOY = (ROOT / "docs" / "deploy.md").read_text()


def test_the_settings_read_the_environment_in_ways_this_test_knows():
    assert len(set(READ.findall(SETTINGS))) > 60


def test_every_variable_the_settings_read_is_in_env_example():
    assert sorted(set(READ.findall(SETTINGS)) - EXAMPLE) == []


def test_every_variable_in_env_example_is_named_in_the_deploy_guide():
    assert sorted(name for name in EXAMPLE if f"`{name}`" not in DEPLOY) == []
