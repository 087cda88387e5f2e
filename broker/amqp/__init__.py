"""AMQP 1.0 listener for the embedded broker, so the real `azure-servicebus` and
`azure-eventhub` SDKs (connection string with `UseDevelopmentEmulator=true`) talk
to Sluice unchanged. Start it with `sluice amqp`; see README.md.

Importing this package has no side effects: `sluice up` imports it only to learn
that the listener exists. The engine (python-qpid-proton) is imported lazily by
the submodules."""
