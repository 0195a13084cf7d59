from ninja import Router

from openimi.accounts.models import Membership
from openimi.api.schemas import ErrorOut, MeOut

router = Router(tags=["identity"])


def _membership_out(m: Membership) -> dict:
    labels = sorted({f"{g.role}:{g.legal_area_id}" if g.legal_area_id else g.role for g in m.roles.all()})
    return {
        "id": m.authority_id,
        "official_name": m.authority.official_name,
        "country": m.authority.country_id,
        "roles": labels,
    }


@router.get(
    "/me",
    response={200: MeOut, 401: ErrorOut, 429: ErrorOut},
    summary="The signed-in identity and the authority the token acts for",
)
def me(request):
    user = request.user
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("authority")
        .prefetch_related("roles")
        .order_by("authority_id")
    )
    acting = next(m for m in memberships if m.authority_id == request.api_token.authority_id)
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "language": user.language,
        "acting_for": _membership_out(acting),
        "memberships": [_membership_out(m) for m in memberships],
    }
