"""Deterministic, realistic demo data (catalogue, network, customers, a season of orders and returns)."""

# Everything takes a `random.Random`, so one seed reproduces the same tenant byte for byte:
#
#     rng = random.Random(7)
#     catalog = generate_catalog(rng)
#     customers = generate_customers(rng)
#     season = generate_season(rng, catalog, customers, start=datetime(2025, 10, 1, tzinfo=UTC))
#
# The bodies follow API.md; extra keys (sku, code, list_price, brand, tags, line_index, opened, …)
# are for the caller that turns them into requests (e.g. line_index → the server's order_line_id).

from returnflow.demo.catalog import generate_catalog, max_catalog_size
from returnflow.demo.customers import generate_customers
from returnflow.demo.nodes import generate_nodes
from returnflow.demo.returns import REASONS, RETURN_RATES
from returnflow.demo.season import Season, generate_season
from returnflow.demo.zips import ZIP_CODES, ZIPS

__all__ = [
    "REASONS",
    "RETURN_RATES",
    "ZIPS",
    "ZIP_CODES",
    "Season",
    "generate_catalog",
    "generate_customers",
    "generate_nodes",
    "generate_season",
    "max_catalog_size",
]
