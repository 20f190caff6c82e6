"""What the engine needs of a product catalog: a search and a lookup by SKU."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

__all__ = ["CatalogIndex"]


class CatalogIndex(Protocol):
    """An in-memory snapshot of the catalog (``theke.commerce`` provides it)."""

    def search(self, query: Any) -> Sequence[Any]: ...

    def product(self, sku: str) -> Any | None: ...

    def __iter__(self) -> Iterator[Any]: ...
