"""A deal as the spreadsheet export lists it (README.md, "Reports → Pictures and export"): the deal with
its contact, its manager's name and the reports' speed figures, which the `Deal` entity does not carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.models import Deal


@dataclass(frozen=True)
class ExportedDeal:
    deal: Deal
    contact_name: str
    phone: str | None = None
    username: str | None = None
    email: str | None = None
    manager_name: str | None = None  # None: no manager, or one no longer on the team's list
    first_reply_at: datetime | None = None
    take_work_s: int | None = None
    reply_work_s: int | None = None
