"""Which handler serves a link, decided from its address.

Addresses arrive as `amqps://host/path` (the SDKs say "amqps" even without TLS)
or bare paths. Recognised paths (case-insensitive keywords):

    $cbs                                    claims-based security node
    $management                             Event Hubs runtime information
    <entity>/$management                    Service Bus management node
    <queue> | <topic>                       Service Bus send
    <queue>[/$DeadLetterQueue]              Service Bus receive
    <topic>/Subscriptions/<sub>[/$DeadLetterQueue]
    <hub> | <hub>/Partitions/<p>            Event Hubs send
    <hub>/ConsumerGroups/<cg>/Partitions/<p>  Event Hubs receive
"""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from broker.amqp.connection import AmqpConnection, Refused


def path_of(address: str | None) -> str:
    address = address or ""
    if "://" in address:
        address = urlparse(address).path
    return unquote(address).strip("/")


def route(conn: AmqpConnection, link):
    from broker.amqp import cbs, eventhubs, management, nodes, servicebus

    address = link.remote_source.address if link.is_sender else link.remote_target.address
    path = path_of(address)
    lowered = path.lower()
    is_node = lowered == "$cbs" or lowered == "$management" or lowered.endswith("/$management")
    if is_node and link.is_sender:
        return nodes.ReplyLink(conn, link, path)
    if lowered == "$cbs":
        return cbs.CbsNode(conn, link, path)
    if lowered == "$management":
        return management.EventHubsNode(conn, link, path)
    if lowered.endswith("/$management"):
        entity = path[: -len("/$management")]
        _require_auth(conn, entity)
        return management.ServiceBusNode(conn, link, path, entity)
    if not path:
        raise Refused("amqp:invalid-field", "The link has no address.")
    _require_auth(conn, path)
    namespace = conn.server.namespace()
    if link.is_receiver:  # the client sends
        hub = eventhubs.find_hub_target(namespace, path)
        if hub is not None:
            return eventhubs.HubSender(conn, link, *hub)
        return servicebus.EntitySender(conn, link, servicebus.resolve_target(namespace, path))
    partition = eventhubs.find_partition_source(namespace, path)
    if partition is not None:
        return eventhubs.PartitionReceiver(conn, link, *partition)
    return servicebus.ChannelReceiver(conn, link, *servicebus.resolve_source(namespace, path))


def _require_auth(conn: AmqpConnection, path: str) -> None:
    if not conn.is_authorized(path):
        raise Refused(
            "amqp:unauthorized-access",
            f"Unauthorized access to '{path}': put a valid SAS token on $cbs first.",
        )
