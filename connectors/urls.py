"""URLs of the `connectors` app (mounted at the root by `config/urls.py`)."""

urlpatterns: list = []
