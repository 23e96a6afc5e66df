"""The seed's job application: GET /lever/apply shows the form, POST /lever/apply checks it.

/lever/apply-v2 is the same posting after a redesign (for workflow replay tests).
"""

from __future__ import annotations

import html

from fixtures_sites.server import SITES_DIR, FixtureServer, Request, Response


def _form(_request: Request) -> Response:
    return Response((SITES_DIR / "lever" / "apply.html").read_bytes())


def _form_v2(_request: Request) -> Response:
    return Response((SITES_DIR / "lever" / "apply_v2.html").read_bytes())


def _apply(request: Request) -> Response:
    # the redesigned form (/lever/apply-v2) names its fields candidate_name and contact_email
    name = (request.form.get("name") or request.form.get("candidate_name", "")).strip()
    email = (request.form.get("email") or request.form.get("contact_email", "")).strip()
    if not name or not email:
        return Response.page(
            "Missing fields",
            "<h1>Please fill in the required fields</h1>"
            "<p><a href='/lever/apply'>Back to the application</a></p>",
            status=400,
        )
    return Response.page(
        "Application submitted",
        f"<h1>Application submitted</h1><p id='thanks'>Thanks for applying, "
        f"{html.escape(name)}! We will email you at {html.escape(email)}.</p>",
    )


def register(server: FixtureServer) -> None:
    server.route("GET", "/lever/apply", _form)
    server.route("POST", "/lever/apply", _apply)
    server.route("GET", "/lever/apply-v2", _form_v2)
    server.route("POST", "/lever/apply-v2", _apply)
