from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from agents.selectors import agents_for_user
from calls.telephony.registry import PROVIDERS, provider_choices
from phone_numbers.models import PhoneNumber
from phone_numbers.selectors import phone_numbers_for_user
from phone_numbers.services import phone_number_save
from voiceagent.admin import OwnerScopedAdmin
from voiceagent.crypto import Secret
from voiceagent.links import configured_base_url


class PhoneNumberAdminForm(forms.ModelForm):
    """The auth token is write-only: the page never shows it. Typing one replaces the
    stored token, leaving the box empty keeps it, and the tick box removes it."""

    new_auth_token = forms.CharField(
        label="Auth token",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="The account's auth token, with its account id. Never shown again; "
        "leave empty to keep the stored one.",
    )
    remove_auth_token = forms.BooleanField(
        label="Remove the stored token",
        required=False,
        help_text="With the account id emptied: the number then uses the server's account.",
    )

    class Meta:
        model = PhoneNumber
        fields = ["owner", "provider", "number", "agent", "label", "is_active", "account_id"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        new, remove = cleaned.get("new_auth_token"), cleaned.get("remove_auth_token")
        if new and remove:
            raise forms.ValidationError("Type a new token or remove the stored one, not both.")
        # Set before the model's own checks run (they need the token that will be kept).
        if new:
            self.instance.auth_token = Secret(plaintext=new)
        elif remove:
            self.instance.auth_token = None
        return cleaned


@admin.register(PhoneNumber)
class PhoneNumberAdmin(OwnerScopedAdmin):
    scoped_queryset = staticmethod(phone_numbers_for_user)
    related_selectors = {"agent": agents_for_user}
    owner_field = "owner"
    form = PhoneNumberAdminForm
    list_display = ["number", "label", "provider", "agent", "is_active", "own_account", "owner"]
    list_filter = ["provider", "is_active"]
    list_select_related = ["agent", "owner"]
    search_fields = ["number", "label", "agent__name"]
    readonly_fields = ["token_stored", "webhook_address", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["owner", "provider", "number", "agent", "label", "is_active"]}),
        (
            "Provider account",
            {
                "fields": [
                    "webhook_address",
                    "account_id",
                    "token_stored",
                    "new_auth_token",
                    "remove_auth_token",
                ],
                "description": "Leave the account id and token empty when the number "
                "belongs to this server's account. A number in your own account needs "
                "both: its calls are checked with your token.",
            },
        ),
        ("Dates", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(description="Own account", boolean=True)
    def own_account(self, number: PhoneNumber) -> bool:
        return number.has_own_credentials

    @admin.display(description="Token stored", boolean=True)
    def token_stored(self, number: PhoneNumber) -> bool:
        return number.has_own_credentials

    @admin.display(description="Webhook address")
    def webhook_address(self, number: PhoneNumber) -> str:
        base = configured_base_url()
        if not base:
            return "Set PUBLIC_BASE_URL to show this server's address (docs/telephony.md)."
        labels = dict(provider_choices())
        rows = [
            (labels.get(name, name), base + url)
            for name in ([number.provider] if number.provider else PROVIDERS)
            if (url := _number_webhook_path(name))
        ]
        return format_html(
            "{}<div class='help'>In the provider's console, set the number's incoming-call "
            "webhook to POST to this address.</div>",
            format_html_join("", "<div>{}: <code style='user-select:all'>{}</code></div>", rows),
        )

    def save_model(self, request: HttpRequest, obj: PhoneNumber, form: Any, change: bool) -> None:
        if not request.user.is_superuser and not change:
            obj.owner = request.user  # type: ignore[assignment]
        phone_number_save(phone_number=obj)


def _number_webhook_path(provider: str) -> str:
    """Each provider names its number-routed voice webhook ``<provider>-voice-number``."""
    try:
        return reverse(f"{provider}-voice-number")
    except NoReverseMatch:
        return ""
