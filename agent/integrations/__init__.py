"""The outside services and user resources a run uses.

Holds TOTP codes (``totp``), webhooks, proxies, browser profiles, uploaded files and
secrets (placeholders the model sees, values typed at the moment).

May import: ``agent.llm``, ``agent.browser``, ``agent.stores``, ``agent.records``.
"""
