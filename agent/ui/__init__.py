"""What shows a run to a person: the HTML report, notebook cards, live progress.

Holds the report and the reports index (with ``report_templates/``, read by path), a run
exported as a Playwright script (with ``script_templates/``), the notebook display, progress lines and cards, the run's files as links, and ``hooks``,
which registers these as the records' views (``agent.records.views``) on ``import agent``.
A new UI surface goes here.

May import: ``agent.page_steps``, ``agent.run`` and everything below them.
"""
