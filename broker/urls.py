"""URLs of the `broker` app (mounted at the root by `config/urls.py`).

Every data-plane path exists twice: at the root for the default namespace, and
under `ns/<namespace>/` for the others (the SDKs accept an endpoint with a path
prefix, e.g. `http://host:8000/ns/sales`). Management lives under `/api/v1/broker/`.
"""

from __future__ import annotations

from django.urls import include, path, re_path

from broker.views import eventgrid

NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"

data_plane = [
    re_path(rf"^topics/(?P<topic>{NAME}):publish$", eventgrid.publish),
    re_path(
        rf"^topics/(?P<topic>{NAME})/eventsubscriptions/(?P<subscription>{NAME}):receive$",
        eventgrid.receive,
    ),
    re_path(
        rf"^topics/(?P<topic>{NAME})/eventsubscriptions/(?P<subscription>{NAME})"
        r":(?P<action>acknowledge|release|reject|renewLock)$",
        eventgrid.settle,
    ),
    re_path(
        rf"^topics/(?P<topic>{NAME})/eventsubscriptions/(?P<subscription>{NAME})/deadletters$",
        eventgrid.dead_letters,
    ),
    re_path(rf"^topics/(?P<topic>{NAME})/api/events$", eventgrid.basic_publish),
    path("api/events", eventgrid.basic_publish),
]

urlpatterns = [
    path("ns/<slug:namespace>/", include(data_plane)),
    *data_plane,
]
