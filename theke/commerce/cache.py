"""The catalog in memory, kept in step with the database through the catalog's seq.

``sync`` asks the database for its catalog seq; when it is newer than the
snapshot's, only the changes since are read and applied (stock changes copy
the stock matrix, nothing is rebuilt). The new snapshot replaces the old one
in a single assignment, so a search in another thread sees the old catalog
or the new one, never half of each.
"""

from __future__ import annotations

import threading

from sqlalchemy import Connection

from theke.commerce._records import from_record
from theke.commerce.search import CatalogIndex
from theke.store.catalog import CatalogChanges, catalog_seq, changes_since

__all__ = ["CatalogCache"]


class CatalogCache:
    """The current :class:`CatalogIndex` snapshot and how to bring it up to date."""

    def __init__(self) -> None:
        self._index = CatalogIndex()
        self._lock = threading.Lock()

    @property
    def index(self) -> CatalogIndex:
        """The newest snapshot; it never changes, so keep it for a whole turn."""
        return self._index

    def sync(self, conn: Connection) -> CatalogIndex:
        """Apply what changed in the database since the snapshot's seq; returns the snapshot."""
        with self._lock:  # one sync at a time; readers never wait
            index = self._index
            seq = catalog_seq(conn)
            if seq == index.seq:
                return index
            if seq < index.seq:  # the catalog was emptied and written anew: start over
                index = CatalogIndex()
            self._index = _apply(index, changes_since(conn, index.seq))
            return self._index


def _apply(index: CatalogIndex, changes: CatalogChanges) -> CatalogIndex:
    live = [record for record in changes.products if record.active]
    removed = [record.sku for record in changes.products if not record.active]
    stock = [(change.sku, change.size, change.stock) for change in changes.stock]
    if not index.rows and not index.seq:
        updated = CatalogIndex.build([from_record(record) for record in live], changes.seq)
    elif live or removed:
        updated = index.with_products(
            [from_record(record) for record in live], changes.seq, removed
        )
    else:
        updated = index
    return updated.with_stock(stock, changes.seq)
