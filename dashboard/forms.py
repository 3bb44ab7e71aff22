"""The overview's filters: which agent, which days."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from agents.models import Agent
from dashboard.periods import CUSTOM, DEFAULT_PERIOD, MAX_DAYS, PERIOD_CHOICES


class OverviewFilterForm(forms.Form):
    agent = forms.ModelChoiceField(
        queryset=Agent.objects.none(),
        required=False,
        empty_label="All agents",
        to_field_name="public_id",
    )
    period = forms.ChoiceField(choices=PERIOD_CHOICES, required=False)
    start = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))

    def __init__(self, data: Any, *, agents: QuerySet[Agent]) -> None:
        super().__init__(data)
        # Owner-scoped: another owner's agent is not a valid choice.
        cast(forms.ModelChoiceField, self.fields["agent"]).queryset = agents

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["period"] = cleaned.get("period") or DEFAULT_PERIOD
        if cleaned["period"] == CUSTOM:
            start: dt.date | None = cleaned.get("start")
            end: dt.date | None = cleaned.get("end")
            if start is None or end is None:
                raise forms.ValidationError("Give both days of a custom period.")
            if end < start:
                raise forms.ValidationError("The period ends before it starts.")
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(f"Choose at most {MAX_DAYS} days.")
        return cleaned
