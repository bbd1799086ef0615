from fastapi import APIRouter

from graph_service.api.deps import ServicesDep
from graph_service.api.openapi import problem_responses

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Is the service up and its store readable?",
            responses={503: problem_responses(503)[503]})
def healthz(services: ServicesDep) -> dict:
    return {"status": "ok", "store": services.store.description,
            "current_graphs": len(services.directory.get().current()),
            "queries": services.queries.figures()}
