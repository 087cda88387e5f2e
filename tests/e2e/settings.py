"""Settings for the server the browser tests start: the project's settings plus
the single-page app served at every non-API URL (until `config/urls.py` mounts
`workflows.spa.spa_view` itself) and static files served from the build."""

from __future__ import annotations

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.e2e.urls"

# Serve the build straight from frontend/dist (no collectstatic step; a rebuild
# is picked up without restarting the server).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
