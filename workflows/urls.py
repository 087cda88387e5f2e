"""URLs of the `workflows` app (mounted at the root by `config/urls.py`)."""

urlpatterns: list = []
