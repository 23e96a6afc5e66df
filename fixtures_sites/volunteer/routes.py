"""Volunteer sign-up: GET /volunteer/ shows a 7-field form, POST /volunteer/signup checks it."""

from __future__ import annotations

import html

from fixtures_sites.server import FixtureServer, Request, Response

FIELDS = ("full_name", "email", "phone", "city", "role", "availability", "code_of_conduct")
REQUIRED = ("full_name", "email", "role", "availability", "code_of_conduct")


def _signup(request: Request) -> Response:
    missing = [name for name in REQUIRED if not request.form.get(name, "").strip()]
    if missing:
        return Response.page(
            "Sign-up incomplete",
            "<h1>Please complete the form</h1>"
            f"<p id='missing'>Missing: {html.escape(', '.join(missing))}</p>"
            "<p><a href='/volunteer/'>Back to the sign-up form</a></p>",
            status=400,
        )
    rows = "".join(
        f"<li>{html.escape(name)}: <span id='got-{name}'>"
        f"{html.escape(request.form.get(name, ''))}</span></li>"
        for name in FIELDS
    )
    name = html.escape(request.form["full_name"].strip())
    return Response.page(
        "Thanks for volunteering",
        f"<h1>You're signed up</h1><p id='thanks'>Thanks for signing up, {name}! "
        f"We will email you your first shift.</p><ul>{rows}</ul>",
    )


def register(server: FixtureServer) -> None:
    server.route("POST", "/volunteer/signup", _signup)
