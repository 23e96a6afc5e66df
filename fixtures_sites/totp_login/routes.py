"""Routes of the two-step sign-in site (see README.md)."""

from __future__ import annotations

import html
import secrets

import pyotp

from fixtures_sites.server import FixtureServer, Request, Response

SECRET = "AUQVWE5R4QBTKMGWSFBWQKGCJVTFPRDP"
"""The authenticator secret (Base32, 160 bits) the server checks codes against."""
USERNAME = "ada"
PASSWORD = "correct-horse-battery"
FULL_NAME = "Ada Lovelace"
COOKIE = "totp_login_session"

CODE_FORM = (
    "<h1>Two-step verification</h1>"
    "<p>Enter the 6-digit verification code from your authenticator app.</p>{error}"
    "<form method='post' action='/totp_login/verify'>"
    "<label for='code'>Verification code</label>"
    "<input id='code' name='code' inputmode='numeric' autocomplete='one-time-code' "
    "maxlength='6' pattern='[0-9]{{6}}' required>"
    "<button type='submit'>Verify</button></form>"
)


def register(server: FixtureServer) -> None:
    state = server.state.setdefault(
        "totp_login",
        {
            "secret": SECRET,
            "username": USERNAME,
            "password": PASSWORD,
            "sessions": {},
            "verified": [],
            "rejected": [],
        },
    )
    sessions: dict[str, str] = state["sessions"]

    def login(request: Request) -> Response:
        if (request.form.get("username"), request.form.get("password")) != (USERNAME, PASSWORD):
            return Response.page(
                "Sign in failed",
                "<h1>Sign in failed</h1><p>Wrong username or password.</p>"
                "<a href='/totp_login/'>Try again</a>",
                status=401,
            )
        token = secrets.token_hex(16)
        sessions[token] = "password-ok"
        response = Response.redirect("/totp_login/verify")
        response.set_cookies[COOKIE] = token
        return response

    def code_page(request: Request) -> Response:
        if sessions.get(request.cookies.get(COOKIE, "")) is None:
            return Response.redirect("/totp_login/")
        return Response.page("Two-step verification", CODE_FORM.format(error=""))

    def verify(request: Request) -> Response:
        token = request.cookies.get(COOKIE, "")
        if sessions.get(token) is None:
            return Response.redirect("/totp_login/")
        code = request.form.get("code", "").strip()
        if pyotp.TOTP(SECRET).verify(code, valid_window=1):
            sessions[token] = "verified"
            state["verified"].append(code)
            return Response.page(
                "Welcome",
                f"<h1>Welcome, {html.escape(FULL_NAME)}</h1>"
                f"<p id='status'>Welcome, {html.escape(FULL_NAME)}. 2FA verified.</p>",
            )
        state["rejected"].append(code)
        error = "<p role='alert' id='error'>That code is not valid. Try again.</p>"
        return Response.page("Two-step verification", CODE_FORM.format(error=error))

    server.route("POST", "/totp_login/login", login)
    server.route("GET", "/totp_login/verify", code_page)
    server.route("POST", "/totp_login/verify", verify)
