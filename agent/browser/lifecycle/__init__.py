"""The browser's lifecycle: launch, sessions, tabs, downloads, dialogs, watchdogs.

Holds finding and launching Chromium (``launch``, ``setup``: ``python -m
agent.browser.lifecycle.setup``), remote browsers over CDP, the session manager, tabs and
what they hold (downloads, dialogs, pending choices), recording and the watchdogs that
keep a stuck page from holding a run.

May import: ``agent.browser.seeing``, ``agent.records``.
"""
