"""``createcoach``: make a coach account (and its team when new)."""

from __future__ import annotations

import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from analyzer.web.models import Coach, Team


class Command(BaseCommand):
    help = "Create a coach account in a team (the team is created when it does not exist)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--team", required=True, help="team name")
        parser.add_argument(
            "--password-env",
            metavar="VAR",
            help="read the password from this environment variable instead of asking",
        )
        parser.add_argument("--superuser", action="store_true", help="may also use /admin/")

    def handle(self, *args, **opts) -> None:
        User = get_user_model()
        username = opts["username"].strip()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        if opts["password_env"]:
            password = os.environ.get(opts["password_env"], "")
            if not password:
                raise CommandError(f"The environment variable {opts['password_env']} is empty.")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        user = User(username=username)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        with transaction.atomic():
            team, created = Team.objects.get_or_create(name=opts["team"].strip())
            user.set_password(password)
            user.is_staff = user.is_superuser = bool(opts["superuser"])
            user.save()
            Coach.objects.create(user=user, team=team)
        what = "new team" if created else "team"
        self.stdout.write(f"Coach {username} created in {what} {team.name}.")
