from tests.voice.conftest import driver, team  # noqa: F401 - shared call fixtures
