"""URLs of the `broker` app (mounted at the root by `config/urls.py`).

Every data-plane path exists twice: at the root for the default namespace, and
under `ns/<namespace>/` for the others (the SDKs accept an endpoint with a path
prefix, e.g. `http://host:8000/ns/sales`). Management lives under `/api/v1/broker/`.
"""

from __future__ import annotations

from django.urls import include, path, re_path

from broker.views import eventgrid, eventhubs, servicebus
from broker.views import management as m

NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"
# a queue, or topic/subscriptions/sub, optionally its dead-letter sub-queue (matched
# case-insensitively with character classes: Django's reverse() rejects `(?i:…)`)
ENTITY = (
    rf"(?P<entity>{NAME})(?:/(?:[Ss][Uu][Bb][Ss][Cc][Rr][Ii][Pp][Tt][Ii][Oo][Nn][Ss])/(?P<subscription>{NAME}))?"
    r"(?P<dlq>/\$(?:[Dd][Ee][Aa][Dd][Ll][Ee][Tt][Tt][Ee][Rr][Qq][Uu][Ee][Uu][Ee]))?"
)
SUB = rf"(?P<entity>{NAME})(?:/(?:[Ss][Uu][Bb][Ss][Cc][Rr][Ii][Pp][Tt][Ii][Oo][Nn][Ss])/(?P<subscription>{NAME}))?"
PART = rf"(?P<entity>{NAME})/consumergroups/(?P<group>[^/]+)/partitions/(?P<partition>\d+)"

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
    # Service Bus (and Event Hubs send)
    re_path(rf"^(?P<entity>{NAME})/messages$", servicebus.send),
    re_path(
        rf"^(?P<entity>{NAME})/partitions/(?P<partition>\d+)/messages$", servicebus.send_partition
    ),
    re_path(rf"^{ENTITY}/messages/head$", servicebus.head),
    re_path(rf"^{ENTITY}/messages/deferred$", servicebus.deferred),
    re_path(rf"^{ENTITY}/messages/peek$", servicebus.peek),
    re_path(rf"^{ENTITY}/messages/cancelscheduled$", servicebus.cancel_scheduled),
    re_path(
        rf"^{ENTITY}/messages/(?P<message>[^/]+)/(?P<token>[^/]+)(?:/(?P<action>deadletter|defer))?$",
        servicebus.settle,
    ),
    re_path(rf"^{SUB}/sessions/(?P<session>[^/]+)/state$", servicebus.session_state),
    re_path(rf"^{SUB}/sessions/(?P<session>[^/]+)/renewlock$", servicebus.session_renew),
    # Event Hubs read API
    re_path(rf"^(?P<entity>{NAME})/partitions$", eventhubs.partitions),
    re_path(rf"^{PART}/messages$", eventhubs.read),
    re_path(rf"^{PART}/checkpoint$", eventhubs.checkpoint),
]

management = [
    path("", m.Overview.as_view()),
    path("keys", m.Keys.as_view()),
    path("eventgrid/topics", m.EgTopics.as_view()),
    path("eventgrid/topics/<str:topic>", m.EgTopic.as_view()),
    path("eventgrid/topics/<str:topic>/subscriptions", m.EgSubscriptions.as_view()),
    path("eventgrid/topics/<str:topic>/subscriptions/<str:sub>", m.EgSubscription.as_view()),
    path(
        "eventgrid/topics/<str:topic>/subscriptions/<str:sub>/deadletters",
        m.EgDeadLetters.as_view(),
    ),
    path("queues", m.Queues.as_view()),
    path("queues/<str:queue>", m.Queue.as_view()),
    path("queues/<str:queue>/deadletters", m.QueueDeadLetters.as_view()),
    path("topics", m.SbTopics.as_view()),
    path("topics/<str:topic>", m.SbTopic.as_view()),
    path("topics/<str:topic>/subscriptions", m.SbSubscriptions.as_view()),
    path("topics/<str:topic>/subscriptions/<str:sub>", m.SbSubscription.as_view()),
    path(
        "topics/<str:topic>/subscriptions/<str:sub>/deadletters",
        m.SbSubscriptionDeadLetters.as_view(),
    ),
    path("topics/<str:topic>/subscriptions/<str:sub>/rules", m.Rules.as_view()),
    path("topics/<str:topic>/subscriptions/<str:sub>/rules/<str:rule>", m.Rule.as_view()),
    path("hubs", m.Hubs.as_view()),
    path("hubs/<str:hub>", m.Hub.as_view()),
    path("hubs/<str:hub>/consumergroups", m.ConsumerGroups.as_view()),
    path("hubs/<str:hub>/consumergroups/<str:group>", m.ConsumerGroup.as_view()),
]

urlpatterns = [
    path("api/v1/broker/", include(management)),
    path("ns/<slug:namespace>/", include(data_plane)),
    *data_plane,
]
