"""The ``schema=`` of ``ai.extract``: a pydantic model class or a JSON Schema."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError


def as_schema(schema: Any) -> dict[str, Any]:
    """The JSON Schema to show the model (any JSON value when ``schema`` is None)."""
    if schema is None:
        return {}
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema.model_json_schema()
    if isinstance(schema, dict):
        from agent.records.validation import check_schema_shape

        check_schema_shape(schema)
        return schema
    raise TypeError(
        f"schema= takes a pydantic model class or a JSON Schema dict, not {type(schema).__name__}"
    )


def fitted(data: Any, schema: Any, json_schema: dict[str, Any]) -> tuple[Any, list[str]]:
    """``data`` as the caller asked for it, and what does not fit (empty when it fits)."""
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        try:
            return schema.model_validate(data), []
        except ValidationError as exc:
            return None, [
                f"{'.'.join(str(p) for p in error['loc']) or 'the answer'}: {error['msg']}"
                for error in exc.errors()
            ]
    from agent.records.validation import schema_validation_errors

    errors = schema_validation_errors(data, json_schema) if json_schema else []
    return (None if errors else data), errors
