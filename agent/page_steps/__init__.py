"""AI steps on a Playwright page the user holds: ``ai = agent.on(page)``.

``ai.act(instruction)``, ``ai.extract(instruction, schema=...)``, ``ai.observe(instruction)``,
``ai.check(statement)`` and ``ai.history``; awaitable for an async page, plain calls for a
sync one. See docs/page-steps.md.

May import: ``agent.run`` and everything below it; the ``Agent`` only in annotations
(the face imports this package, lazily, for ``agent.on(page)``).
"""

from __future__ import annotations

from agent.page_steps.core import PageStepError
from agent.page_steps.front import AsyncPageAI, SyncPageAI, page_ai
from agent.page_steps.records import Candidate, PageCall, Verdict

__all__ = [
    "AsyncPageAI",
    "Candidate",
    "PageCall",
    "PageStepError",
    "SyncPageAI",
    "Verdict",
    "page_ai",
]
