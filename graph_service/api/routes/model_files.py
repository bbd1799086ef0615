"""The work-ability forecast's files at the URLs its catalogue entry lists.

``GET /catalog/model/work-ability-forecast/files/<version>/<file>``: the model file, the
training run's report and its PNG plots (catalog.forecast_model.file_url), from the
forecast models' folder (``TYODATA_FORECAST_DIR``). They hold no personal data: anyone may
read them, like the rest of the catalogue (the path is under /catalog, a public read
path). Only those files, of a version folder directly in the models' folder, are served.

Registered before the catalogue's router: its ``/catalog/{kind}/{name:path}`` would
otherwise take these paths for catalogue items.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from catalog.forecast_model import MODEL_FILE, MODEL_IRI, REPORT_FILE
from catalog.iris import BASE
from graph_service.api.deps import ServicesDep
from graph_service.api.openapi import problem_responses
from graph_service.api.problems import Problem

router = APIRouter(tags=["catalogue"])
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_PLOT = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}\.png")
MEDIA_TYPES = {MODEL_FILE: "application/zip", REPORT_FILE: "application/json"}
_ROUTE = str(MODEL_IRI).removeprefix(BASE) + "/files/{version}/{name}"
"""catalog.forecast_model.files_path(version) + /<file>."""


def _not_found(detail: str) -> Problem:
    return Problem(404, "No such file", detail, "unknown-model-file")


def model_file_path(folder: Path, version: str, name: str) -> Path:
    """The file a request names, inside ``folder``; a 404 problem for anything else."""
    if not _VERSION.fullmatch(version) or ".." in version:
        raise _not_found("no model version of that name")
    if name not in MEDIA_TYPES and not _PLOT.fullmatch(name):
        raise _not_found(f"a model version's files are {MODEL_FILE}, {REPORT_FILE} and its "
                         "PNG plots")
    root = folder.resolve()
    path = (root / version / name).resolve()
    if path.parent.parent != root or not path.is_file():
        raise _not_found(f"version {version} has no file {name}; the catalogue lists the "
                         "current model's files (/catalog/model/work-ability-forecast)")
    return path


@router.get(_ROUTE, summary="A file of the work-ability forecast model (model, report.json, "
            "PNG plots), as its catalogue entry lists (no token needed)",
            responses={200: {"content": {"image/png": {}, "application/json": {},
                                         "application/zip": {}}},
                       **problem_responses(404, 422, public=True)})
async def model_file(version: str, name: str, services: ServicesDep) -> FileResponse:
    path = model_file_path(services.settings.forecast_path, version, name)
    return FileResponse(
        path, media_type=MEDIA_TYPES.get(name, "image/png"),
        # A version's files never change: a new training run is a new version.
        headers={"Cache-Control": "public, max-age=86400, immutable"},
        filename=name if name == MODEL_FILE else None,
        content_disposition_type="attachment" if name == MODEL_FILE else "inline")
