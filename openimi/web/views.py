from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from openimi.directory import selectors as directory_selectors
from openimi.exchanges import selectors as exchange_selectors
from openimi.privacy import selectors as privacy_selectors


def home(request):
    context = {}
    if request.user.is_authenticated:
        context = directory_selectors.dashboard_for(request.user)
        context["request_counts"] = exchange_selectors.dashboard_counts(request.user)
        context["subject_request_counts"] = privacy_selectors.subject_request_counts(request.user)
    return render(request, "web/home.html", context)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without the token of this session (forged, or from a page
    left open too long) is refused with our own page. Django has logged ``reason`` already."""
    return render(request, "web/csrf_failure.html", status=403)


@never_cache
def healthz(request):
    """For load balancers and monitoring: is the database reachable and fully migrated?"""
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    if pending:
        return JsonResponse({"status": "error", "database": "ok", "pending_migrations": len(pending)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "pending_migrations": 0})
