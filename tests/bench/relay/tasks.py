"""Relay tasks for issue 22's measurement: goal as a user writes it, start path, check.

Each task's check comes from ``checks.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checks import (  # found through the path harness.py sets
    Check,
    absent,
    digits,
    exact,
    has,
    invoice_downloaded,
    only_digits,
    output_has,
    posted,
    report,
    sent_once,
    signed_in_with_plan,
    three_products,
    totp_verified,
)


@dataclass
class Task:
    id: str
    fixture: str
    path: str
    goal: str
    check: Check
    schema: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    totp_secrets: dict[str, str] = field(default_factory=dict)
    note: str = ""  # engine suitability / what it exercises


PRODUCTS_SCHEMA = {
    "type": "object",
    "properties": {
        "products": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "price": {"type": "string"}},
                "required": ["name", "price"],
            },
        }
    },
    "required": ["products"],
}

TOTP_SECRET = "AUQVWE5R4QBTKMGWSFBWQKGCJVTFPRDP"  # fixtures_sites/totp_login/routes.py SECRET

_LIST = [
    # ---- seeing/ ----------------------------------------------------------------------
    Task(
        "T01",
        "seeing/checkout",
        "/seeing/checkout.html",
        "Enter my shipping address and continue to payment: Ada Lovelace, 12 Analytical Way, "
        "Springfield, IL 62704, phone 217-555-0100. Stop before paying.",
        posted(
            "/seeing/submit",
            name=has("Ada Lovelace"),
            address1=has("12 Analytical"),
            city=has("Springfield"),
            state=has("IL"),
            zip=has("62704"),
            phone=lambda v: any(only_digits(x).endswith("2175550100") for x in v),
        ),
        note="fields below the fold + aria-hidden autofill twins (point 4); both engines",
    ),
    Task(
        "T02",
        "seeing/late",
        "/seeing/late.html",
        "What is this dashboard called and what buttons does it offer? Just report them.",
        output_has("orders", "export orders"),
        schema={
            "type": "object",
            "properties": {
                "heading": {"type": "string"},
                "buttons": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["heading", "buttons"],
        },
        note="content rendered ~350 ms after load (point 5); output check",
    ),
    Task(
        "T03",
        "seeing/accordion",
        "/seeing/accordion.html",
        "In the shipping help, open the question about the return shipping label and tell me "
        "the page address you end up on.",
        output_has("#d"),
        schema=report("address", "the address (URL) of the page after opening the question"),
        note="animated accordion (point 5); output check of URL hash",
    ),
    Task(
        "T04",
        "seeing/icons",
        "/seeing/icons.html",
        "Send my reply. Then tell me the status message the page shows.",
        output_has("sent"),
        schema=report("status", "the status message shown after sending"),
        note="icon-only spans (point 6); output check ('sent' vs 'discarded')",
    ),
    Task(
        "T05",
        "seeing/autocomplete",
        "/seeing/autocomplete.html",
        "Search flights from Pullman (PUW). Pick it from the suggestions and tell me what the "
        "page says you picked.",
        output_has("pullman"),
        schema=report("picked", "what the page says was picked"),
        note="jQuery-UI-style autocomplete (point 7); output check",
    ),
    Task(
        "T06",
        "seeing/scrollbox",
        "/seeing/scrollbox.html",
        "Add the steel kettle from the results. Tell me the confirmation the page shows.",
        output_has("six"),
        schema=report("confirmation", "the confirmation text shown"),
        note="scroll box markers (point 8); page shows 'Added Add six'",
    ),
    # ---- acting/ ----------------------------------------------------------------------
    Task(
        "T07",
        "acting/spinner",
        "/acting/spinner.html",
        "Change the quantity of coffee beans to 8 and tell me the quantity shown.",
        output_has("8"),
        schema=report("quantity", "the quantity shown on the page"),
        note="repeated clicks in one batch (point 1); output check",
    ),
    Task(
        "T08",
        "acting/slider",
        "/acting/slider.html",
        "Set the volume to 60 and tell me the volume the page shows.",
        output_has("60"),
        schema=report("volume", "the volume shown on the page"),
        note="slider by arrow keys (points 1, 2); output check",
    ),
    Task(
        "T09",
        "acting/terminal",
        "/acting/terminal.html",
        "In the server console, show the contents of the file todo.txt and tell me what it says.",
        output_has("water the plants", "pay the rent"),
        schema=report("contents", "the contents of todo.txt as the console printed them"),
        note="typing into a focusable div (point 2); the file text appears only after `cat`",
    ),
    Task(
        "T10",
        "acting/send",
        "/acting/send.html",
        "Send this message now.",
        sent_once,
        note="span whose click only fetches (point 3); server: exactly one POST how=now",
    ),
    Task(
        "T11",
        "acting/airports",
        "/acting/airports.html",
        "Set the departure airport to Pullman, WA and tell me which airport the page shows as chosen.",
        output_has("puw"),
        schema=report("chosen", "the airport the page shows as chosen"),
        note="keyup-only autocomplete with 300 ms delay (point 7); output check",
    ),
    Task(
        "T12",
        "acting/article",
        "/acting/article.html",
        "Highlight the paragraph about the forager's dance, then tell me what the page says is highlighted.",
        output_has("forager"),
        schema=report("highlighted", "what the page says is highlighted"),
        note="text selection (point 2); output check",
    ),
    # ---- widgets/ ---------------------------------------------------------------------
    Task(
        "T13",
        "widgets/dropdowns",
        "/widgets/dropdowns.html",
        "Order a team shirt in navy blue, size Medium, delivered to Bergen, picked up in store.",
        posted(
            "/widgets/dropdowns",
            color=exact("navy"),
            size=exact("m"),
            city_code=exact("BGO"),
            shipping=exact("pickup"),
        ),
        note="ARIA listbox, div menu, combobox, native select; server check",
    ),
    Task(
        "T14",
        "widgets/dependent",
        "/widgets/dependent.html",
        "Ship to Quebec, Canada, street address 5 Rue Sainte-Anne, and continue.",
        posted(
            "/widgets/dependent",
            country=exact("ca"),
            region=has("Quebec"),
            street=has("5 Rue Sainte-Anne"),
        ),
        note="select filled by a slow fetch after the country changes; server check",
    ),
    Task(
        "T15",
        "widgets/dates",
        "/widgets/dates.html",
        "Book the room: check-in on 14 March 2025, arriving at 15:30, airport pick-up on "
        "20 March 2025, and add the note 'late check-out please'.",
        posted(
            "/widgets/dates",
            checkin=exact("2025-03-14"),
            arrival=has("15:30"),
            pickup=exact("2025-03-20"),
            notes=has("late check-out please"),
        ),
        note="date/time inputs, read-only calendar field, contenteditable (point 9); server check",
    ),
    Task(
        "T16",
        "widgets/modal",
        "/widgets/modal.html",
        "Add the coffee grinder to my cart (I don't want the newsletter) and tell me what the cart says.",
        output_has("added to cart"),
        schema=report("cart", "the cart status text shown"),
        note="overlay blocks the page; output check",
    ),
    Task(
        "T17",
        "widgets/dialogs",
        "/widgets/dialogs.html",
        "Delete my drafts (yes, I'm sure) and tell me the result the page shows.",
        output_has("drafts deleted"),
        schema=report("result", "the result text shown on the page"),
        note="confirm() dialog; output check",
    ),
    Task(
        "T18",
        "widgets/hover",
        "/widgets/hover.html",
        "Open my account settings and tell me the page heading.",
        output_has("account settings"),
        schema=report("heading", "the main heading of the page now"),
        note="CSS :hover menu; output check",
    ),
    Task(
        "T19",
        "widgets/keys",
        "/widgets/keys.html",
        "Search the docs for pagination and tell me what the page says.",
        output_has("results for: pagination"),
        schema=report("status", "the search status text shown"),
        note="search on Enter, no button (point 2); output check",
    ),
    Task(
        "T20",
        "widgets/checkout",
        "/widgets/checkout.html",
        "Pay for my order with the card 4242 4242 4242 4242, expiry 12/27.",
        posted(
            "/widgets/payment",
            card_number=digits("4242424242424242"),
            expiry=lambda v: any(only_digits(x) == "1227" for x in v),
        ),
        note="card fields in an iframe (regrouped while typing); server check",
    ),
    Task(
        "T21",
        "widgets/controls",
        "/widgets/controls.html",
        "Choose the Pro plan, accept the terms, turn dark mode on, and don't email me product "
        "updates. Then continue.",
        posted(
            "/widgets/controls",
            plan=exact("pro"),
            agree=exact("yes"),
            dark=exact("on"),
            updates=absent(),
        ),
        note="hidden checkbox, radio cards, role=switch; server check",
    ),
    # ---- hard_cases/ ------------------------------------------------------------------
    Task(
        "T22",
        "hard_cases/svg_menu",
        "/hard_cases/svg_menu.html",
        "Use the quick actions menu to paste, then tell me what the page says you chose.",
        output_has("paste"),
        schema=report("result", "the result text shown on the page"),
        note="SVG pie menu; output check",
    ),
    Task(
        "T23",
        "hard_cases/mail",
        "/hard_cases/mail.html",
        "Set the trip destination to City Three and submit it.",
        posted("/hard_cases/submit", city=has("City Three")),
        note="delegated autocomplete list in a mail app; server check",
    ),
    Task(
        "T24",
        "hard_cases/multiselect",
        "/hard_cases/multiselect.html",
        "Subscribe me to the Science and Travel newsletters, nothing else.",
        posted("/hard_cases/submit", topics=lambda v: sorted(v) == ["science", "travel"]),
        note="select multiple; server check",
    ),
    # ---- forms / flows ----------------------------------------------------------------
    Task(
        "T25",
        "lever",
        "/lever/apply",
        "Apply for this job as Ada Lovelace, email ada@example.org, phone +44 20 7946 0000, "
        "currently at Analytical Engines Ltd.",
        posted(
            "/lever/apply",
            name=has("Ada Lovelace"),
            email=exact("ada@example.org"),
            org=has("Analytical Engines"),
        ),
        note="job application form (the 3/4 calls baseline); server check",
    ),
    Task(
        "T26",
        "login",
        "/login/",
        "Sign in with username demo and password correct-horse-battery, then tell me my plan.",
        signed_in_with_plan,
        schema=report("plan", "the plan shown in the members area"),
        note="login + extraction; server + output check",
    ),
    Task(
        "T27",
        "totp_login",
        "/totp_login/",
        "Sign in as ada with password correct-horse-battery.",
        totp_verified,
        extra={"totp_identifier": "ada@example.com"},
        totp_secrets={"ada@example.com": TOTP_SECRET},
        note="2FA code from a registered TOTP secret; server check",
    ),
    Task(
        "T28",
        "invoices",
        "/invoices/",
        "Download the invoice INV-1003.",
        invoice_downloaded,
        only_digits,
        note="download (point 11 reports it); server + run.downloaded_files",
    ),
    Task(
        "T29",
        "products",
        "/products/",
        "List the first three products on this page with their prices.",
        three_products,
        schema=PRODUCTS_SCHEMA,
        note="extraction into a schema; output check",
    ),
    Task(
        "T30",
        "register",
        "/register/",
        "Register me for the event: Ada Lovelace, ada@example.org, student ticket.",
        posted(
            "/register/",
            name=has("Ada Lovelace"),
            email=exact("ada@example.org"),
            ticket=exact("student"),
        ),
        note="registration form; server check",
    ),
    Task(
        "T31",
        "jobboard",
        "/jobboard/",
        "Find the Data Engineer job at Initech and apply as Ada Lovelace, ada@example.org.",
        posted("/jobboard/job/104/apply", name=has("Ada Lovelace"), email=exact("ada@example.org")),
        note="search -> detail -> apply, several pages; server check",
    ),
]

TASKS: dict[str, Task] = {t.id: t for t in _LIST}
