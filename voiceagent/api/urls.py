"""The REST API's routes: one router, each app's viewsets, the schema and its docs."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from agents.api.views import AgentViewSet, KnowledgeSourceViewSet
from appointments.api.views import AppointmentViewSet
from calls.api.views import CallLogCsvExportView, CallLogViewSet
from contacts.api.views import ContactViewSet
from outbound.api.views import CallAttemptViewSet, CampaignViewSet
from phone_numbers.api.views import PhoneNumberViewSet

router = DefaultRouter()
router.register("calls", CallLogViewSet, basename="call")
router.register("contacts", ContactViewSet, basename="contact")
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("agents", AgentViewSet, basename="agent")
router.register("phone-numbers", PhoneNumberViewSet, basename="phone-number")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("call-attempts", CallAttemptViewSet, basename="call-attempt")
# An agent's knowledge sources live under it: /api/agents/<public_id>/knowledge-sources/.
router.register(
    r"agents/(?P<public_id>[A-Za-z0-9_-]+)/knowledge-sources",
    KnowledgeSourceViewSet,
    basename="knowledge-source",
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # The file's name in the address, as the issue and the docs give it (no trailing slash).
    path("calls/export.csv", CallLogCsvExportView.as_view(), name="call-export-csv"),
    path("", include(router.urls)),
]
