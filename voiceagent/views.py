import posixpath

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve

from voiceagent.health import health_report, server_instance_register_quietly


@require_GET
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """``/favicon.ico``, which browsers ask for on pages without an icon link (the API's
    JSON, a bare 404): the product's SVG icon, not a 404 in the log."""
    response = HttpResponseRedirect(static("voiceagent/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


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


def _api_error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": message, "details": None}}, status=status
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Addresses no route matches: the API's error shape under /api/, else Django's page."""
    if request.path.startswith("/api/"):
        return _api_error("not_found", "Not found.", 404)
    return defaults.page_not_found(request, exception or Http404())


def server_error(request: HttpRequest) -> HttpResponse:
    """An unexpected error (logged with its traceback by Django): the API's error shape
    under /api/, else Django's page."""
    if request.path.startswith("/api/"):
        return _api_error("error", "The server failed to answer; the error was logged.", 500)
    return defaults.server_error(request)


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
