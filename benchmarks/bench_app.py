"""The real ReturnFlow app plus a baseline endpoint that only authenticates and inserts one row.

`python benchmarks/bench_app.py --port P --workers W` serves it the way `returnflow serve` serves
the product (each worker on its own SO_REUSEPORT socket).
"""

from __future__ import annotations

import argparse

from fastapi import FastAPI
from sqlalchemy import Column, DateTime, MetaData, String, Table, insert

from returnflow.entrypoints.api.app import create_app
from returnflow.entrypoints.api.deps import ActorDep, ContainerDep
from returnflow.entrypoints.serving import serve
from returnflow.services.ids import new_id

metadata = MetaData()
# Not part of the product schema: created by the benchmark runner, dropped with its database.
baseline_rows = Table(
    "bench_baseline",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(40), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)


def create() -> FastAPI:
    """App factory for `uvicorn --factory`: the product app with `POST /bench/baseline` added."""
    app = create_app()

    @app.post("/bench/baseline", status_code=201)
    def baseline(c: ContainerDep, actor: ActorDep) -> dict[str, str]:
        """Same stack (auth, unit of work, commit) around a single insert."""
        row_id = new_id("bch")
        with c.db.uow(actor.tenant_id) as uow:
            uow.session.execute(
                insert(baseline_rows).values(id=row_id, tenant_id=actor.tenant_id, at=c.clock())
            )
            uow.commit()
        return {"id": row_id}

    return app


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    serve(
        "bench_app:create",
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        log_level="warning",
        access_log=False,
    )
