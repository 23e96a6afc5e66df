"""Acting on a page: one unit per action kind, and what proves its effect.

Holds the action kinds (``action_kind``: ``ActionKind``, ``register_action``), their
declarations and parsing (``action_types``), :func:`act` (``actions``), the handlers
(``navigation``, ``pointer``, ``select``, ``text_input``, ``page_actions``), effects and
page watching, and the in-page helpers ``actions.js``/``actions_host.js`` (read by path).
A new action type goes here: a handler module listed in ``ACTION_MODULES``.

May import: ``agent.browser.lifecycle``, ``agent.browser.seeing``, ``agent.records``.
"""
