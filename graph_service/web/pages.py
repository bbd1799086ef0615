"""The pages, as one router: sign-in and sign-out, search, the client's situation page,
the citizen's access log, and matching: recommended jobs, the expert view and an
employer's candidates.

Pages hold no logic of their own: they call the very functions the API's routes run (the
same decision point, the same single audit record per view) and render the answer.
Every POST is checked for its CSRF token first (``guards.page_router``).
"""

from __future__ import annotations

from fastapi import APIRouter

from graph_service.web import (
    access_log,
    candidates,
    catalog_pages,
    consents,
    expert,
    jobs,
    person,
    reported,
    search,
    sign_in,
)

router = APIRouter()
for module in (sign_in, search, person, reported, consents, access_log, jobs, expert,
               candidates, catalog_pages):
    router.include_router(module.router)
