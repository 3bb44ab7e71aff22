from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import ApiKey
from accounts.selectors import api_keys_for_user
from accounts.services import api_key_create, api_keys_revoke
from voiceagent.admin import OwnerScopedAdmin


@admin.register(ApiKey)
class ApiKeyAdmin(OwnerScopedAdmin):
    """Keys for the REST API (Authorization: Bearer <key>); the key is shown once."""

    scoped_queryset = staticmethod(api_keys_for_user)
    owner_field = "user"
    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A key is always its maker's own: it acts with their rights.
        return ["name"] if obj is None else ["name", "user", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.readonly_fields, "user"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        user = request.user
        if not isinstance(user, User):  # the admin requires a signed-in staff user
            raise PermissionDenied
        created, plaintext = api_key_create(user=user, name=obj.name)
        obj.pk, obj.prefix, obj.key_hash = created.pk, created.prefix, created.key_hash
        messages.warning(
            request,
            f"Copy this key now, it will not be shown again: {plaintext}",
        )

    @admin.action(description="Revoke (the key stops working at once)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = api_keys_revoke(key_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} key(s) revoked.")
