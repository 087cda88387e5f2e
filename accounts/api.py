"""The accounts API: `/api/v1/me`, `users`, `tokens`, `connections`,
`appsettings`, `audit`. Roles: everyone manages their own tokens; admins manage
users, other people's tokens, connections, app settings, and read the audit log."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import audit, tokens
from accounts import schema_docs as docs
from accounts.connections import set_appsetting_value, set_parameters
from accounts.models import AccessToken, AppSetting, AuditEntry, Connection, Role
from accounts.roles import create_user, has_role, set_role
from accounts.serializers import (
    AppSettingSerializer,
    AuditEntrySerializer,
    ConnectionSerializer,
    ConnectionWriteSerializer,
    TokenCreateSerializer,
    TokenSerializer,
    UserSerializer,
    UserWriteSerializer,
)
from workflows.api.errors import ApiError

User = get_user_model()
ADMIN_ONLY = {"read": Role.ADMIN, "write": Role.ADMIN}


def _valid(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@docs.me_view
class MeView(APIView):
    """The caller: user name and role."""

    def get(self, request):
        return Response(UserSerializer(request.user).data)


@docs.user_viewset
class UserViewSet(viewsets.ModelViewSet):
    """Users and their roles (admin)."""

    required_roles = ADMIN_ONLY
    serializer_class = UserSerializer
    queryset = User.objects.order_by("username")
    lookup_field = "username"
    lookup_value_regex = r"[\w.@+-]+"

    def create(self, request):
        data = _valid(UserWriteSerializer, request.data)
        if not data.get("username"):
            raise ApiError(
                "ValidationFailed",
                "A username is required.",
                400,
                [{"pointer": "/username", "message": "This field is required."}],
            )
        if User.objects.filter(username=data["username"]).exists():
            raise ApiError("UserExists", f"User '{data['username']}' exists.", 409)
        with transaction.atomic():
            user = create_user(data["username"], data.get("email", ""), data.get("password"))
            set_role(user, data.get("role", Role.VIEWER))
            audit.record(
                request.user, "created", "user", user.username, role=data.get("role", Role.VIEWER)
            )
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    def update(self, request, username=None, partial=True):
        user = self.get_object()
        data = _valid(UserWriteSerializer, request.data)
        with transaction.atomic():
            self._apply(user, data)
            audit.record(
                request.user,
                "changed",
                "user",
                user.username,
                fields=sorted(k for k in data if k != "password")
                + (["password"] if "password" in data else []),
            )
        return Response(UserSerializer(user).data)

    def partial_update(self, request, username=None):
        return self.update(request, username)

    def _apply(self, user, data: dict) -> None:
        if "email" in data:
            user.email = data["email"]
        if "is_active" in data:
            user.is_active = data["is_active"]
        if "password" in data:
            user.set_password(data["password"])
        user.save()
        if "role" in data:
            set_role(user, data["role"])

    def perform_destroy(self, instance):
        if instance == self.request.user:
            raise ApiError("CannotDeleteSelf", "You cannot delete yourself.", 409)
        with transaction.atomic():
            audit.record(self.request.user, "deleted", "user", instance.username)
            instance.delete()


@docs.token_viewset
class TokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Personal access tokens. `DELETE` revokes."""

    required_roles = {"read": Role.VIEWER, "write": Role.VIEWER}
    serializer_class = TokenSerializer

    def get_queryset(self):
        queryset = AccessToken.objects.select_related("user")
        if has_role(self.request.user, Role.ADMIN):
            username = self.request.query_params.get("user")
            return queryset.filter(user__username=username) if username else queryset
        return queryset.filter(user=self.request.user)

    def create(self, request):
        data = _valid(TokenCreateSerializer, request.data)
        owner = self._owner(data.get("user"))
        days = data.get("expires_in_days")
        expires = timezone.now() + timedelta(days=days) if days else None
        with transaction.atomic():
            record, token = tokens.issue(owner, data["name"], expires)
            audit.record(
                request.user,
                "created",
                "token",
                record.prefix,
                owner=owner.username,
                name=record.name,
            )
        body = {**TokenSerializer(record).data, "token": token}
        return Response(body, status=status.HTTP_201_CREATED)

    def _owner(self, username: str | None):
        if not username or username == self.request.user.get_username():
            return self.request.user
        if not has_role(self.request.user, Role.ADMIN):
            raise ApiError("Forbidden", "Only admins issue tokens for other users.", 403)
        return get_object_or_404(User, username=username)

    def perform_destroy(self, instance):
        with transaction.atomic():
            tokens.revoke(instance)
            audit.record(
                self.request.user, "revoked", "token", instance.prefix, owner=instance.user.username
            )


