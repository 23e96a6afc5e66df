"""A recorded locator (:mod:`agent.browser.seeing.locators`) as one Playwright selector string.

The page steps hand these out (``ai.observe`` candidates, the act cache's entries) and
the exported scripts (:mod:`agent.ui.script_export`) write them, so a person reads the same
selector everywhere. The most specific feature wins: an element id, a test id, a form
field's ``name``, a link's ``href``, then the role with its accessible name, a placeholder, a label, the
text, and last the CSS path the run recorded.

>>> selector_for({"tag": "input", "attributes": {"name": "email", "type": "email"}})
'input[name="email"]'
>>> selector_for({"tag": "button", "role": "button", "name": "Send", "attributes": {}})
'role=button[name="Send"]'
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

_CSS_IDENT = re.compile(r"^[A-Za-z_][\w-]*$")
_ROLE_NAME_LIMIT = 80


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def selector_for(locator: dict[str, Any]) -> str | None:
    """A Playwright selector for ``locator``, or None when it records nothing usable."""
    attributes = locator.get("attributes") or {}
    tag = str(locator.get("tag") or "")
    element_id = attributes.get("id")
    if element_id and not str(element_id).startswith("agent-"):
        return f"#{element_id}" if _CSS_IDENT.match(element_id) else f"[id={_quoted(element_id)}]"
    if attributes.get("data-testid"):
        return f"[data-testid={_quoted(attributes['data-testid'])}]"
    if attributes.get("name") and tag in ("input", "select", "textarea", "button"):
        selector = f"{tag}[name={_quoted(attributes['name'])}]"
        if tag == "input" and attributes.get("type") in ("radio", "checkbox"):
            value = attributes.get("value")
            if value:
                selector += f"[value={_quoted(value)}]"
        return selector
    tail = _href_tail(str(attributes.get("href") or "")) if tag == "a" else ""
    if tail:  # the DOM may hold it relative: match its end
        return f"a[href$={_quoted(tail)}]"
    name = str(locator.get("name") or "").strip()
    role = locator.get("role")
    if role and name and len(name) <= _ROLE_NAME_LIMIT:
        return f"role={role}[name={_quoted(name)}]"
    if attributes.get("placeholder"):
        return f"{tag or '*'}[placeholder={_quoted(attributes['placeholder'])}]"
    if locator.get("label"):
        return f"internal:label={_quoted(locator['label'])}"
    if name and len(name) <= _ROLE_NAME_LIMIT:
        return f"{tag or '*'}:has-text({_quoted(name)})"
    css = locator.get("css")
    return str(css) if css else None


def _href_tail(href: str) -> str:
    """The last path segment and query of a link (what a relative href ends with too)."""
    if not href or href.startswith(("#", "javascript:")):
        return ""
    parts = urlsplit(href)
    last = parts.path.rsplit("/", 1)[-1]
    tail = last + (f"?{parts.query}" if parts.query else "")
    return tail if len(tail) >= 3 else ""
