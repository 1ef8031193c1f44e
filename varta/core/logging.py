"""JSON-lines log formatter. Log records carry ids and codes only; personal values never reach a log."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from varta.core.context import current_request_meta

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_DROPPED = {"request"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            # Django attaches the request to its own records (django.request, django.security.*): its repr
            # holds the query string, which may carry a name or a phone number. The request id stands for it.
            if key in _STANDARD or key.startswith("_") or key in _DROPPED:
                continue
            entry[key] = value
        if "request_id" not in entry:
            request_id = current_request_meta().request_id
            if request_id:
                entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
