"""The request id of the change being made, so one form save's several records can be grouped."""

import contextvars
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("bangfu_request_id", default="")


def current_request_id() -> str:
    return _request_id.get() or ""


def set_request_id(value: str | None = None) -> contextvars.Token:
    return _request_id.set(value or str(uuid.uuid4()))


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)
