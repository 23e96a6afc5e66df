"""Job application: GET /jobs/apply shows the form, POST /jobs/apply checks it and thanks."""

from __future__ import annotations

import hashlib
import html

from fixtures_sites.server import SITES_DIR, FixtureServer, Request, Response

REQUIRED = {"name": "full name", "email": "email", "position": "position", "terms": "consent"}


def _form(_request: Request) -> Response:
    return Response((SITES_DIR / "jobs" / "apply.html").read_bytes())


def _apply(request: Request) -> Response:
    missing = [
        label for field, label in REQUIRED.items() if not request.form.get(field, "").strip()
    ]
    resume = request.files.get("resume")
    if resume is None or not resume.content:
        missing.append("resume")
    if missing:
        items = "".join(f"<li>{html.escape(m)}</li>" for m in missing)
        return Response.page(
            "Application incomplete",
            f"<h1>Application incomplete</h1><p>Missing:</p><ul id='missing'>{items}</ul>"
            "<p><a href='/jobs/apply.html'>Back to the form</a></p>",
            status=400,
        )
    name = html.escape(request.form["name"].strip())
    reference = "APP-" + hashlib.sha1(request.form["email"].encode()).hexdigest()[:8].upper()
    assert resume is not None
    return Response.page(
        "Application received",
        f"<h1>Application received</h1><p id='thanks'>Thank you, {name}!</p>"
        f"<p>Reference: <strong id='reference'>{reference}</strong></p>"
        f"<p>Resume: <span id='resume-name'>{html.escape(resume.filename)}</span> "
        f"({len(resume.content)} bytes)</p>",
    )


def register(server: FixtureServer) -> None:
    server.route("GET", "/jobs/apply", _form)
    server.route("POST", "/jobs/apply", _apply)
