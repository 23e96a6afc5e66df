"""One run from request to ending: the runner and what an engine works with.

Holds the runner, the run context an engine gets (``run_context``), the run limits
(``limits``, and the wall clock in ``clock``), pausing for a person (``pause``), recovery of runs a dead process left
(``recovery``), the run's folder, its browser, user tools, ``run_task``'s declared
parameters (``parameters``) and the Agent's event-loop thread (``loop_thread``).

May import: ``agent.workflows``, ``agent.integrations``, ``agent.llm``, ``agent.browser``,
``agent.stores``, ``agent.records``. Never ``engines``: engines register themselves.
"""
