"""Workflows: a completed run published as a replayable recipe, and its replays.

Holds publishing and replaying (``recipes``), the parameters found in a goal
(``params``, ``goal_details``) and ``run_with="code"`` runs (``code_runs``).

May import: ``agent.integrations``, ``agent.llm``, ``agent.browser``, ``agent.stores``,
``agent.records``.
"""
