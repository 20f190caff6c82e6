"""A realistic sneaker catalog of any size, for benchmarks and load tests.

Six categories, thirty brands, prices from 29.99 to 249.99, EU sizes 36 to
47 (half sizes for some brands), one to three of sixteen colours, German
names and descriptions with English translations, and some products sold
out. The same ``seed`` always gives the same catalog.
"""

from __future__ import annotations

import random

from theke.commerce.products import COLOUR_KEYS, Product, SizeStock

__all__ = ["BRANDS", "CATEGORIES", "generate_products"]

CATEGORIES = ("running", "basketball", "lifestyle", "skate", "trail", "kids")
BRANDS = (
    "Nike", "adidas", "Puma", "New Balance", "Asics", "Reebok", "Vans", "Converse",
    "Saucony", "Hoka", "On Running", "Salomon", "Brooks", "Mizuno", "Veja", "Fila",
    "Le Coq Sportif", "Diadora", "Karhu", "Merrell", "La Sportiva", "Altra", "Under Armour",
    "Jordan", "DC Shoes", "Etnies", "Lakai", "Birkenstock", "Kangaroos", "Lowa",
)  # fmt: skip
_HALF_SIZES = frozenset({"Nike", "adidas", "Asics", "Hoka", "Saucony", "Brooks", "Mizuno"})
_MODELS = (
    "Air", "Cloud", "Gel", "Boost", "Fresh", "Speed", "Trail", "Court", "Street", "Glide",
    "Pulse", "Wave", "Rush", "Flex", "Ultra", "Zoom", "Nova", "Terra", "Storm", "Peak",
)  # fmt: skip
_SUFFIXES = ("Pro", "Lite", "Max", "GTX", "Low", "Mid", "High", "SL", "Elite", "Classic", "")
_FEATURES = (
    ("weiche Dämpfung", "soft cushioning"),
    ("griffige Sohle", "grippy outsole"),
    ("atmungsaktives Mesh", "breathable mesh"),
    ("wasserdichte Membran", "waterproof membrane"),
    ("leichtes Obermaterial aus Leder", "light leather upper"),
    ("stabile Fersenkappe", "stable heel counter"),
    ("recycelte Materialien", "recycled materials"),
    ("breite Passform", "wide fit"),
)
_USES = {
    "running": ("Laufschuh für tägliche Runden", "running shoe for your daily runs"),
    "basketball": ("Basketballschuh mit Halt beim Absprung", "basketball shoe with support"),
    "lifestyle": ("Sneaker für jeden Tag", "everyday sneaker"),
    "skate": ("Skateschuh mit robuster Sohle", "skate shoe with a tough sole"),
    "trail": ("Trailschuh für Wald und Berg", "trail shoe for forest and mountain"),
    "kids": ("Kinderschuh zum Toben", "kids' shoe for playing"),
}
_SIZES = tuple(str(size) for size in range(36, 48))
_HALVES = tuple(f"{size}.5" for size in range(36, 47))


def generate_products(n: int, seed: int = 0) -> list[Product]:
    """``n`` products, the same ones for the same ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    return [_product(rng, index) for index in range(n)]


def _product(rng: random.Random, index: int) -> Product:
    category = CATEGORIES[index % len(CATEGORIES)]
    brand = rng.choice(BRANDS)
    model = (
        f"{rng.choice(_MODELS)} {rng.choice(_MODELS)} {rng.randint(1, 99)} {rng.choice(_SUFFIXES)}"
    )
    german, english = _description(rng, category)
    return Product(
        sku=f"GEN-{index:07d}",
        name=model.strip(),
        category=category,
        price_cents=rng.randrange(2999, 24999 + 1, 100),
        sizes=_sizes(rng, brand, sold_out=rng.random() < 0.05),
        brand=brand,
        colors=tuple(rng.sample(COLOUR_KEYS, rng.randint(1, 3))),
        description=german,
        descriptions={"en": english},
        image=f"images/GEN-{index:07d}.png",
        url=f"https://shop.example/p/GEN-{index:07d}",
        popularity=float(rng.randint(0, 100)),
    )


def _sizes(rng: random.Random, brand: str, *, sold_out: bool) -> tuple[SizeStock, ...]:
    sizes = list(_SIZES)
    if brand in _HALF_SIZES:
        sizes += _HALVES
    sizes.sort(key=float)
    low = rng.randint(0, 3)
    high = len(sizes) - rng.randint(0, 3)
    return tuple(
        SizeStock(size, 0 if sold_out or rng.random() < 0.3 else rng.randint(1, 12))
        for size in sizes[low:high]
    )


def _description(rng: random.Random, category: str) -> tuple[str, str]:
    use_de, use_en = _USES[category]
    features = rng.sample(_FEATURES, 2)
    german = f"{use_de}: {features[0][0]} und {features[1][0]}."
    english = f"A {use_en}: {features[0][1]} and {features[1][1]}."
    return german, english
