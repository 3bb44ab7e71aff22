from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("calls/<uuid:call_id>/", views.call_detail, name="call"),
    path("calls/<uuid:call_id>/hang-up/", views.call_hang_up, name="call-hang-up"),
    path("live/", views.live, name="live"),
    path("live/calls.json", views.live_calls_json, name="live-calls"),
]
