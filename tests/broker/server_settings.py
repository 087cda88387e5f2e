"""Settings for the broker test server: the project's settings (and its real URL
root), with push-delivery retries scaled down so a test can watch a retry happen
(the real schedule is 10 s, 30 s, 1 min, …)."""

from config.settings import *  # noqa: F403

SLUICE_EVENTGRID_PUSH_BACKOFF_SCALE = 0.01
