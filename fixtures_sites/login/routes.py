"""Sign-in: a wrong password shows an error, the right one sets a cookie and redirects."""

from __future__ import annotations

import html

from fixtures_sites.server import SITES_DIR, FixtureServer, Request, Response

USERS = {"demo": "correct-horse-battery", "chris": "p@ssw0rd!"}
SESSION_COOKIE = "acme_session"


def _session_value(username: str) -> str:
    return f"ok-{username}"


def _login(request: Request) -> Response:
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    if USERS.get(username) != password:
        form = (SITES_DIR / "login" / "index.html").read_text()
        error = "<p class='error' id='login-error' role='alert'>Invalid username or password.</p>"
        return Response(form.replace("<h1>Sign in</h1>", "<h1>Sign in</h1>" + error), status=401)
    response = Response.redirect("/login/members")
    response.set_cookies[SESSION_COOKIE] = _session_value(username)
    return response


def _members(request: Request) -> Response:
    session = request.cookies.get(SESSION_COOKIE, "")
    user = next((u for u in USERS if _session_value(u) == session), None)
    if user is None:
        return Response.redirect("/login/")
    return Response.page(
        "Members area",
        f"<h1>Members area</h1><p id='welcome'>Welcome back, {html.escape(user)}!</p>"
        "<p>Your plan: <strong id='plan'>Gold</strong></p>",
    )


def register(server: FixtureServer) -> None:
    server.route("POST", "/login/session", _login)
    server.route("GET", "/login/members", _members)
