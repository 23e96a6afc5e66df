"""Stand-ins for a model, for tests and demos: ``from agent.testing import ...``.

Holds the doubles (``FunctionLLM``, ``ScriptedLLM``, ``PromptLLM``, re-exported here from
``stand_ins``) and the rule-based offline policy (``offline_policy``). The fake provider
servers are ``agent.fake_providers``; the pytest plugin is ``agent.pytest_plugin``.

May import: ``agent.scale`` and everything below it (in practice ``agent.llm`` and
``agent.workflows``).
"""

from agent.llm.doubles import TEST_PROVIDER, add_double
from agent.llm.request import LLMRequest
from agent.testing import stand_ins
from agent.testing.stand_ins import *  # noqa: F403 (the doubles: stand_ins.__all__)
from agent.testing.stand_ins import Answer

__all__ = ["TEST_PROVIDER", "Answer", "LLMRequest", "add_double"]
__all__ += stand_ins.__all__
