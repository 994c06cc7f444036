"""Helpers of the invitation tests: the link from the e-mail, and accepting it as the invited person."""

import re
from urllib.parse import urlsplit

GOOD_PASSWORD = "violet-lantern-orbit-77"
LINK = re.compile(r"https?://\S+/invitations/\S+/")


def link_in(body: str) -> str:
    found = LINK.search(body)
    assert found, body
    return found.group(0)


def accept(world, link, password=GOOD_PASSWORD, full_name="Nina Newcomer"):
    return world.client().post(
        urlsplit(link).path, {"full_name": full_name, "password1": password, "password2": password}
    )
