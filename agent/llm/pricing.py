"""What a model call costs: its prompt's tokens and litellm's price for them.

The call (:mod:`agent.llm.call`) prices a double's answer as the model it stands in for; the
run limits (:mod:`agent.run.limits`) estimate the next call before it is made. Both ask
here; litellm is imported only when a price or a count is needed.
"""

from __future__ import annotations

from typing import Any

from agent.llm.doubles import TEST_PROVIDER


def prompt_tokens(model: str, messages: list[dict[str, Any]]) -> int:
    """Tokens of ``messages`` as litellm counts them for ``model`` (gpt-4o's count for doubles)."""
    import litellm

    counting = "gpt-4o" if model.startswith(TEST_PROVIDER + "/") else model
    try:
        return int(litellm.token_counter(model=counting, messages=messages))
    except Exception:  # an unknown tokenizer: count characters the way most tokenizers average
        return sum(len(str(m.get("content", ""))) for m in messages) // 4


def price_of(model: str, tokens_in: int, tokens_out: int) -> float | None:
    """USD for these tokens on ``model`` from litellm's table; None when it has no price."""
    import litellm

    try:
        cost_in, cost_out = litellm.cost_per_token(
            model=model, prompt_tokens=tokens_in, completion_tokens=tokens_out
        )
    except Exception:  # not in the table
        return None
    return float(cost_in) + float(cost_out)
