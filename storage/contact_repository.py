"""Contacts (the people who wrote to the company), with the search key /find matches names against."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Contact, ContactStatus
from domain.search_keys import contact_search_key, search_key
from storage.parameter_batches import batches
from storage.tables import ContactRow

# A test deal's contact (/preview) is nobody's: never found by phone or email, never a lookalike.
REAL = ContactRow.is_test.is_(False)


def _to_contact(row: ContactRow) -> Contact:
    return Contact(
        id=row.id,
        telegram_id=row.telegram_id,
        name=row.name,
        username=row.username,
        phone=row.phone,
        locale=row.locale,
        status=ContactStatus(row.status),
        created_at=row.created_at,
        email=row.email,
        merged_into=row.merged_into,
        is_test=row.is_test,
    )


class SqlContactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, contact_id: int) -> Contact | None:
        row = await self._session.get(ContactRow, contact_id)
        return _to_contact(row) if row else None

    async def get_many(self, contact_ids: set[int]) -> dict[int, Contact]:
        """Any number of contacts by id, in statements of at most `MAX_PARAMETERS` ids each."""
        found: dict[int, Contact] = {}
        for ids in batches(sorted(contact_ids)):
            rows = await self._session.scalars(select(ContactRow).where(ContactRow.id.in_(ids)))
            found.update((row.id, _to_contact(row)) for row in rows)
        return found

    async def lock(self, contact_ids: set[int]) -> dict[int, Contact]:
        """These contacts as committed now, locked until the commit in id order (two lockers never wait
        on each other crosswise). PostgreSQL: row locks; SQLite: the write lock (see storage/engine.py)."""
        rows = await self._session.scalars(
            select(ContactRow)
            .where(ContactRow.id.in_(sorted(contact_ids)))
            .order_by(ContactRow.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return {row.id: _to_contact(row) for row in rows}

    async def by_telegram_id(self, telegram_id: int) -> Contact | None:
        row = await self._session.scalar(select(ContactRow).where(ContactRow.telegram_id == telegram_id))
        return _to_contact(row) if row else None

    async def by_phone(self, phone: str) -> Contact | None:
        row = await self._session.scalar(
            select(ContactRow).where(ContactRow.phone == phone, REAL).order_by(ContactRow.id).limit(1)
        )
        return _to_contact(row) if row else None

    async def with_phone(self, phone: str, *, besides: int) -> Contact | None:
        """The first contact other than `besides` with this phone, merged ones left out."""
        row = await self._session.scalar(
            select(ContactRow)
            .where(
                ContactRow.phone == phone, ContactRow.id != besides, ContactRow.merged_into.is_(None), REAL
            )
            .order_by(ContactRow.id)
            .limit(1)
        )
        return _to_contact(row) if row else None

    async def with_name_and_digits(self, name: str, digits: str, *, besides: int) -> Contact | None:
        """The first contact other than `besides` whose name has the same search key as `name` and whose
        phone ends in `digits`, merged ones left out."""
        key = search_key(name)
        if not key or not digits.isdigit():
            return None
        row = await self._session.scalar(
            select(ContactRow)
            .where(
                or_(
                    ContactRow.search_name == key,
                    ContactRow.search_name.startswith(key + "\n", autoescape=True),
                ),
                ContactRow.phone.endswith(digits, autoescape=True),
                REAL,
                ContactRow.id != besides,
                ContactRow.merged_into.is_(None),
            )
            .order_by(ContactRow.id)
            .limit(1)
        )
        return _to_contact(row) if row else None

    async def by_email(self, email: str) -> Contact | None:
        """The first contact with this email (compared as written: `domain.web_intake` lower-cases it)."""
        row = await self._session.scalar(
            select(ContactRow).where(ContactRow.email == email, REAL).order_by(ContactRow.id).limit(1)
        )
        return _to_contact(row) if row else None

    async def add(self, contact: Contact) -> Contact:
        if contact.created_at is None:
            raise ValueError("a new contact needs created_at")
        row = ContactRow(created_at=contact.created_at)
        self._fill(row, contact)
        self._session.add(row)
        await self._session.flush()
        return _to_contact(row)

    async def save(self, contact: Contact) -> None:
        row = await self._session.get(ContactRow, contact.id)
        if row is None:
            raise LookupError(f"no contact {contact.id}")
        self._fill(row, contact)
        await self._session.flush()

    @staticmethod
    def _fill(row: ContactRow, contact: Contact) -> None:
        row.telegram_id, row.name, row.username = contact.telegram_id, contact.name, contact.username
        row.phone, row.locale, row.status = contact.phone, contact.locale, contact.status.value
        row.email, row.merged_into, row.is_test = contact.email, contact.merged_into, contact.is_test
        row.search_name = contact_search_key(contact.name, contact.username)
