"""Settings for the server the browser tests start: the project's own settings,
with whitenoise serving the build straight from `frontend/dist` (no collectstatic
step, and a rebuild is picked up without restarting the server)."""

from __future__ import annotations

from config.settings import *  # noqa: F403

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
