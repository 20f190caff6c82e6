"""One message as the visitor's browser sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from theke.store.webchat import MailboxMessage

__all__ = ["WebchatMessage"]


@dataclass(frozen=True, slots=True)
class WebchatMessage:
    id: int
    sender: str
    content: dict[str, Any]
    ts: datetime
    client_id: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "from": self.sender,
            "content": self.content,
            "ts": self.ts.isoformat().replace("+00:00", "Z"),
            "client_id": self.client_id,
        }

    @classmethod
    def from_row(cls, row: MailboxMessage) -> WebchatMessage:
        return cls(row.id, row.sender, row.content, row.created_at, row.client_id)
