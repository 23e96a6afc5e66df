"""Many runs at once: batches and the Celery queue.

Holds ``batch`` (``run_tasks``) and ``queue`` (submitting runs to a broker). The worker
process itself is a command (``agent.cli.worker``).

May import: ``agent.ui``, ``agent.run`` and everything below them.
"""
