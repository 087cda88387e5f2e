"""OpenAPI descriptions and examples for the accounts API (drf-spectacular)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)

from accounts.serializers import (
    AppSettingSerializer,
    AuditEntrySerializer,
    ConnectionSerializer,
    ConnectionWriteSerializer,
    TokenCreatedSerializer,
    TokenCreateSerializer,
    TokenSerializer,
    UserSerializer,
    UserWriteSerializer,
)

USERNAME = OpenApiParameter(
    "username",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    examples=[OpenApiExample("ada", value="ada")],
)
CONNECTION = OpenApiParameter(
    "name",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Connection name.",
    examples=[OpenApiExample("sftp-main", value="sftp-main")],
)
SETTING = OpenApiParameter(
    "name",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="App setting name.",
    examples=[OpenApiExample("API_KEY", value="API_KEY")],
)
ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, examples=[OpenApiExample("1", value=1)]
)
USER_EXAMPLE = {
    "id": 2,
    "username": "ada",
    "email": "ada@example.test",
    "is_active": True,
    "role": "editor",
    "date_joined": "2026-11-28T19:00:00Z",
    "last_login": None,
}
TOKEN_EXAMPLE = {
    "id": 1,
    "name": "ci",
    "prefix": "slk_Ab3dE9",
    "user": "ada",
    "created_at": "2026-11-28T19:00:00Z",
    "expires_at": "2027-02-26T19:00:00Z",
    "revoked_at": None,
    "last_used_at": None,
    "active": True,
}
CONNECTION_EXAMPLE = {
    "name": "sftp-main",
    "type": "sftp",
    "display_name": "Main SFTP",
    "parameters": {"host": "127.0.0.1", "port": 2222, "username": "u", "password": "********"},
    "created_at": "2026-11-28T19:00:00Z",
    "updated_at": "2026-11-28T19:00:00Z",
}


def page(item: dict) -> dict:
    return {"count": 1, "next": None, "previous": None, "results": [item]}


me_view = extend_schema_view(
    get=extend_schema(
        summary="Who am I",
        description="The authenticated user and their role.",
        responses=UserSerializer,
        examples=[OpenApiExample("Me", response_only=True, value=USER_EXAMPLE)],
    )
)

user_viewset = extend_schema_view(
    list=extend_schema(
        summary="List users",
        description="Admin role.",
        examples=[OpenApiExample("Users", response_only=True, value=page(USER_EXAMPLE))],
    ),
    retrieve=extend_schema(summary="Get a user", description="Admin role.", parameters=[USERNAME]),
    create=extend_schema(
        summary="Create a user",
        description="Admin role. `role` is viewer, editor or admin (default viewer).",
        request=UserWriteSerializer,
        responses={201: UserSerializer},
        examples=[
            OpenApiExample(
                "Editor",
                request_only=True,
                value={"username": "ada", "password": "correct horse", "role": "editor"},
            )
        ],
    ),
    update=extend_schema(
        summary="Change a user",
        description="Admin role: role, email, password, active.",
        request=UserWriteSerializer,
        parameters=[USERNAME],
    ),
    partial_update=extend_schema(
        summary="Change a user",
        description="Admin role: role, email, password, active.",
        request=UserWriteSerializer,
        parameters=[USERNAME],
        examples=[OpenApiExample("Promote", request_only=True, value={"role": "admin"})],
    ),
    destroy=extend_schema(
        summary="Delete a user", description="Admin role; not yourself.", parameters=[USERNAME]
    ),
)

token_viewset = extend_schema_view(
    list=extend_schema(
        summary="List tokens",
        description="Your tokens; admins see everyone's (filter with `user`). Never the token itself.",
        parameters=[
            OpenApiParameter("user", OpenApiTypes.STR, description="Admins: this user's tokens.")
        ],
        examples=[OpenApiExample("Tokens", response_only=True, value=page(TOKEN_EXAMPLE))],
    ),
    retrieve=extend_schema(
        summary="Get a token's record", description="Never the token itself.", parameters=[ID]
    ),
    create=extend_schema(
        summary="Create a token",
        description="Returns the token once, in `token`. Use it as `Authorization: Bearer <token>`.",
        request=TokenCreateSerializer,
        responses={201: TokenCreatedSerializer},
        examples=[
            OpenApiExample(
                "CI token", request_only=True, value={"name": "ci", "expires_in_days": 30}
            )
        ],
    ),
    destroy=extend_schema(
        summary="Revoke a token", description="The token stops working at once.", parameters=[ID]
    ),
)

connection_viewset = extend_schema_view(
    list=extend_schema(
        summary="List connections",
        description="Admin role. Secret parameters are masked.",
        examples=[
            OpenApiExample("Connections", response_only=True, value=page(CONNECTION_EXAMPLE))
        ],
    ),
    retrieve=extend_schema(
        summary="Get a connection",
        description="Admin role. Secret parameters are masked.",
        parameters=[CONNECTION],
    ),
    create=extend_schema(
        summary="Create a connection",
        description="Admin role. Parameters are encrypted at rest; refer to them as `@parameters('$connections')['<name>']['<param>']`.",
        request=ConnectionWriteSerializer,
        responses={201: ConnectionSerializer},
        examples=[
            OpenApiExample(
                "SFTP",
                request_only=True,
                value={
                    "name": "sftp-main",
                    "type": "sftp",
                    "parameters": {
                        "host": "127.0.0.1",
                        "port": 2222,
                        "username": "u",
                        "password": "s3cret",
                    },
                },
            )
        ],
    ),
    update=extend_schema(
        summary="Change a connection",
        description="Admin role. A masked value keeps the stored one.",
        request=ConnectionWriteSerializer,
        parameters=[CONNECTION],
    ),
    partial_update=extend_schema(
        summary="Change a connection",
        description="Admin role. A masked value keeps the stored one.",
        request=ConnectionWriteSerializer,
        parameters=[CONNECTION],
    ),
    destroy=extend_schema(
        summary="Delete a connection", description="Admin role.", parameters=[CONNECTION]
    ),
)

appsetting_viewset = extend_schema_view(
    list=extend_schema(
        summary="List app settings",
        description="Admin role. Values are never returned.",
        examples=[
            OpenApiExample(
                "Settings",
                response_only=True,
                value=page(
                    {
                        "name": "API_KEY",
                        "masked_value": "********",
                        "updated_at": "2026-11-28T19:00:00Z",
                    }
                ),
            )
        ],
    ),
    retrieve=extend_schema(
        summary="Get an app setting",
        description="Admin role. The value is never returned.",
        parameters=[SETTING],
    ),
    create=extend_schema(
        summary="Set an app setting",
        description="Admin role. Creates or replaces; read in definitions with `@appsetting('NAME')`.",
        request=AppSettingSerializer,
        responses={200: AppSettingSerializer, 201: AppSettingSerializer},
        examples=[
            OpenApiExample(
                "Connection string",
                request_only=True,
                value={
                    "name": "SB_CONNECTION",
                    "value": "Endpoint=sb://127.0.0.1/;SharedAccessKey=…",
                },
            )
        ],
    ),
    destroy=extend_schema(
        summary="Delete an app setting", description="Admin role.", parameters=[SETTING]
    ),
)

audit_viewset = extend_schema_view(
    list=extend_schema(
        summary="Audit log",
        description="Who created, changed, enabled, ran, cancelled or resubmitted what. Admin role.",
        parameters=[
            OpenApiParameter("actor", OpenApiTypes.STR),
            OpenApiParameter(
                "action", OpenApiTypes.STR, examples=[OpenApiExample("ran", value="ran")]
            ),
            OpenApiParameter("target_type", OpenApiTypes.STR),
            OpenApiParameter("target", OpenApiTypes.STR),
        ],
        responses=AuditEntrySerializer(many=True),
    ),
    retrieve=extend_schema(summary="Audit entry", description="Admin role.", parameters=[ID]),
)

__all__ = ["AppSettingSerializer", "TokenSerializer"]
