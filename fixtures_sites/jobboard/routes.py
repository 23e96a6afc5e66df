"""Routes of the job board (see README.md): search with pagination, job pages, apply forms."""

from __future__ import annotations

import html
import math
from typing import NamedTuple
from urllib.parse import quote_plus

from fixtures_sites.server import FixtureServer, Request, Response

PAGE_SIZE = 3


class Job(NamedTuple):
    id: int
    title: str
    company: str
    location: str
    salary: str


JOBS = [
    Job(101, "Backend Engineer", "Acme Robotics", "Berlin, Germany", "EUR 72,000 per year"),
    Job(102, "Product Designer", "Northwind Studio", "Lisbon, Portugal", "EUR 58,000 per year"),
    Job(103, "Frontend Engineer", "Globex", "Remote (EU)", "EUR 65,000 per year"),
    Job(104, "Data Engineer", "Initech", "Amsterdam, Netherlands", "EUR 78,500 per year"),
    Job(105, "Technical Writer", "Acme Robotics", "Berlin, Germany", "EUR 52,000 per year"),
    Job(
        106, "Site Reliability Engineer", "Umbrella Cloud", "Dublin, Ireland", "EUR 81,000 per year"
    ),
    Job(107, "Machine Learning Engineer", "Globex", "Paris, France", "EUR 90,000 per year"),
    Job(108, "Data Analyst", "Initech", "Remote (EU)", "EUR 55,000 per year"),
    Job(109, "QA Engineer", "Northwind Studio", "Lisbon, Portugal", "EUR 50,000 per year"),
    Job(110, "Security Engineer", "Umbrella Cloud", "Vienna, Austria", "EUR 84,000 per year"),
]
"""Every posting, in the order search results list them."""


def search(keyword: str) -> list[Job]:
    """Jobs whose title, company or location contains the keyword (case-insensitive)."""
    word = keyword.strip().lower()
    if not word:
        return list(JOBS)
    return [j for j in JOBS if word in f"{j.title} {j.company} {j.location}".lower()]


def _page(title: str, body: str, status: int = 200) -> Response:
    return Response.page(
        f"{title} - Job board", "<p><a href='/jobboard/'>Job board home</a></p>" + body, status
    )


def _results(request: Request) -> Response:
    keyword = request.query.get("q", "")
    found = search(keyword)
    shown = html.escape(keyword)
    if not found:
        return _page(
            "No results", f"<h1>Search results</h1><p id='summary'>No jobs match “{shown}”.</p>"
        )
    pages = math.ceil(len(found) / PAGE_SIZE)
    try:
        number = min(max(int(request.query.get("page", "1")), 1), pages)
    except ValueError:
        number = 1
    items = "".join(
        f"<li class='result'><a href='/jobboard/job/{j.id}'>{html.escape(j.title)}</a>"
        f" <span class='company'>{html.escape(j.company)}</span>"
        f" <span class='location'>{html.escape(j.location)}</span></li>"
        for j in found[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    )
    link = f"/jobboard/search?q={quote_plus(keyword)}&page="
    nav = ""
    if number > 1:
        nav += f"<a rel='prev' href='{link}{number - 1}'>Previous</a> "
    if number < pages:
        nav += f"<a rel='next' href='{link}{number + 1}'>Next</a>"
    return _page(
        f"Jobs matching {keyword}",
        f"<h1>Search results</h1><p id='summary'>{len(found)} jobs match “{shown}” "
        f"(page {number} of {pages})</p><ol id='results'>{items}</ol><nav>{nav}</nav>",
    )


def _detail(job: Job) -> Response:
    return _page(
        job.title,
        (
            f"<h1>{html.escape(job.title)}</h1><dl>"
            f"<dt>Company</dt><dd id='company'>{html.escape(job.company)}</dd>"
            f"<dt>Location</dt><dd id='location'>{html.escape(job.location)}</dd>"
            f"<dt>Salary</dt><dd id='salary'>{html.escape(job.salary)}</dd></dl>"
            f"<p><a href='/jobboard/job/{job.id}/apply'>Apply for this job</a></p>"
        ),
    )


def _apply_form(job: Job) -> Response:
    return _page(
        f"Apply: {job.title}",
        (
            f"<h1>Apply: {html.escape(job.title)}</h1>"
            f"<form method='post' action='/jobboard/job/{job.id}/apply'>"
            "<label for='name'>Full name</label> <input id='name' name='name' required>"
            "<label for='email'>Email</label> <input id='email' name='email' type='email' required>"
            "<button type='submit'>Submit application</button></form>"
        ),
    )


def _apply(job: Job, request: Request) -> Response:
    name = request.form.get("name", "").strip()
    email = request.form.get("email", "").strip()
    if not name or not email:
        return _page(
            "Application incomplete",
            "<h1>Application incomplete</h1><p>Please give your name and email.</p>",
            status=400,
        )
    return _page(
        "Application received",
        (
            f"<h1 id='received'>Application received for {html.escape(job.title)}</h1>"
            f"<p>Thank you, {html.escape(name)}. We will write to {html.escape(email)}.</p>"
        ),
    )


def register(server: FixtureServer) -> None:
    server.route("GET", "/jobboard/search", _results)
    for job in JOBS:
        base = f"/jobboard/job/{job.id}"
        server.route("GET", base, lambda _r, job=job: _detail(job))
        server.route("GET", base + "/apply", lambda _r, job=job: _apply_form(job))
        server.route("POST", base + "/apply", lambda r, job=job: _apply(job, r))
