"""DRF authentication by personal access token: `Authorization: Bearer slk_…`.

Listed first in `DEFAULT_AUTHENTICATION_CLASSES` so that anonymous callers get
`401` with `WWW-Authenticate: Bearer` (DRF takes the header from the first class).
"""

from __future__ import annotations

from rest_framework import authentication, exceptions

from accounts import tokens


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        value = value.strip()
        if not value or " " in value:
            raise exceptions.AuthenticationFailed("Malformed bearer token.")
        record = tokens.lookup(value)
        if record is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        return record.user, record

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="sluice"'


try:  # describe the scheme in the OpenAPI schema
    from drf_spectacular.extensions import OpenApiAuthenticationExtension

    class BearerTokenScheme(OpenApiAuthenticationExtension):
        target_class = "accounts.authentication.BearerTokenAuthentication"
        name = "bearerToken"

        def get_security_definition(self, auto_schema):
            return {
                "type": "http",
                "scheme": "bearer",
                "description": "A personal access token (`sluice token create NAME`).",
            }
except ImportError:  # pragma: no cover - drf-spectacular is a dependency
    pass
