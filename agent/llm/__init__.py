"""The model call: one function to every model, its transport, answers and prompts.

Holds the call (``call``: ``complete_json`` and friends over litellm), what a call carries
(``request``), how it travels (``transport``: timeouts, retries, base URLs), its price
(``pricing``), the parsing of answers into actions (``answers``), the test doubles'
litellm provider (``doubles``), the library's own templates (``prompts/``) and the reading
of a prompt back into its parts (``prompt_reading``, for stand-ins).

May import: ``agent.records``, ``agent.stores``, ``agent.browser`` (the action
vocabulary an answer is parsed into). litellm is imported lazily, off ``import agent``.
"""
