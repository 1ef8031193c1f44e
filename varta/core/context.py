"""Per-request metadata (client address, request id) that the audit trail and the logs attach to events.

It travels in a context variable set by ``RequestContextMiddleware`` so that actions do not need the request;
outside a request (commands, tests) the values are empty and the audit records ``cli``.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestMeta:
    request_id: str = ""
    client_ip: str | None = None
    channel: str = "cli"  # "web", "api" or "cli"


_current: contextvars.ContextVar[RequestMeta] = contextvars.ContextVar("varta_request_meta", default=RequestMeta())  # noqa: B039 (frozen)


def current_request_meta() -> RequestMeta:
    return _current.get()


def set_request_meta(meta: RequestMeta) -> contextvars.Token[RequestMeta]:
    return _current.set(meta)


def reset_request_meta(token: contextvars.Token[RequestMeta]) -> None:
    _current.reset(token)
