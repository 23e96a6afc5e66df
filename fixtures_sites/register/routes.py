"""The registration form's answers (see README.md): a confirmation, or pages that only look done."""

from __future__ import annotations

import html
import secrets

from fixtures_sites.server import SITES_DIR, FixtureServer, Request, Response

CONFIRMATIONS: list[str] = []
"""Every confirmation number handed out, in order."""

_FORM = SITES_DIR / "register" / "index.html"


def _form_again(error: str) -> str:
    body = _FORM.read_text(encoding="utf-8").split("<body>", 1)[1].split("</body>", 1)[0]
    return (
        "<div class='banner'><h2>Thank you for your interest!</h2></div>"
        f"<p role='alert' class='error'>{html.escape(error)}</p>" + body
    )


def _register(request: Request) -> Response:
    name = request.form.get("name", "").strip()
    email = request.form.get("email", "").strip()
    variant = request.query.get("variant", "")
    if not name or not email:
        return Response.page("Register", _form_again("Please fill in your name and email."))
    if variant == "banner":
        return Response.page("Register", _form_again("This email address is already registered."))
    if variant == "someone-else":
        return Response.page(
            "Registration complete",
            "<h1>Registration complete</h1><p>Welcome aboard, Jordan Smith! "
            "Your ticket is on its way to jordan@example.org.</p>",
        )
    number = f"RG-{secrets.randbelow(90000) + 10000}-{secrets.choice('ABCDEFGHJK')}"
    CONFIRMATIONS.append(number)
    return Response.page(
        "Registration complete",
        f"<h1>Registration complete</h1><p>Thanks, {html.escape(name)}! "
        f"Your confirmation number is <strong>{number}</strong>.</p>",
    )


def register(server: FixtureServer) -> None:
    server.route("POST", "/register/", _register)
