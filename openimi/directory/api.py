"""Directory endpoints: thin wrappers over the same selectors and services as the pages."""

from django.core.paginator import Paginator
from ninja import Query, Router, Status

from openimi.api.schemas import (
    AuthorityFiltersIn,
    AuthorityIn,
    AuthorityOut,
    AuthorityPage,
    AuthoritySearchIn,
    AuthoritySearchPage,
    AuthorityUpdateIn,
    ErrorOut,
    SuspendIn,
)
from openimi.directory import selectors, services
from openimi.directory.models import Authority
from openimi.directory.search import facets
from openimi.directory.services import AuthorityData

router = Router(tags=["directory"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _named(obj, name: str) -> dict | None:
    return {"code": obj.pk, "name": name} if obj is not None else None


def summary(a: Authority) -> dict:
    text = a.text_in()
    return {
        "id": a.pk,
        "official_name": a.official_name,
        "official_language": a.official_language_id,
        "informal_title": text.title if text else None,
        "country": _named(a.country, a.country.name),
        "region": _named(a.region, a.region.name) if a.region is not None else None,
        "city": a.city,
        "status": a.status,
        "is_coordinator": bool(a.coordinator_functions.all()),
        "legal_areas": [_named(g.legal_area, g.legal_area.name) for g in a.area_grants.all()],
    }


def detail(a: Authority) -> dict:
    return summary(a) | {
        "kind": a.kind,
        "street_address": a.street_address,
        "postcode": a.postcode,
        "website": a.website,
        "email": a.email,
        "phone": a.phone,
        "texts": [{"language": t.language_id, "title": t.title, "description": t.description} for t in a.texts.all()],
        "competences": [_named(t, t.label) for t in a.competences.all()],
        "updated_at": a.updated_at,
    }


@router.get("/authorities", response={200: AuthorityPage, **ERRORS}, summary="List and filter the directory")
def authority_list(request, filters: Query[AuthorityFiltersIn]):
    qs = selectors.authority_list(
        request.user,
        selectors.DirectoryFilters(
            q=filters.q, country=filters.country.upper(), legal_area=filters.legal_area, competence=filters.competence
        ),
    )
    paginator = Paginator(qs, filters.page_size)
    page = paginator.get_page(filters.page)
    results = [summary(a) for a in page] if filters.page <= paginator.num_pages else []
    return {"count": paginator.count, "page": filters.page, "pages": paginator.num_pages, "results": results}


@router.get(
    "/authorities/search",
    response={200: AuthoritySearchPage, **ERRORS},
    summary="Search the directory in any language, with facets",
)
def authority_search(request, filters: Query[AuthoritySearchIn]):
    """Words in any order and language, typo-tolerant; every word must match a name, title,
    description, place, or competence label in any language. Best matches first."""
    qs = selectors.authority_list(
        request.user,
        selectors.DirectoryFilters(
            q=filters.q,
            country=filters.country.upper(),
            legal_area=filters.legal_area,
            competence=filters.competence,
            region=filters.region,
            kind=filters.kind,
        ),
        language=request.LANGUAGE_CODE,
    )
    paginator = Paginator(qs, filters.page_size)
    page = paginator.get_page(filters.page)
    results = (
        [summary(a) | {"competences": [t.code for t in a.competences.all()]} for a in page]
        if filters.page <= paginator.num_pages
        else []
    )
    return {
        "count": paginator.count,
        "page": filters.page,
        "pages": paginator.num_pages,
        "results": results,
        "facets": {name: [{"value": v, "count": n} for v, n in rows] for name, rows in facets(qs).items()},
    }


@router.get("/authorities/{authority_id}", response={200: AuthorityOut, **ERRORS}, summary="One authority")
def authority_detail(request, authority_id: int):
    return detail(selectors.authority_get(request.user, authority_id))


def _data_from(payload: AuthorityIn) -> AuthorityData:
    values = payload.dict()
    texts = {t["language"]: (t["title"], t["description"]) for t in values.pop("texts")}
    return AuthorityData(texts=texts, **values)


@router.post("/authorities", response={201: AuthorityOut, **ERRORS}, summary="Register an authority (coordinators)")
def authority_register(request, payload: AuthorityIn):
    authority = services.authority_register(actor=request.user, data=_data_from(payload))
    return Status(201, detail(selectors.authority_get(request.user, authority.pk)))


@router.patch(
    "/authorities/{authority_id}", response={200: AuthorityOut, **ERRORS}, summary="Update an authority's details"
)
def authority_update(request, authority_id: int, payload: AuthorityUpdateIn):
    authority = selectors.authority_get(request.user, authority_id)
    data = AuthorityData.from_authority(authority)
    changes = payload.dict(exclude_unset=True)
    if "texts" in changes:
        # From the objects, not from `changes`: exclude_unset also drops a text's omitted
        # description, which has a default.
        changes.pop("texts")
        data.texts = {t.language: (t.title, t.description) for t in payload.texts or []}
    for name, value in changes.items():
        setattr(data, name, value if value is not None or name == "region" else getattr(data, name))
    services.authority_update(actor=request.user, authority=authority, data=data)
    return detail(selectors.authority_get(request.user, authority_id))


@router.post(
    "/authorities/{authority_id}/validate",
    response={200: AuthorityOut, **ERRORS},
    summary="Validate a self-registered authority (coordinators)",
)
def authority_validate(request, authority_id: int):
    authority = selectors.authority_get(request.user, authority_id)
    services.authority_validate(actor=request.user, authority=authority)
    return detail(selectors.authority_get(request.user, authority_id))


@router.post(
    "/authorities/{authority_id}/suspend",
    response={200: AuthorityOut, **ERRORS},
    summary="Suspend an authority (coordinators)",
)
def authority_suspend(request, authority_id: int, payload: SuspendIn):
    authority = selectors.authority_get(request.user, authority_id)
    services.authority_suspend(actor=request.user, authority=authority, reason=payload.reason)
    return detail(selectors.authority_get(request.user, authority_id))


@router.post(
    "/authorities/{authority_id}/reactivate",
    response={200: AuthorityOut, **ERRORS},
    summary="Reactivate a suspended authority (coordinators)",
)
def authority_reactivate(request, authority_id: int):
    authority = selectors.authority_get(request.user, authority_id)
    services.authority_reactivate(actor=request.user, authority=authority)
    return detail(selectors.authority_get(request.user, authority_id))
