import posixpath

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponseBase, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve

from voiceagent.health import health_report, server_instance_register_quietly


@never_cache
@require_GET
async def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database, channel layer and task broker answer, else 503;
    details (backends, errors, latencies) for staff only."""
    await server_instance_register_quietly()
    report = await health_report()
    status = 200 if report["status"] == "ok" else 503
    try:
        is_staff = (await request.auser()).is_staff
    except Exception:  # the session store is the database, which may be what is down
        is_staff = False
    if not is_staff:
        # Anonymous probes (load balancers) get the states; hosts, backends and error
        # texts are for staff, signed in to the admin.
        report = {
            "status": report["status"],
            "checks": {name: {"ok": check["ok"]} for name, check in report["checks"].items()},
        }
    return JsonResponse(report, status=status)


# Never public, even in debug: served only through signed, owner-checked links.
PRIVATE_MEDIA = ("recordings/",)


def debug_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploads in debug (``static()``'s view), except the private folders. The path is
    normalised as ``serve`` normalises it (``./``, ``..``) and compared in lower case
    (case-insensitive file systems) before the check."""
    normalised = posixpath.normpath(path).lstrip("/").lower() + "/"
    if normalised.startswith(PRIVATE_MEDIA):
        raise Http404("Not served here.")
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))
