from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from extramile.accounts.models import Role, Team, User, validate_time_zone
from extramile.book.contact import normalise_email


def first_message(error: ValidationError) -> str:
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Create a user: a rep, a manager or an admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--role", default=Role.REP, help="rep, manager or admin")
        parser.add_argument("--team", help="team name (created when missing)")
        parser.add_argument("--time-zone", default="", help="e.g. Europe/London")
        parser.add_argument("--password", help="default: asked for at the prompt")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        if not username:
            raise CommandError("The username is empty.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"There is already a user {username!r}.")
        role = options["role"]
        if role not in Role.values:
            raise CommandError(f"{role!r} is not a role: use rep, manager or admin.")
        email = options["email"]
        try:
            if email:
                email = normalise_email(email)
            validate_time_zone(options["time_zone"])
        except ValidationError as error:
            raise CommandError(first_message(error)) from None
        password = options["password"]
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        user = User(
            username=username,
            email=email,
            first_name=options["first_name"],
            last_name=options["last_name"],
            role=role,
            time_zone=options["time_zone"],
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(first_message(error)) from None
        with transaction.atomic():
            if options["team"]:
                user.team, _ = Team.objects.get_or_create(name=options["team"].strip())
            user.set_password(password)
            user.save()
        self.stdout.write(f"Created {user.get_role_display().lower()} {username}.")
