"""HTTP data planes (Event Grid, Service Bus REST, Event Hubs REST) and the
management REST API. Views only parse the request, call one service function and
render its result."""
