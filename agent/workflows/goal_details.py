"""The user's details written into a goal as ``key: value`` ("name: Ada Lovelace. email: ...").

Workflows turn them into named parameters (:mod:`agent.workflows.params`); the demo's
rule-based stand-in (:mod:`agent.testing.offline_policy`) fills forms with them.
"""

from __future__ import annotations

import re

_KEY = re.compile(r"([A-Za-z][A-Za-z_ ]{0,30}?)\s*:\s*")


def details_from_prompt(prompt: str) -> dict[str, str]:
    """``{"name": "Chris P Bacon", "email": "chris@pbacon.com"}`` from the goal's text.

    >>> details_from_prompt("Apply for a job: name: Chris P Bacon. email: chris@pbacon.com")
    {'name': 'Chris P Bacon', 'email': 'chris@pbacon.com'}
    >>> details_from_prompt("List the products on this page")
    {}
    """
    matches = list(_KEY.finditer(prompt))
    details: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(prompt)
        value = prompt[match.end() : end].strip().rstrip(".,;")
        key = match.group(1).strip().lower().split()[-1]
        if value and "://" not in match.group(0):
            details[key] = value
    return details
