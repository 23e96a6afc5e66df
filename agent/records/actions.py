"""What a run keeps as it goes: action records, error entries and skyvern-2.0 blocks.

These are the records inside a stored :class:`~agent.records.runs.TaskRun` (``errors``,
``blocks``) and :class:`~agent.records.runs.Step` (``actions``). They are validated from the
same JSON the earlier dict records were written as, so stores written by an earlier
version load unchanged, and they serialize back to exactly that JSON: a record whose
parts are optional leaves out the parts it does not have (:class:`SparseRecord`),
as the dicts did.

Every record also reads like the dict it replaces (``entry["error_code"]``,
``action.get("text")``, ``"default" in parameter``, comparing equal to a dict of the
same JSON), so code written against the dict shape keeps working; the library itself
reads attributes.

    >>> record = ActionRecord.model_validate(
    ...     {"action_type": "CLICK", "id": "3", "result": {"success": True, "message": ""}}
    ... )
    >>> record.result.success, record["id"], record.model_dump()
    (True, '3', {'action_type': 'CLICK', 'id': '3', 'result': {'success': True, 'message': ''}})
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
)

from agent.records.observation import Element


class Record(BaseModel):
    """A stored record: typed fields, extra keys kept, and dict-style reads for older code.

    ``extra="allow"``: keys this version does not know (written by a newer one, or an
    action's own fields) are kept and written back.
    """

    model_config = ConfigDict(extra="allow", validate_assignment=True)
    sparse: ClassVar[bool] = False
    """A sparse record's None fields are absent from its JSON (and from its dict-style reads)."""

    def _value(self, key: str) -> Any:
        """The value under ``key`` in the record's JSON shape; KeyError when absent."""
        if key in type(self).model_fields:
            value = self.__dict__[key]
        elif self.__pydantic_extra__ and key in self.__pydantic_extra__:
            value = self.__pydantic_extra__[key]
        else:
            raise KeyError(key)
        if value is None and self.sparse:
            raise KeyError(key)
        return value

    def __getitem__(self, key: str) -> Any:
        return self._value(key)

    def __setitem__(self, key: str, value: Any) -> None:
        setattr(self, key, value)

    def __contains__(self, key: object) -> bool:
        try:
            self._value(str(key))
        except KeyError:
            return False
        return True

    def get(self, key: str, default: Any = None) -> Any:
        """The value under ``key``, or ``default`` (as ``dict.get``)."""
        try:
            return self._value(key)
        except KeyError:
            return default

    def keys(self) -> Iterator[str]:
        """The keys of the record's JSON shape (so ``dict(record)`` works)."""
        names = [*type(self).model_fields, *(self.__pydantic_extra__ or {})]
        return iter([name for name in names if name in self])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return bool(self.model_dump() == dict(other))
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dicts it replaces


class SparseRecord(Record):
    """A record whose JSON leaves out the fields it does not have (their value is None)."""

    sparse: ClassVar[bool] = True

    @model_serializer(mode="wrap")
    def _leave_out_absent(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


class ActionFields(Record):
    """A record that carries an action's own fields (``text``, ``option``, ``url``, ``keys``,
    ...) at its top level, beside keys of its own (:attr:`record_keys`).

    The action's fields are what the ``plan`` answer gave, typed by
    :mod:`agent.browser.acting.action_types`; the record keeps them as they were written.
    """

    record_keys: ClassVar[frozenset[str]] = frozenset()
    """The record's own keys: everything else is the action's."""

    action_type: str
    """The action's type (CLICK, INPUT_TEXT, COMPLETE, ...)."""

    def action_fields(self) -> dict[str, Any]:
        """The action itself, as the ``plan`` answer gave it (JSON values)."""
        return self.model_dump(mode="json", exclude=set(self.record_keys))

    def detail(self, name: str) -> Any:
        """One of the action's own fields (``text``, ``option``, ``url``), or None."""
        if name in self.record_keys:
            return None
        return self.get(name)


# -- errors ------------------------------------------------------------------------------------


class ErrorEntry(Record):
    """One entry of a run's ``errors``, in the hosted shape.

    Built by the engines (system codes such as ``REACH_MAX_STEPS``) and by error-code
    matching (the caller's own codes, ``error_type="USER_DEFINED_ERROR"``).

    >>> ErrorEntry(error_code="login_failed", reasoning="rejected").model_dump()
    {'error_code': 'login_failed', 'reasoning': 'rejected', 'confidence_float': 1.0, \
'error_type': 'SYSTEM_DEFINED_ERROR'}
    >>> ErrorEntry.model_validate({"error_code": "x", "confidence_float": 7}).confidence_float
    1.0
    """

    error_code: str = "UNKNOWN"
    """The code: one of the caller's ``error_code_mapping`` keys, or a system code."""
    reasoning: str = ""
    """Why the code applies, in words."""
    confidence_float: float = 1.0
    """How sure the matching is, within [0, 1] as the hosted model demands."""
    error_type: str = "SYSTEM_DEFINED_ERROR"
    """``USER_DEFINED_ERROR`` for the caller's codes, ``SYSTEM_DEFINED_ERROR`` for the rest."""

    @property
    def user_defined(self) -> bool:
        """A code from the caller's ``error_code_mapping``."""
        return self.error_type == "USER_DEFINED_ERROR"

    @field_validator("error_code", "reasoning", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return "" if value is None else str(value)

    @field_validator("error_code")
    @classmethod
    def _code_given(cls, value: str) -> str:
        return value or "UNKNOWN"

    @field_validator("confidence_float", mode="before")
    @classmethod
    def _within_unit(cls, value: Any) -> float:
        try:
            return min(1.0, max(0.0, float(value)))
        except (TypeError, ValueError):
            return 1.0

    @field_validator("error_type", mode="before")
    @classmethod
    def _type_given(cls, value: Any) -> Any:
        return value or "SYSTEM_DEFINED_ERROR"


# -- action records ----------------------------------------------------------------------------


class ActionOutcome(SparseRecord):
    """What one recorded action did (the ``result`` of an action record)."""

    success: bool = True
    """Whether the action did what it asked for."""
    message: str = ""
    """What happened, or why it failed (secrets and 2FA codes redacted)."""
    page_changed: bool | None = None
    """The URL changed, a new document loaded, or the active tab changed (executed actions)."""
    data: Any = None
    """Extra data the action returned, when it returned any."""


class ElementSnapshot(SparseRecord, Element):
    """The element an action targeted, as observed just before it (password values dropped).

    Reports draw its ``box`` on the step's screenshot; publishing turns it into the
    workflow's locators.
    """


class ReplayMark(SparseRecord):
    """How a workflow replay ran an action (the ``replay`` of an action record)."""

    workflow_action: int | None = None
    """Index of the workflow action this record replays."""
    matched_by: list[str] | None = None
    """The locator parts that found the element again (empty: no locator was needed)."""
    variant: int | None = None
    """Which of the workflow action's locators matched."""
    fallback: bool = False
    """The model found the element (the recorded locators did not)."""
    skipped: bool | None = None
    """The model judged the action not needed on this page; nothing ran."""


class ActionRecord(SparseRecord, ActionFields):
    """One action of a step and what came of it, as ``Step.actions`` stores it.

    The action's own fields (``text``, ``option``, ``url``, ``keys``, ...) sit beside
    ``action_type`` at the top level, as the ``plan`` answer gave them; the rest is
    what the engine added: the result, the element snapshot, the timing, replay marks.
    """

    record_keys: ClassVar[frozenset[str]] = frozenset(
        {"result", "element", "duration_ms", "replay"}
    )

    id: str | None = None
    """The target element's id on the observed page, when the action had one."""
    reasoning: str | None = None
    """Why the model chose it."""
    result: ActionOutcome | None = None
    """What it did; None for an action that was planned but not recorded as run."""
    element: ElementSnapshot | None = None
    """The targeted element as observed before the action."""
    duration_ms: int | None = None
    """Wall time of the action, in milliseconds."""
    replay: ReplayMark | None = None
    """Set by a workflow replay: how the action was found again."""

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @classmethod
    def coerce(cls, value: ActionRecord | Mapping[str, Any]) -> ActionRecord:
        """``value`` as a record (a dict is validated; a record is returned as it is)."""
        return value if isinstance(value, ActionRecord) else cls.model_validate(value)

    @classmethod
    def planned(cls, value: Any) -> ActionRecord | None:
        """A planned action read from a saved ``plan`` answer, or None when it is not one."""
        if not isinstance(value, Mapping):
            return None
        try:
            return cls.model_validate({"action_type": "?", **value})
        except ValidationError:
            return None

    @property
    def succeeded(self) -> bool:
        """It ran and did what it asked for."""
        return self.result is not None and self.result.success

    @property
    def skipped(self) -> bool:
        """A replay judged it not needed: nothing ran."""
        return bool(self.replay is not None and self.replay.skipped)


# -- skyvern-2.0 blocks ------------------------------------------------------------------------


class Block(Record):
    """One block of a skyvern-2.0 run: a mini-goal the planner set, and how it went."""

    index: int = 0
    """Position in the run's blocks, from 0."""
    task_type: str = ""
    """``navigate``, ``extract``, ``loop``, or ``check`` (the validator's rejection)."""
    goal: str = ""
    """The mini-goal."""
    status: str = ""
    """``running`` while it runs, then the status its step loop ended with."""
    result: str = ""
    """What it achieved or why it failed, in words (at most 500 characters)."""
    output: Any = None
    """The data it gathered (extract and loop blocks), or None."""
