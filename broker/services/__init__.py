"""The broker's service layer: plain functions over the models, shared by the HTTP
data plane, the management API, the CLI, the workflow connectors and (later) an
AMQP listener. Views stay thin: parse, call one function here, render."""
