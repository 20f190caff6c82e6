"""Commerce: the product catalog — its files, its import, its search and its cards.

The database is the catalog's system of record; :class:`CatalogCache` keeps
an in-memory :class:`CatalogIndex` in step with it, and the dialogue searches
that snapshot with a :class:`Query`.
"""

from theke.commerce.cache import CatalogCache
from theke.commerce.cards import product_carousel, product_details, sizes_text
from theke.commerce.csvfile import read_products, write_products
from theke.commerce.generate import generate_products
from theke.commerce.importer import (
    CATALOG_FILE,
    ImportResult,
    catalog_from_folder,
    import_products,
    open_catalog,
)
from theke.commerce.products import (
    COLOUR_KEYS,
    Product,
    SizeStock,
    format_cents,
    normalize_colour,
    normalize_size,
)
from theke.commerce.rows import ProductFile, RejectedRow, RowError, parse_row, to_row
from theke.commerce.search import CatalogIndex, Hit, Query

__all__ = [
    "CATALOG_FILE",
    "COLOUR_KEYS",
    "CatalogCache",
    "CatalogIndex",
    "Hit",
    "ImportResult",
    "Product",
    "ProductFile",
    "Query",
    "RejectedRow",
    "RowError",
    "SizeStock",
    "catalog_from_folder",
    "format_cents",
    "generate_products",
    "import_products",
    "normalize_colour",
    "normalize_size",
    "open_catalog",
    "parse_row",
    "product_carousel",
    "product_details",
    "read_products",
    "sizes_text",
    "to_row",
    "write_products",
]
