"""The embedded broker: Event Grid namespaces, Event Hubs and Service Bus."""
