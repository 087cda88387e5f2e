"""Settings for the test server: the project's settings with a URL root that
mounts only what the broker tests talk to, so a half-finished view elsewhere in
the tree cannot take the broker's tests down with it."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.broker.server_urls"
