"""`python -m tests.oidc_provider HOST:PORT`: make the database, users and client, then serve.

The fixture passes the client (OIDC_PROVIDER_CLIENT_ID, _SECRET, _REDIRECT_URI, _POST_LOGOUT_URI) and the
users as OIDC_PROVIDER_USERS, "name:password:group,group;name:password:group".
"""

import os
import sys

import django


def seed() -> None:
    from django.contrib.auth.models import Group, User
    from oauth2_provider.models import Application

    for entry in filter(None, os.environ.get("OIDC_PROVIDER_USERS", "").split(";")):
        username, password, groups = entry.split(":", 2)
        user = User.objects.create_user(username, email=f"{username}@example.test", password=password)
        user.first_name = username.title()
        user.save()
        for name in filter(None, groups.split(",")):
            user.groups.add(Group.objects.get_or_create(name=name)[0])
    Application.objects.create(
        name="Edgeguard",
        client_id=os.environ["OIDC_PROVIDER_CLIENT_ID"],
        client_secret=os.environ["OIDC_PROVIDER_CLIENT_SECRET"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=os.environ["OIDC_PROVIDER_REDIRECT_URI"],
        post_logout_redirect_uris=os.environ["OIDC_PROVIDER_POST_LOGOUT_URI"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


def main(address: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    seed()
    call_command("runserver", address, use_reloader=False, skip_checks=True)


if __name__ == "__main__":
    main(sys.argv[1])
