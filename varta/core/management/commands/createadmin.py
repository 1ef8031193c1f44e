"""``varta createadmin``: the first system admin of an installation, with a membership in an organisation.

The password is read twice with getpass, or from VARTA_ADMIN_PASSWORD for automation. It is checked against the
password validators before anything is written.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from varta.accounts import actions as account_actions
from varta.accounts.models import User
from varta.accounts.permissions import Role
from varta.audit import writes
from varta.audit.writes import Actor
from varta.geo.models import Country
from varta.orgs import actions as org_actions
from varta.orgs.models import Membership, Organisation, OrganisationType

PASSWORD_ENV = "VARTA_ADMIN_PASSWORD"


class Command(BaseCommand):
    help = "Create a system admin in an organisation (created, type 'other', if it does not exist)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin", help="Login name (default: admin).")
        parser.add_argument("--full-name", default="System admin", help="Full name (default: System admin).")
        parser.add_argument("--organisation", default="Varta", help="Organisation name (default: Varta).")
        parser.add_argument("--country", default="UA", help="ISO alpha-2 country of a new organisation (default UA).")

    def handle(self, *args: Any, username: str, full_name: str, organisation: str, country: str,
               **options: Any) -> None:
        username, full_name, org_name = username.strip(), full_name.strip(), organisation.strip()
        if not username or not full_name or not org_name:
            raise CommandError(_("Username, full name and organisation must not be empty."))
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(_("The username %(username)s is taken. Nothing was written.") % {"username": username})
        org = Organisation.objects.filter(name__iexact=org_name).first()
        country_row = Country.objects.filter(iso2=country.strip().upper()).first()
        if org is None and country_row is None:
            raise CommandError(_("Unknown country code %(code)s (use ISO alpha-2, e.g. UA or MD).") % {"code": country})

        password = self.read_password()
        try:
            validate_password(password, User(username=username, full_name=full_name))
        except ValidationError as exc:
            raise CommandError(_("The password was refused: %(reasons)s Nothing was written.")
                               % {"reasons": " ".join(exc.messages)}) from exc

        actor = Actor.system()
        with transaction.atomic():
            if org is None:
                assert country_row is not None
                org = org_actions.organisation_create(actor=actor, name=org_name, acronym="",
                                                      type=OrganisationType.OTHER, country=country_row)
                self.stdout.write(_("Organisation created: %(name)s") % {"name": org.name})
            user = account_actions.user_create(actor=actor, username=username, full_name=full_name,
                                               password=password)
            writes.create(Membership(user=user, organisation=org, role=Role.SYSTEM_ADMIN), actor=actor)
        self.stdout.write(self.style.SUCCESS(
            _("System admin %(username)s created in %(organisation)s.") % {"username": user.username,
                                                                          "organisation": org.name}))
        self.stdout.write(_("At the first login %(username)s must enrol two-factor login with an authenticator app "
                            "(and keep the recovery codes).") % {"username": user.username})

    def read_password(self) -> str:
        from_env = os.environ.get(PASSWORD_ENV)
        if from_env is not None:
            return from_env
        try:
            first = getpass.getpass(_("Password: "))
            second = getpass.getpass(_("Password (again): "))
        except (EOFError, KeyboardInterrupt) as exc:
            raise CommandError(_("No password given. Nothing was written.")) from exc
        if first != second:
            raise CommandError(_("The two passwords differ. Nothing was written."))
        return first
