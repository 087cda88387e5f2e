"""Every registered connector and trigger describes itself for the designer."""

from __future__ import annotations

import json

import pytest

from connectors import registry

CONNECTORS = registry.all_connectors()
TRIGGERS = registry.all_triggers()
# The broker engineer's modules are still being written; their descriptions and
# examples are theirs to add (reported). Everything else must describe itself.
BROKER_MODULES = {
    "connectors.builtin.eventgrid",
    "connectors.builtin.eventhubs",
    "connectors.builtin.servicebus",
}
DESCRIBED = [c for c in CONNECTORS + TRIGGERS if c.__module__ not in BROKER_MODULES]


def test_it_registers_the_built_ins():
    kinds = {c.kind for c in CONNECTORS}
    assert {
        "Http",
        "Template",
        "SendToBatch",
        "ServiceProvider/Sftp/listFolder",
        "ServiceProvider/Ftp/createFile",
        "ServiceProvider/AzureBlob/readBlob",
    } <= kinds
    assert {t.kind for t in TRIGGERS} >= {
        "Http",
        "HttpWebhook",
        "Recurrence",
        "Batch",
        "ServiceProvider/Sftp/whenFilesAreAddedOrModified",
        "ServiceProvider/Ftp/whenFilesAreAddedOrModified",
        "ServiceProvider/AzureBlob/whenABlobIsAddedOrModified",
    }


@pytest.mark.parametrize("cls", CONNECTORS + TRIGGERS, ids=lambda c: c.kind)
def test_it_gives_every_connector_a_json_catalog_entry(cls):
    entry = cls.catalog_entry()
    assert json.loads(json.dumps(entry))["kind"] == cls.kind
    assert entry["inputs"]["type"] == "object"


@pytest.mark.parametrize("cls", DESCRIBED, ids=lambda c: c.kind)
def test_it_has_a_schema_description_and_valid_examples(cls):
    entry = cls.catalog_entry()
    assert entry["kind"] == cls.kind and entry["title"]
    assert len(entry["description"]) > 20
    assert entry["inputs"]["type"] == "object" and entry["inputs"].get("properties")
    assert entry["examples"]
    for example in entry["examples"]:
        cls.Inputs.model_validate(example)


def test_it_finds_connectors_case_insensitively_and_maps_service_providers():
    assert registry.get("http") is registry.get("Http")
    action = {
        "type": "ServiceProvider",
        "inputs": {
            "parameters": {},
            "serviceProviderConfiguration": {
                "connectionName": "AzureBlob",
                "operationId": "readBlob",
                "serviceProviderId": "/serviceProviders/AzureBlob",
            },
        },
    }
    assert registry.kind_of(action) == "ServiceProvider/AzureBlob/readBlob"
    assert registry.get(registry.kind_of(action)).kind == "ServiceProvider/AzureBlob/readBlob"
    assert registry.inputs_of("ServiceProvider", action["inputs"]) == {"connection": "AzureBlob"}
    assert registry.get("NoSuchThing") is None
