"""URLs of the `broker` app (mounted at the root by `config/urls.py`)."""

urlpatterns: list = []
