from fastapi import APIRouter

from graph_service.api.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Is the service up and its store readable?")
def healthz(services: ServicesDep) -> dict:
    return {"status": "ok", "store": services.store.description,
            "current_graphs": len(services.current.get())}
