"""Who is who: staff get their own screens, everyone else is a prospect."""

from __future__ import annotations

from typing import Any

from aiogram.filters import BaseFilter

from domain.models import Staff


class IsStaff(BaseFilter):
    async def __call__(self, event: Any, staff: Staff | None = None) -> bool:
        return staff is not None and staff.active


class IsProspect(BaseFilter):
    async def __call__(self, event: Any, staff: Staff | None = None) -> bool:
        return staff is None or not staff.active
