"""Deals stored as they are, straight through the repositories, for tests of lists, search and tallies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from domain.models import Contact, Deal, DealStatus, Role, Staff, Temperature
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import FIXED_NOW

NOW = FIXED_NOW
MANAGER, OTHER_MANAGER, SUPERVISOR = 1, 2, 3
MakeUow = Callable[[], SqlUnitOfWork]


def deal(
    stage: str = "new", *, pipeline: str = "sales", contact_in: int | None = None,
    manager: int | None = MANAGER, **fields: object,
) -> Deal:  # fmt: skip
    """An open deal whose next contact is `contact_in` minutes from NOW (negative: in the past)."""
    values: dict[str, object] = {
        "id": None, "contact_id": 0, "pipeline": pipeline, "stage": stage, "status": DealStatus.OPEN,
        "chat_id": None, "source": None, "answers": {}, "temperature": Temperature.WARM, "target": True,
        "created_at": NOW, "stage_entered_at": NOW, "manager_id": manager,
        "next_contact_at": None if contact_in is None else NOW + timedelta(minutes=contact_in),
    }  # fmt: skip
    values.update(fields)
    return Deal(**values)  # type: ignore[arg-type]


async def store(
    make_uow: MakeUow, deals: Sequence[Deal], *, names: Sequence[str] | None = None,
    usernames: Sequence[str | None] | None = None,
) -> list[int]:  # fmt: skip
    """Store the deals in order (each with a contact of its own, "Client <n>" unless named), with the
    managers and a supervisor on the team; their ids, which on a fresh database are 1, 2, 3..."""
    ids = []
    async with make_uow() as uow:
        for member in (
            Staff(MANAGER, frozenset({Role.MANAGER}), name="Oleg"),
            Staff(OTHER_MANAGER, frozenset({Role.MANAGER}), name="Ivan"),
            Staff(SUPERVISOR, frozenset({Role.SUPERVISOR}), name="Irina"),
        ):
            if await uow.staff.get(member.telegram_id) is None:
                await uow.staff.add(member)
        for n, item in enumerate(deals):
            name = names[n] if names else f"Client {n + 1}"
            username = usernames[n] if usernames else None
            contact = await uow.contacts.add(Contact(None, None, name, username, created_at=NOW))
            assert contact.id is not None
            item.contact_id = contact.id
            stored = await uow.deals.add(item)
            assert stored.id is not None
            ids.append(stored.id)
        await uow.commit()
    return ids


async def staff_member(make_uow: MakeUow, telegram_id: int) -> Staff:
    async with make_uow() as uow:
        member = await uow.staff.get(telegram_id)
    assert member is not None
    return member


def minutes(n: int) -> datetime:
    return NOW + timedelta(minutes=n)
