from fastapi import APIRouter
from pydantic import BaseModel, Field

from graph_service.api.deps import ServicesDep
from graph_service.api.openapi import problem_responses

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str = Field(description="Always `ok` when the service answers 200")
    store: str = Field(description="Which store the service reads")
    current_graphs: int = Field(ge=0, description="Number of current named graphs")
    queries: dict[str, int] = Field(description="Query runner figures: waiting queries, "
                                                "callers with queries running, workers")


@router.get("/healthz", response_model=Health,
            summary="Is the service up and its store readable? (no token needed)",
            responses=problem_responses(502, 503, public=True))
def healthz(services: ServicesDep) -> dict:  # sync: reading the store must not block
    return {"status": "ok", "store": services.store.description,
            "current_graphs": len(services.directory.get().current()),
            "queries": services.queries.figures()}
