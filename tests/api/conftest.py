from tests.api.helpers import both_doors  # noqa: F401  (the fixture, for tests/api)
