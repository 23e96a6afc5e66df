"""A model stand-in for the job board fixture (``fixtures_sites/jobboard``), reading only prompts.

:func:`jobboard_policy` plays planner, validator, navigator and extractor on both engines:
it searches the board for a keyword and reads the titles (an extract block) or each job's
salary (a loop over the detail pages) from the page text its prompts show.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.testing import Prompt, PromptElement

TITLES_SCHEMA = {
    "type": "object",
    "required": ["titles"],
    "properties": {"titles": {"type": "array", "items": {"type": "string"}}},
}
SALARIES_SCHEMA = {
    "type": "object",
    "required": ["jobs"],
    "properties": {
        "jobs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["title", "salary"],
                "properties": {"title": {"type": "string"}, "salary": {"type": "string"}},
            },
        }
    },
}
PAGE_ONE_TITLES = ["Backend Engineer", "Frontend Engineer", "Data Engineer"]
PAGE_ONE_SALARIES = [
    {"title": "Backend Engineer", "salary": "EUR 72,000 per year"},
    {"title": "Frontend Engineer", "salary": "EUR 65,000 per year"},
    {"title": "Data Engineer", "salary": "EUR 78,500 per year"},
]


def _job_links(prompt: Prompt) -> list[PromptElement]:
    return [
        e
        for e in prompt.elements
        if e.tag == "a"
        and "job/" in e.attrs.get("href", "")
        and not e.attrs["href"].endswith("/apply")
    ]


def _titles(prompt: Prompt) -> list[str]:
    return [e.text for e in _job_links(prompt)]


def _detail(prompt: Prompt) -> dict[str, str]:
    """Title and salary as a job page shows them (a heading; a "Salary" line, then its value)."""
    lines = prompt.lines
    title = next(
        line.removeprefix("# ") for line in prompt.page.splitlines() if line.startswith("# ")
    )
    return {"title": title, "salary": lines[lines.index("Salary") + 1]}


def jobboard_policy(
    keyword: str, want: str, *, start_url: str = "", links: bool = True
) -> Callable[[Prompt], Any]:
    """A model that searches the board for ``keyword`` and reads ``want`` from the results.

    ``want`` is "titles" (an extract block on the results page) or "salaries" (a loop over
    the results' detail pages). With ``links=False`` the loop's items are bare titles, and
    each item is reached by clicking it on the list page.
    """

    def collected(prompt: Prompt) -> Any:
        """The final output, from the data the earlier blocks' lines show."""
        done = [b for b in prompt.blocks if b.status == "completed"]
        if want == "titles":
            extracts = [b for b in done if b.task_type == "extract"]
            return {"titles": extracts[-1].data["titles"]} if extracts else None
        jobs = [
            item
            for block in prompt.blocks
            if block.task_type == "loop"
            for item in block.data or []
            if isinstance(item, dict) and "salary" in item
        ]
        return {"jobs": jobs}

    def impossible(prompt: Prompt) -> bool:
        return "no jobs match" in prompt.page.lower()

    def policy(prompt: Prompt) -> Any:
        purpose = prompt.purpose
        if purpose == "generate_url":
            return {"url": start_url, "title": f"{keyword} jobs"}
        if purpose == "plan_v2":
            if impossible(prompt):
                return {
                    "user_goal_achieved": False,
                    "should_terminate": True,
                    "termination_reason": f"The board has no job matching {keyword!r}.",
                }
            if prompt.find(tag="input", name="q") is not None:
                return {
                    "user_goal_achieved": False,
                    "task_type": "navigate",
                    "plan": f"Search the job board for the keyword '{keyword}'",
                }
            if want == "titles":
                return {
                    "user_goal_achieved": False,
                    "task_type": "extract",
                    "plan": "Extract the titles of the jobs listed on this page",
                }
            return {
                "user_goal_achieved": False,
                "task_type": "loop",
                "plan": "The links of the job results on this page",
                "loop_goal": "Read the job's title and salary",
            }
        if purpose == "plan":
            if "The item:" in prompt.goal:  # one item of a loop
                item = prompt.goal.rsplit("The item: ", 1)[1]
                link = next((e for e in _job_links(prompt) if e.text == item), None)
                if link is not None:
                    return {"actions": [{"action_type": "CLICK", "id": link.id}]}
                return {"actions": [{"action_type": "EXTRACT", "reasoning": "salary is shown"}]}
            box, button = prompt.find(tag="input", name="q"), prompt.find(tag="button")
            if box is None:
                return {"actions": [{"action_type": "COMPLETE", "reason": "results are shown"}]}
            return {
                "actions": [
                    {"action_type": "INPUT_TEXT", "id": box.id, "text": keyword},
                    {"action_type": "CLICK", "id": button.id},
                ]
            }
        if purpose == "verify":
            done = "search results" in prompt.page.lower()
            if done and prompt.schema and "titles" in prompt.schema["properties"]:
                return {"user_goal_achieved": True, "output": {"titles": _titles(prompt)}}
            return {"user_goal_achieved": done}
        if purpose == "extract":
            wanted = prompt.schema["properties"]
            if "items" in wanted:  # the loop's list of items
                return {
                    "items": [
                        {"label": e.text, "url": e.attrs["href"] if links else None}
                        for e in _job_links(prompt)
                    ]
                }
            if "titles" in wanted:
                return {"titles": _titles(prompt)}
            return _detail(prompt)
        if purpose == "validate_v2":
            if impossible(prompt):
                return {
                    "user_goal_achieved": False,
                    "should_terminate": True,
                    "termination_reason": f"No job matches {keyword!r} on the board.",
                }
            data = collected(prompt)
            done = data is not None and (want == "titles" or len(data["jobs"]) >= 3)
            return {"user_goal_achieved": done, "should_terminate": False, "output": data}
        if purpose == "summarize_v2":
            return {
                "description": f"read the {want} of the first results page",
                "output": collected(prompt),
            }
        if purpose == "error_codes":
            return {"errors": [{"error_code": "NO_SUCH_JOB", "reasoning": "no match"}]}
        raise AssertionError(f"unexpected purpose {purpose}")

    return policy
