"""URLs of the `accounts` app (mounted at the root by `config/urls.py`)."""

urlpatterns: list = []
