"""Demo catalogue: expands the merchant's styles into SKUs as `PUT /v1/products/{sku}` bodies."""

from __future__ import annotations

import random
from typing import Any

from returnflow.demo.styles import (
    SIZE_LABELS,
    SIZE_PRICE,
    SKU_PREFIX,
    STYLES,
    VARIANT_LABELS,
    VARIANT_PRICE,
    Style,
)

Body = dict[str, Any]

# Share of SKUs per category, roughly a mid-size lifestyle retailer's assortment.
CATEGORY_SHARES: dict[str, float] = {
    "apparel": 0.31,
    "footwear": 0.14,
    "electronics": 0.22,
    "home": 0.18,
    "beauty": 0.15,
}
GIFT_CARD_SKUS = 3
SIZED_CATEGORIES = ("apparel", "footwear")
_SIZE_RANK = {code: rank for rank, code in enumerate(SIZE_LABELS)}


def _capacity(category: str) -> int:
    """How many distinct SKUs a category's styles can expand to."""
    return sum(len(s.variants) * max(len(s.sizes), 1) for s in STYLES[category])


def max_catalog_size() -> int:
    """The largest catalogue `generate_catalog` can produce without repeating a variant."""
    return sum(_capacity(category) for category in STYLES)


def _quotas(size: int) -> dict[str, int]:
    """SKUs per category: a few gift cards, the rest split by share, overflow moved to roomier categories."""
    gift_cards = min(GIFT_CARD_SKUS, _capacity("other")) if size >= 60 else 0
    rest = size - gift_cards
    exact = {cat: rest * share for cat, share in CATEGORY_SHARES.items()}
    quotas = {cat: int(value) for cat, value in exact.items()}
    # Largest remainder, so the quotas add up to exactly `size`; ties resolve in table order.
    by_remainder = sorted(CATEGORY_SHARES, key=lambda cat: -(exact[cat] - quotas[cat]))
    for cat in by_remainder[: rest - sum(quotas.values())]:
        quotas[cat] += 1
    overflow = 0
    for cat in CATEGORY_SHARES:
        cap = _capacity(cat)
        if quotas[cat] > cap:
            overflow += quotas[cat] - cap
            quotas[cat] = cap
    for cat in CATEGORY_SHARES:
        extra = min(overflow, _capacity(cat) - quotas[cat])
        quotas[cat] += extra
        overflow -= extra
    quotas["other"] = gift_cards
    return quotas


def _sku(category: str, style: Style, variant: str, size: str | None) -> str:
    """Readable SKU: category prefix, style number, variant code and size code, e.g. `AP-1001-NVY-M`."""
    parts = [SKU_PREFIX[category], style.code, variant, size or ""]
    return "-".join(part for part in parts if part)


def _product(rng: random.Random, category: str, style: Style, variant: str, size: str | None) -> Body:
    """One SKU's product body."""
    list_price = style.price + VARIANT_PRICE.get((style.code, variant), 0)
    list_price += SIZE_PRICE.get((style.code, size or ""), 0)
    name = f"{style.name} — {VARIANT_LABELS[variant]}"
    if size is not None:
        name += f", {SIZE_LABELS[size]}"
    grams = style.grams
    if size is not None and len(style.sizes) > 1:
        # Bigger sizes weigh a little more; the weight check at inspection should expect that.
        middle = (len(style.sizes) - 1) / 2
        grams = round(grams * (1 + 0.04 * (style.sizes.index(size) - middle)))
    if "gift_card" in style.tags:
        unit_cost = list_price  # a gift card's cost is its face value: it is stored money
    else:
        grams = max(round(grams * rng.uniform(0.97, 1.03) / 5) * 5, 5)
        # Landed cost varies a little per SKU (fabric, colour runs); keep whole cents.
        unit_cost = round(list_price * style.cost_pct / 100 * rng.uniform(0.95, 1.05))
    return {
        "sku": _sku(category, style, variant, size),
        "name": name,
        "category": category,
        "brand": style.brand or None,
        "unit_cost": unit_cost,
        "weight_grams": grams,
        "hazmat_class": style.hazmat,
        "serialized": style.serialized,
        "returnable": style.returnable,
        "warranty_months": style.warranty,
        "tags": list(style.tags),
        "list_price": list_price,
    }


def _expand(rng: random.Random, category: str, count: int) -> list[Body]:
    """`count` SKUs of a category, a colourway (a variant in all sizes) at a time, round-robin over styles."""
    styles = list(STYLES[category])
    # Styles that exercise a policy or compliance rule go first, so even a small catalogue has them.
    special = [s for s in styles if s.hazmat or not s.returnable or "hygiene" in s.tags]
    plain = [s for s in styles if s not in special]
    rng.shuffle(special)
    rng.shuffle(plain)
    queues: list[tuple[Style, list[str]]] = []
    for style in special + plain:
        variants = list(style.variants)
        rng.shuffle(variants)
        queues.append((style, variants))
    products: list[Body] = []
    while len(products) < count:
        progressed = False
        for style, variants in queues:
            if not variants or len(products) >= count:
                continue
            progressed = True
            variant = variants.pop(0)
            sizes: list[str | None] = list(style.sizes) if style.sizes else [None]
            for size in sizes[: count - len(products)]:
                products.append(_product(rng, category, style, variant, size))
        if not progressed:
            break
    return products


def generate_catalog(rng: random.Random, size: int = 240) -> list[Body]:
    """`size` demo products (sorted by SKU) as `PUT /v1/products/{sku}` bodies plus `sku` and `list_price`."""
    if not 0 <= size <= max_catalog_size():
        raise ValueError(f"catalogue size must be between 0 and {max_catalog_size()}")
    quotas = _quotas(size)
    products: list[Body] = []
    for category in (*CATEGORY_SHARES, "other"):
        products.extend(_expand(rng, category, quotas[category]))
    products.sort(key=lambda product: str(product["sku"]))
    return products


def is_sized(product: Body) -> bool:
    """Whether fit (too small / too large) is a meaningful return reason for this product."""
    return product["category"] in SIZED_CATEGORIES and "one_size" not in product["tags"]


def size_neighbours(catalog: list[Body]) -> dict[str, tuple[str | None, str | None]]:
    """For sized SKUs: the same style and colour one size down and one size up (None at the ends)."""
    runs: dict[str, list[tuple[int, str]]] = {}
    for product in catalog:
        sku = str(product["sku"])
        stem, _, size = sku.rpartition("-")
        if is_sized(product) and size in _SIZE_RANK:
            runs.setdefault(stem, []).append((_SIZE_RANK[size], sku))
    neighbours: dict[str, tuple[str | None, str | None]] = {}
    for run in runs.values():
        run.sort()
        skus = [sku for _, sku in run]
        for i, sku in enumerate(skus):
            down = skus[i - 1] if i > 0 else None
            up = skus[i + 1] if i + 1 < len(skus) else None
            neighbours[sku] = (down, up)
    return neighbours
