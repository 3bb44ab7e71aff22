import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from appointments.views import (
    appointment_ics,
    calendar_callback,
    calendar_connect,
    calendar_disconnect,
)
from calls.telephony import registry as telephony
from calls.views import call_recording, demo
from voiceagent import views

# Under /api/ the API's JSON error shape, also for addresses no route matches.
handler404 = "voiceagent.views.not_found"
handler500 = "voiceagent.views.server_error"

admin.site.site_header = "Voice agent platform"
admin.site.site_title = "Voice agent admin"
admin.site.index_title = "Agents, calls, contacts and appointments"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/", include("voiceagent.api.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("appointments/<uuid:appointment_id>.ics", appointment_ics, name="appointment-ics"),
    path(
        "calendars/<str:provider>/connect/<int:agent_id>/",
        calendar_connect,
        name="calendar-connect",
    ),
    path("calendars/<str:provider>/callback", calendar_callback, name="calendar-callback"),
    path("calendars/disconnect/<int:agent_id>/", calendar_disconnect, name="calendar-disconnect"),
    path("calls/recordings/<str:token>/", call_recording, name="call-recording"),
    *telephony.http_urlpatterns(),  # each phone provider's voice webhook
    path("", demo, name="demo"),
]

if settings.DEBUG:
    from django.urls import re_path

    # Uploads in debug, except call recordings (views.debug_media).
    prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    urlpatterns += [re_path(rf"^{prefix}(?P<path>.*)$", views.debug_media)]
