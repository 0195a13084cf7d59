"""Generate a realistic training installation: authorities in all 30 countries with names in
their own languages, coordinators, competences and users in every role.

Fast by construction: bulk inserts in batches and one password hash shared by all demo
accounts (hashing 40,000 passwords would take minutes)."""

import datetime
import json
import random
import time
import unicodedata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from openimi.accounts.models import Membership, Role, RoleGrant, User
from openimi.core.models import Country, LegalArea, Region, Term
from openimi.directory.models import (
    Authority,
    AuthorityArea,
    AuthorityEvent,
    AuthorityStatus,
    AuthorityText,
    CoordinatorFunction,
    Invitation,
)
from openimi.directory.search import reindex_all
from openimi.exchanges.demo import generate_requests
from openimi.exchanges.models import InformationRequest, RequestSeen
from openimi.lib.bulk import insert_rows
from openimi.privacy.services import subject_request_create

DATA = Path(__file__).resolve().parents[3] / "directory" / "data" / "demo_names.json"
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - documented demo credential, demo installs only
DEMO_DOMAIN = "demo.openimi.example"
BATCH = 2000
# Rough share of IMI's authorities per country (larger and more decentralised countries have more).
WEIGHTS = {
    "DE": 14,
    "FR": 12,
    "IT": 11,
    "ES": 8,
    "PL": 7,
    "NL": 5,
    "BE": 4,
    "AT": 4,
    "SE": 3,
    "PT": 3,
    "CZ": 3,
    "RO": 3,
    "HU": 3,
    "GR": 3,
    "DK": 2,
    "FI": 2,
    "SK": 2,
    "IE": 2,
    "NO": 2,
    "BG": 2,
    "HR": 2,
    "SI": 1,
    "LT": 1,
    "LV": 1,
    "EE": 1,
    "LU": 1,
    "CY": 1,
    "MT": 1,
    "IS": 1,
    "LI": 1,
}
# ITU-T E.164 country calling codes, for plausible phone numbers.
CALLING_CODES = {
    "AT": 43,
    "BE": 32,
    "BG": 359,
    "HR": 385,
    "CY": 357,
    "CZ": 420,
    "DK": 45,
    "EE": 372,
    "FI": 358,
    "FR": 33,
    "DE": 49,
    "GR": 30,
    "HU": 36,
    "IE": 353,
    "IT": 39,
    "LV": 371,
    "LT": 370,
    "LU": 352,
    "MT": 356,
    "NL": 31,
    "PL": 48,
    "PT": 351,
    "RO": 40,
    "SK": 421,
    "SI": 386,
    "ES": 34,
    "SE": 46,
    "IS": 354,
    "LI": 423,
    "NO": 47,
}
STATUS_MIX = [
    (AuthorityStatus.ACTIVE, 92),
    (AuthorityStatus.PENDING, 4),
    (AuthorityStatus.INVITED, 2),
    (AuthorityStatus.SUSPENDED, 2),
]
# Named accounts for clicking through, one per role, in these countries.
DEMO_COUNTRIES = ["FR", "DE", "IT", "ES", "PL"]
# The legal area every demo home authority holds (besides its own), so that the demo handlers
# of any two demo countries can send each other requests (the README's ready scenario).
DEMO_SHARED_AREA = "services"
DEMO_ROLES = [Role.LOCAL_ADMIN, Role.REQUEST_HANDLER, Role.REQUEST_ALLOCATOR, Role.ALERT_HANDLER, Role.OBSERVER]


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if c.isalnum() and c.isascii())