@docs.connection_viewset
class ConnectionViewSet(viewsets.ModelViewSet):
    """Named connections; secret parameters are always masked."""

    required_roles = ADMIN_ONLY
    serializer_class = ConnectionSerializer
    queryset = Connection.objects.all()
    lookup_field = "name"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def create(self, request):
        data = _valid(ConnectionWriteSerializer, request.data)
        missing = [f for f in ("name", "type") if not data.get(f)]
        if missing:
            raise ApiError(
                "ValidationFailed",
                "name and type are required.",
                400,
                [{"pointer": f"/{f}", "message": "This field is required."} for f in missing],
            )
        if Connection.objects.filter(name=data["name"]).exists():
            raise ApiError("ConnectionExists", f"Connection '{data['name']}' exists.", 409)
        connection = Connection(
            name=data["name"],
            type=data["type"],
            display_name=data.get("display_name", ""),
            created_by=request.user,
        )
        set_parameters(connection, data.get("parameters", {}))
        with transaction.atomic():
            connection.save()
            audit.record(
                request.user, "created", "connection", connection.name, type=connection.type
            )
        return Response(ConnectionSerializer(connection).data, status=status.HTTP_201_CREATED)

    def update(self, request, name=None, partial=True):
        connection = self.get_object()
        data = _valid(ConnectionWriteSerializer, request.data)
        if data.get("name", connection.name) != connection.name:
            raise ApiError("ValidationFailed", "A connection cannot be renamed.", 400)
        connection.type = data.get("type", connection.type)
        connection.display_name = data.get("display_name", connection.display_name)
        if "parameters" in data:
            set_parameters(connection, data["parameters"])
        with transaction.atomic():
            connection.save()
            audit.record(request.user, "changed", "connection", connection.name)
        return Response(ConnectionSerializer(connection).data)

    def partial_update(self, request, name=None):
        return self.update(request, name)

    def perform_destroy(self, instance):
        with transaction.atomic():
            audit.record(self.request.user, "deleted", "connection", instance.name)
            instance.delete()


@docs.appsetting_viewset
class AppSettingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """App settings (`@appsetting('NAME')`); values are write-only."""

    required_roles = ADMIN_ONLY
    serializer_class = AppSettingSerializer
    queryset = AppSetting.objects.all()
    lookup_field = "name"
    lookup_value_regex = r"[A-Za-z_][A-Za-z0-9_.:-]*"

    def create(self, request):
        data = _valid(AppSettingSerializer, request.data)
        setting = AppSetting.objects.filter(name=data["name"]).first() or AppSetting(
            name=data["name"]
        )
        created = setting.pk is None
        set_appsetting_value(setting, data["value"])
        with transaction.atomic():
            setting.save()
            audit.record(
                request.user, "created" if created else "changed", "appsetting", setting.name
            )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(AppSettingSerializer(setting).data, status=code)

    def perform_destroy(self, instance):
        with transaction.atomic():
            audit.record(self.request.user, "deleted", "appsetting", instance.name)
            instance.delete()


@docs.audit_viewset
class AuditViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit log, newest first (admin). Filters: actor, action, target_type, target."""

    required_roles = ADMIN_ONLY
    serializer_class = AuditEntrySerializer

    def get_queryset(self):
        queryset = AuditEntry.objects.all()
        params = self.request.query_params
        for param, field in (
            ("actor", "actor_name"),
            ("action", "action"),
            ("target_type", "target_type"),
            ("target", "target"),
        ):
            if params.get(param):
                queryset = queryset.filter(**{field: params[param]})
        return queryset
