from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from openimi.urls import urlpatterns as openimi_urls


@csrf_exempt
def bare_insert(request):
    """The baseline: the least a Django view can do that writes to the database."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_insert (at) VALUES (CURRENT_TIMESTAMP)")
    return HttpResponse("ok")


urlpatterns = [path("bench/insert", bare_insert), *openimi_urls]
