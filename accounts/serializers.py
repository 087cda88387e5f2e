"""Serializers of the accounts API. Secrets only ever leave masked."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from accounts.connections import MASK, masked, parameters_of
from accounts.models import AccessToken, AuditEntry, Connection, Role
from accounts.roles import role_of

User = get_user_model()


class UserSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "email", "is_active", "role", "date_joined", "last_login"]

    def get_role(self, user) -> str:
        return role_of(user)


class UserWriteSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+$", max_length=150, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    password = serializers.CharField(required=False, write_only=True, min_length=8, max_length=128)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)


class TokenSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = AccessToken
        fields = [
            "id",
            "name",
            "prefix",
            "user",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "active",
        ]


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=3650, required=False, allow_null=True, default=90
    )
    user = serializers.CharField(required=False, help_text="Admins only: issue for this username.")


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.CharField(help_text="The token itself. Shown once; store it now.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]


class ConnectionSerializer(serializers.ModelSerializer):
    parameters = serializers.SerializerMethodField()

    class Meta:
        model = Connection
        fields = ["name", "type", "display_name", "parameters", "created_at", "updated_at"]

    def get_parameters(self, connection) -> dict:
        return masked(parameters_of(connection))


class ConnectionWriteSerializer(serializers.Serializer):
    name = serializers.SlugField(max_length=80, required=False)
    type = serializers.CharField(max_length=64, required=False)
    display_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    parameters = serializers.DictField(
        required=False,
        help_text=f"Connection parameters. A value of '{MASK}' keeps the stored value.",
    )


class AppSettingSerializer(serializers.Serializer):
    name = serializers.RegexField(r"^[A-Za-z_][A-Za-z0-9_.:-]*$", max_length=200)
    value = serializers.CharField(write_only=True, max_length=100000, allow_blank=True)
    masked_value = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(read_only=True)

    def get_masked_value(self, setting) -> str:
        return MASK


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["id", "actor_name", "action", "target_type", "target", "detail", "created_at"]
