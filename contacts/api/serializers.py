"""REST representations of contacts (the REST API issue adds the views)."""

from rest_framework import serializers

from contacts.models import Contact


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "status",
            "notes",
            "agent",
            "source_call",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "agent", "source_call", "created_at", "updated_at"]
