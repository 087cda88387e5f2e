"""What the production topology relies on from other packages, pinned where it
broke. Event-triggered workflows (Event Grid `receiveEvents`, Service Bus
`peekLockQueueMessagesV2`) are part of the load mix of `bench/load.py`; they must
pass save-time validation, or `sluice apply` refuses them."""

from __future__ import annotations

import pytest

from workflows.validation import validate_document


def service_provider_trigger(provider: str, operation: str, **parameters) -> dict:
    return {
        "type": "ServiceProvider",
        "inputs": {
            "parameters": parameters,
            "serviceProviderConfiguration": {
                "connectionName": provider,
                "operationId": operation,
                "serviceProviderId": f"/serviceProviders/{provider}",
            },
        },
    }


@pytest.mark.parametrize(
    ("provider", "operation", "parameters"),
    [
        ("eventGrid", "receiveEvents", {"topicName": "orders"}),
        ("serviceBus", "peekLockQueueMessagesV2", {"queueName": "orders"}),
    ],
)
def test_it_accepts_broker_triggers_at_save_time(provider, operation, parameters) -> None:
    trigger = service_provider_trigger(provider, operation, **parameters)
    document = {"definition": {"triggers": {"When": trigger}, "actions": {}}, "kind": "Stateful"}
    assert validate_document(document) == []
