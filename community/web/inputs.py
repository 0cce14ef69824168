"""The web layer's gates for the input rules of `community.inputs`, declared once.

- `Id` and `PageNumber`: every id in a path or a query and every `page` is an integer the
  columns can hold (the OpenAPI description shows the bounds). A path id beyond them names
  no page: 404; a query value beyond them is a 400 naming the parameter.
- `refuse_control_characters`: the app's `before_request` hook; a control character in the
  path or any query parameter is refused before a handler runs.
- `Input`: the base of every JSON body; a control character in any of its strings is refused
  while the body is decoded.
Form fields pass through `community.web.render.form_fields`, which applies the same rule.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException
from litestar.params import Parameter

from community.errors import require
from community.inputs import (
    CONTROL_MESSAGE,
    MAX_ID,
    MAX_PAGE,
    control_errors,
    has_control_characters,
)

Id = Annotated[int, Parameter(ge=1, le=MAX_ID, description=f"An id, from 1 to {MAX_ID}")]
OptionalId = Annotated[
    int | None, Parameter(ge=1, le=MAX_ID, description=f"An id, from 1 to {MAX_ID}")
]
PageNumber = Annotated[
    int, Parameter(ge=1, le=MAX_PAGE, description=f"Page number, from 1 to {MAX_PAGE}")
]
# In JSON bodies.
JsonId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID, description=f"An id, from 1 to {MAX_ID}")]


async def refuse_control_characters(request: Request[Any, Any, Any]) -> None:
    """No control character in the address: path segments and filters reach queries."""
    fields = [*request.query_params.multi_items(), ("path", str(request.scope["path"]))]
    if errors := control_errors(fields):
        raise ValidationException(CONTROL_MESSAGE, extra=_as_extra(errors))


def _as_extra(errors: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "message": message} for key, message in errors.items()]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _strings(item)]
    if isinstance(value, dict):
        return [text for pair in value.items() for text in _strings(list(pair))]
    return []


class Input(msgspec.Struct):
    """A JSON body: none of its strings (nested lists and mappings included) may carry a
    control character. Nested bodies are Inputs too, and check themselves.

    The refusal is a ValidationFailed naming the fields (422, `errors` by field), not the
    ValueError msgspec would file under the body as a whole."""

    def __post_init__(self) -> None:
        require(
            {
                name: CONTROL_MESSAGE
                for name in self.__struct_fields__
                if any(has_control_characters(t) for t in _strings(getattr(self, name)))
            }
        )
