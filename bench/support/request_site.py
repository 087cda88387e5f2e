"""URLs for bench/request.py: a bare Django view doing what the benchmarked
workflow does (read the JSON body, build a greeting, answer JSON), next to all of
Sluice's own URLs, served by the same uvicorn process."""

import json

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as sluice_urls


@csrf_exempt
def bare(request):
    body = json.loads(request.body or b"{}")
    return JsonResponse({"message": "Hello, " + str(body.get("name") or "world") + "!"})


urlpatterns = [path("bench/bare", bare), *sluice_urls]
