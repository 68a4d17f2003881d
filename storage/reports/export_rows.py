"""The deals and event log of a report's scope, in pages, for the export (README.md, "Reports → Pictures
and export"): keyset pages by id, so each page is one index range read however deep the export goes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import DealEvent
from domain.reports.exported import ExportedDeal
from domain.reports.scope import ReportScope
from storage.deal_repository import _to_deal
from storage.history_repository import _to_event
from storage.reports.funnel_figures import period_deals
from storage.tables import ContactRow, DealEventRow, DealRow, StaffRow


class SqlExportRows:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def deals(self, scope: ReportScope, *, after: int | None, limit: int) -> list[ExportedDeal]:
        query = (
            select(DealRow, ContactRow, StaffRow.name)
            .join(ContactRow, ContactRow.id == DealRow.contact_id)
            .outerjoin(StaffRow, StaffRow.telegram_id == DealRow.manager_id)
            .where(*period_deals(scope), *([DealRow.id > after] if after is not None else []))
            .order_by(DealRow.id)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        rows = (await self._session.execute(query)).all()
        return [
            ExportedDeal(
                deal=_to_deal(deal),
                contact_name=contact.name,
                phone=contact.phone,
                username=contact.username,
                email=contact.email,
                manager_name=manager_name or None,
                first_reply_at=deal.first_reply_at,
                take_work_s=deal.take_work_s,
                reply_work_s=deal.reply_work_s,
            )
            for deal, contact, manager_name in rows
        ]

    async def events(self, scope: ReportScope, *, after: int | None, limit: int) -> list[DealEvent]:
        query = (
            select(DealEventRow)
            .join(DealRow, DealRow.id == DealEventRow.deal_id)
            .where(*period_deals(scope), *([DealEventRow.id > after] if after is not None else []))
            .order_by(DealEventRow.id)
            .limit(limit)
        )
        return [_to_event(row) for row in (await self._session.scalars(query)).all()]