class Command(BaseCommand):
    help = "Generate demo and training data for all 30 countries."

    def add_arguments(self, parser):
        parser.add_argument("--authorities", type=int, default=12_600, help="How many authorities (default 12,600).")
        parser.add_argument("--users-per-authority", type=float, default=3.2, help="Average users per authority.")
        parser.add_argument("--seed", type=int, default=2011)
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if authorities already exist.")
        parser.add_argument("--requests", type=int, default=50_000, help="Information requests (default 50,000).")

    def handle(self, *args, **options):
        if options["authorities"] < 100 or options["authorities"] > 1_000_000:
            raise CommandError("--authorities must be between 100 and 1,000,000.")
        if Authority.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Demo data already present; nothing to do.")
                return
            raise CommandError("The database already has authorities; use a fresh database.")
        self.rng = random.Random(options["seed"])
        self.demo_homes: list[int] = []
        self.names = json.loads(DATA.read_text(encoding="utf-8"))
        self.started = time.monotonic()
        self.password = make_password(DEMO_PASSWORD)
        self.now = timezone.now()
        self.countries = {c.code: c for c in Country.objects.filter(code__in=self.names)}
        self.regions = {}
        for code, country in Region.objects.values_list("code", "country_id"):
            self.regions.setdefault(country, []).append(code)
        self.area_terms = {}
        for code, area in Term.objects.values_list("code", "vocabulary__legal_area_id"):
            self.area_terms.setdefault(area, []).append(code)
        with transaction.atomic():
            coordinators = self._coordinators()
            authority_ids = self._authorities(options["authorities"], coordinators)
            self._users(authority_ids, options["users_per_authority"], coordinators)
            self._shared_area()
            reindex_all(progress=None)
            self._progress("search index built")
        if options["requests"]:
            with transaction.atomic():
                generate_requests(
                    options["requests"], rng=self.rng, names=self.names, progress=self._progress, hot=self.demo_homes
                )
                self._subject_requests()
                self._seen()
        self._progress(
            f"Done: {Authority.objects.count():,} authorities, {User.objects.count():,} users, "
            f"{options['requests']:,} requests."
        )

    def _shared_area(self) -> None:
        """Give every demo home authority the shared legal area, keeping its own areas."""
        if not LegalArea.objects.filter(code=DEMO_SHARED_AREA).exists():
            return
        holding = set(
            AuthorityArea.objects.filter(authority_id__in=self.demo_homes, legal_area_id=DEMO_SHARED_AREA).values_list(
                "authority_id", flat=True
            )
        )
        AuthorityArea.objects.bulk_create(
            [
                AuthorityArea(authority_id=home, legal_area_id=DEMO_SHARED_AREA)
                for home in self.demo_homes
                if home not in holding
            ]
        )

    def _seen(self) -> None:
        """The demo accounts have opened their requests as they stood a day ago, so that the
        inbox marks as new only what changed since (and what is sent during the demo)."""
        yesterday = self.now - datetime.timedelta(days=1)
        users = list(
            Membership.objects.filter(user__is_demo=True, authority_id__in=self.demo_homes).values_list(
                "user_id", "authority_id"
            )
        )
        rows = []
        for user_id, home in users:
            requests = InformationRequest.objects.filter(
                Q(requester_id=home) | Q(responder_id=home), updated_at__lt=yesterday
            ).values_list("pk", "updated_at")
            rows += [RequestSeen(user_id=user_id, request_id=pk, seen_at=at) for pk, at in requests]
        for start in range(0, len(rows), BATCH):
            insert_rows(RequestSeen, rows[start : start + BATCH])
        self._progress(f"{len(rows):,} requests already opened by the demo accounts")

    def _subject_requests(self) -> None:
        """Each demo authority has data-subject requests to answer: one due soon, one
        recent, about people its exchanges concern."""
        today = timezone.localdate()
        for home in self.demo_homes:
            admin = User.objects.filter(
                is_demo=True, memberships__authority_id=home, memberships__roles__role=Role.LOCAL_ADMIN
            ).first()
            names = list(
                InformationRequest.objects.filter(requester_id=home)
                .exclude(subject_name="")
                .values_list("subject_name", "subject_identifiers")[:2]
            )
            authority = Authority.objects.get(pk=home)
            for (name, identifiers), (kind, age) in zip(names, [("access", 24), ("rectification", 3)], strict=False):
                subject_request_create(
                    actor=admin,
                    authority=authority,
                    kind=kind,
                    person_name=name,
                    person_identifiers=identifiers.split(",")[0],
                    received_on=today - datetime.timedelta(days=age),
                )
        self._progress("data-subject requests")

    def _progress(self, message: str) -> None:
        self.stdout.write(f"[{time.monotonic() - self.started:6.1f}s] {message}")
        self.stdout.flush()

    # -- coordinators -------------------------------------------------------------------------
    def _coordinators(self) -> dict[str, int]:
        national = {}
        for code, spec in sorted(self.names.items()):
            country = self.countries[code]
            coordinator = spec["national_coordinator"]
            authority = Authority.objects.create(
                official_name=coordinator["name"],
                official_language_id=spec["language"],
                country=country,
                kind="ministry",
                city=spec["cities"][0],
                email=f"imi-coordination@{spec['email_domain']}",
                status=AuthorityStatus.ACTIVE,
                validated_at=self.now,
                website=f"https://{spec['email_domain']}/",
            )
            AuthorityText.objects.create(
                authority=authority,
                language_id="en",
                title=coordinator["title_en"],
                description="National IMI coordinator.",
            )
            AuthorityArea.objects.bulk_create(
                [AuthorityArea(authority=authority, legal_area_id=a) for a in self.area_terms]
            )
            CoordinatorFunction.objects.create(authority=authority, kind="national", country=country)
            AuthorityEvent.objects.create(authority=authority, action=AuthorityEvent.Action.REGISTERED)
            national[code] = authority.pk
        self._progress(f"{len(national)} national coordinators")
        return national

    # -- authorities --------------------------------------------------------------------------
    def _authorities(self, total: int, coordinators: dict[str, int]) -> list[tuple[int, str, str]]:
        codes = sorted(self.names)
        weights = [WEIGHTS.get(c, 1) for c in codes]
        per_country = {c: 0 for c in codes}
        for code in self.rng.choices(codes, weights=weights, k=total - len(coordinators)):
            per_country[code] += 1
        statuses, status_weights = zip(*STATUS_MIX, strict=True)
        created: list[tuple[int, str, str]] = []
        seen: set[tuple[str, str]] = set()
        pending_objects: list[Authority] = []
        pending_meta: list[tuple[Authority, dict[str, Any], str]] = []

        def flush():
            Authority.objects.bulk_create(pending_objects, batch_size=BATCH)
            texts, areas, competences, invitations = [], [], [], []
            for authority, template, title in pending_meta:
                if authority.status == AuthorityStatus.INVITED:
                    # An invited authority has its invitation, as authority_invite makes it:
                    # the coordinators' desk says until when it is valid.
                    invitations.append(
                        Invitation(
                            authority=authority,
                            email=authority.email,
                            digest=Invitation.digest_for(Invitation.token_for(authority.pk, self.now)),
                            created_at=self.now,
                            expires_at=self.now + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
                        )
                    )
                texts.append(AuthorityText(authority=authority, language_id="en", title=title))
                for area in template["areas"]:
                    areas.append(AuthorityArea(authority=authority, legal_area_id=area))
                for term in template["competences"]:
                    competences.append(Authority.competences.through(authority_id=authority.pk, term_id=term))
                created.append((authority.pk, authority.country_id, authority.status))
            AuthorityText.objects.bulk_create(texts, batch_size=BATCH)
            AuthorityArea.objects.bulk_create(areas, batch_size=BATCH)
            Authority.competences.through.objects.bulk_create(competences, batch_size=BATCH)
            Invitation.objects.bulk_create(invitations, batch_size=BATCH)
            pending_objects.clear()
            pending_meta.clear()
            self._progress(f"{len(created):,} authorities")

        for code in codes:
            spec = self.names[code]
            for _ in range(per_country[code]):
                template = self.rng.choice(spec["templates"])
                city = self.rng.choice(spec["cities"])
                base = name = template["name"].replace("{city}", city)
                number = 1
                while (code, name) in seen:
                    # Many authorities of one kind in one city: number their offices.
                    number += 1
                    name = f"{base} ({number})"
                seen.add((code, name))
                status = self.rng.choices(statuses, weights=status_weights)[0]
                region = spec.get("city_regions", {}).get(city)
                domain = spec["email_domain"]
                authority = Authority(
                    official_name=name,
                    official_language_id=template.get("language", spec["language"]),
                    country_id=code,
                    region_id=region if region in set(self.regions.get(code, ())) else None,
                    kind=template.get("kind", "other"),
                    city=city,
                    postcode=f"{self.rng.randint(1000, 99999)}",
                    email=f"{_ascii(template.get('kind', 'office'))}.{_ascii(city)}@{domain}",
                    phone=self._phone(code),
                    website=f"https://{_ascii(city)}.{domain}/",
                    status=status,
                    parent_coordinator_id=coordinators[code],
                    validated_at=self.now if status in (AuthorityStatus.ACTIVE, AuthorityStatus.SUSPENDED) else None,
                )
                pending_objects.append(authority)
                pending_meta.append((authority, template, template["title_en"].replace("{city}", city)))
                if len(pending_objects) >= BATCH:
                    flush()
        if pending_objects:
            flush()
        return created

    def _phone(self, country: str) -> str:
        return f"+{CALLING_CODES[country]} {self.rng.randint(10, 99)} {self.rng.randint(100000, 999999)}"

    # -- users --------------------------------------------------------------------------------
    def _users(self, authorities: list[tuple[int, str, str]], per_authority: float, coordinators: dict[str, int]):
        users, memberships_spec = [], []
        counter = 0

        def person(code: str):
            nonlocal counter
            counter += 1
            spec = self.names[code]
            first = self.rng.choice(spec["first_names"])
            index = self.rng.randrange(len(spec["last_names"]))
            last = spec["last_names"][index]
            if first in spec.get("first_names_female", ()) and spec.get("last_names_female"):
                last = spec["last_names_female"][index]  # e.g. Novák / Nováková
            email = f"{_ascii(first)}.{_ascii(last)}.{counter}@{spec['email_domain']}"
            return User(
                email=email,
                full_name=f"{first} {last}",
                language=spec["language"],
                password="!",  # noqa: S106 - "!" marks an unusable password (Django's convention) date_joined=self.now
            )

        # Named demo accounts (documented in the README) with the shared demo password.
        demo_accounts = [
            User(
                email=f"operator@{DEMO_DOMAIN}",
                full_name="Olga Operator",
                is_operator=True,  # OpenIMI's operator pages; the admin is for a break-glass superuser only
                is_demo=True,
                password=self.password,
                language="en",
            )
        ]
        by_country: dict[str, list[int]] = {}
        for pk, code, status in authorities:
            if status == AuthorityStatus.ACTIVE:
                by_country.setdefault(code, []).append(pk)
        for code in DEMO_COUNTRIES:
            spec = self.names[code]
            lower = code.lower()
            coordinator_user = User(
                email=f"{lower}.coordinator@{DEMO_DOMAIN}",
                is_demo=True,
                password=self.password,
                full_name=f"{spec['first_names'][0]} {spec['last_names'][0]}",
                language=spec["language"],
            )
            demo_accounts.append(coordinator_user)
            memberships_spec.append((coordinator_user, coordinators[code], [Role.LOCAL_ADMIN]))
            home = by_country[code][0]
            self.demo_homes.append(home)
            for i, role in enumerate(DEMO_ROLES):
                user = User(
                    email=f"{lower}.{role.replace('_', '-')}@{DEMO_DOMAIN}",
                    is_demo=True,
                    password=self.password,
                    language=spec["language"],
                    full_name=f"{spec['first_names'][i + 1]} {spec['last_names'][i + 1]}",
                )
                demo_accounts.append(user)
                memberships_spec.append((user, home, [role]))
        users.extend(demo_accounts)

        for code, pk in coordinators.items():
            user = person(code)
            users.append(user)
            memberships_spec.append((user, pk, [Role.LOCAL_ADMIN]))
        for pk, code, status in authorities:
            if status == AuthorityStatus.INVITED:
                continue
            count = max(1, round(self.rng.gauss(per_authority, 1.2)))
            for i in range(count):
                user = person(code)
                users.append(user)
                roles = [Role.LOCAL_ADMIN] if i == 0 else [self.rng.choice(DEMO_ROLES[1:])]
                if i == 0 and self.rng.random() < 0.5:
                    roles.append(Role.REQUEST_HANDLER)
                memberships_spec.append((user, pk, roles))
        User.objects.bulk_create(users, batch_size=BATCH)
        self._progress(f"{len(users):,} users")

        memberships = [Membership(user=u, authority_id=a, created_at=self.now) for u, a, _r in memberships_spec]
        Membership.objects.bulk_create(memberships, batch_size=BATCH)
        grants = [
            RoleGrant(membership=m, role=r)
            for m, (_u, _a, roles) in zip(memberships, memberships_spec, strict=True)
            for r in roles
        ]
        RoleGrant.objects.bulk_create(grants, batch_size=BATCH)
        self._progress(f"{len(memberships):,} memberships, {len(grants):,} roles")
