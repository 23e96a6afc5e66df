"""Seeing a page: the in-page walker and what it returns.

Holds :func:`observe` (with ``dom.js``, read by path next to it), element locators,
the full-page screenshot, and ``ambient`` (``ambient.js``: what a page changes on its
own). The page record itself (``Observation``, ``Element``) and its prompt text live in
``agent.records``.

May import: ``agent.records``.
"""
