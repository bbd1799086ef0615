"""(being built for issue 7)"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
