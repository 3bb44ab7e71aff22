from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from voiceagent.health import health_report


@never_cache
@require_GET
async def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database, channel layer and task broker answer, else 503."""
    report = await health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
