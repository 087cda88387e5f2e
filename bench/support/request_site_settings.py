"""Settings for bench/request.py: Sluice's own, plus a bare view to compare with."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "request_site"
