"""Settings for the test server: the project's settings with a URL root that
mounts only what the broker tests talk to, so a half-finished view elsewhere in
the tree cannot take the broker's tests down with it."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.broker.server_urls"

# Push retries: the real schedule (10 s, 30 s, 1 min, …) scaled down so a test can
# watch a retry happen.
SLUICE_EVENTGRID_PUSH_BACKOFF_SCALE = 0.01
