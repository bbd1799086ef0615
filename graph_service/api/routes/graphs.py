from fastapi import APIRouter
from pydantic import BaseModel, Field

from graph_service.api.deps import CurrentPrincipal, ServicesDep
from graph_service.api.openapi import problem_responses
from graph_service.queries import load
from graph_service.store.base import Dataset
from graph_service.store.registry import META_GRAPH

router = APIRouter(tags=["graphs"])


class GraphInfo(BaseModel):
    graph: str = Field(description="The named graph's IRI")
    source: str = Field(description="The source (registry extract or reference data)")
    organisation: str
    extracted_at: str | None = Field(description="When the source extract was taken")
    loaded_at: str
    rows_read: int | None
    rows_loaded: int | None
    rows_rejected: int | None
    triples: int
    legal_basis: list[str] = Field(description="IRIs of the legal basis of processing")


@router.get("/graphs", response_model=list[GraphInfo],
            summary="The named graphs served, with their provenance",
            responses=problem_responses(502, 503))
def graphs(services: ServicesDep, principal: CurrentPrincipal) -> list[dict]:
    table = services.store.select(load("graphs"), dataset=Dataset(named=(META_GRAPH,)))
    out = []
    for row in table.dicts():
        out.append({
            "graph": str(row["graph"]),
            "source": str(row["source"]).rsplit("/", 1)[-1],
            "organisation": str(row["organisation"]),
            "extracted_at": None if row["extractedAt"] is None else str(row["extractedAt"]),
            "loaded_at": str(row["loadedAt"]),
            "rows_read": None if row["rowsRead"] is None else int(row["rowsRead"]),
            "rows_loaded": None if row["rowsLoaded"] is None else int(row["rowsLoaded"]),
            "rows_rejected": None if row["rowsRejected"] is None else int(row["rowsRejected"]),
            "triples": int(row["triples"]),
            "legal_basis": str(row["legalBasis"]).split() if row["legalBasis"] else [],
        })
    return out
