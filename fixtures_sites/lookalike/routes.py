"""The booking form's answers (see README.md): a confirmation, or pages that only look done."""

from __future__ import annotations

import html
import secrets

from fixtures_sites.server import SITES_DIR, FixtureServer, Request, Response

REFERENCES: list[str] = []
"""Every booking reference handed out for the name sent, in order."""

_FORM = SITES_DIR / "lookalike" / "index.html"


def _form_with(top_html: str) -> str:
    body = _FORM.read_text(encoding="utf-8").split("<body>", 1)[1].split("</body>", 1)[0]
    return top_html + body


def _confirmed(name: str, reference: str) -> Response:
    return Response.page(
        "Booking confirmed",
        "<h1>Booking confirmed</h1>"
        f"<p>Table for 2 booked for <strong>{html.escape(name)}</strong>. "
        f"Your reference is <strong>{reference}</strong>.</p>",
    )


def _book(request: Request) -> Response:
    name = request.form.get("name", "").strip()
    email = request.form.get("email", "").strip()
    variant = request.query.get("variant", "")
    if not name or not email:
        return Response.page(
            "Book a table", _form_with("<p role='alert'>Please give your name and email.</p>")
        )
    if variant == "banner-error":
        return Response.page(
            "Book a table",
            _form_with(
                "<div class='banner success'><h2>Success! Your request was received.</h2></div>"
                "<p role='alert' class='error'>Error: that evening is fully booked, "
                "no table was reserved. Please choose another date.</p>"
            ),
        )
    reference = f"BK-{secrets.randbelow(9000) + 1000}"
    if variant == "other-person":
        return _confirmed("Bob Tanaka", reference)
    REFERENCES.append(reference)
    return _confirmed(name, reference)


def register(server: FixtureServer) -> None:
    server.route("POST", "/lookalike/", _book)
