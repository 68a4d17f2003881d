"""A website's form as a lead (domain/web_intake.py) over real repositories: the form's message stands
for the answer that tells a job seeker, and never overrides an answer the form gave."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from domain.crm_config import CrmConfig
from domain.intake import IntakeOutcome
from domain.models import ContactStatus, DealStatus, Role
from domain.staff_accounts import bootstrap_staff
from domain.web_intake import WebLead, submit_web_lead
from storage.unit_of_work import SqlUnitOfWork

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
MakeUow = Callable[[], SqlUnitOfWork]


async def post(make_uow: MakeUow, config: CrmConfig, lead: WebLead):  # type: ignore[no-untyped-def]
    async with make_uow() as uow:
        await bootstrap_staff(uow, roles={Role.MANAGER: [1001]})
    async with make_uow() as uow:
        return await submit_web_lead(uow, config, lead, now=NOW)


async def test_a_job_seeker_s_message_answers_the_need_and_archives_the_lead(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    result = await post(
        make_uow, crm_config, WebLead(name="Иван", email="i@example.com", message="Пришлю РЕЗЮМЕ")
    )
    assert result.outcome is IntakeOutcome.ARCHIVED
    async with make_uow() as uow:
        deal = await uow.deals.get(result.deal_id)
        contact = await uow.contacts.get(result.contact_id)
    assert deal is not None and contact is not None
    assert deal.answers == {"need": "Пришлю РЕЗЮМЕ"} and deal.status is DealStatus.LOST
    assert contact.status is ContactStatus.ARCHIVED


async def test_the_form_s_own_answer_is_kept_and_the_message_only_joins_the_history(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    lead = WebLead(
        name="Анна", phone="+79161234567", message="ищу работу? нет, ищу подрядчика",
        answers={"need": "Сайт для кофейни"},
    )  # fmt: skip
    result = await post(make_uow, crm_config, lead)
    assert result.outcome is IntakeOutcome.ASSIGNED
    async with make_uow() as uow:
        deal = await uow.deals.get(result.deal_id)
        history = await uow.messages.for_deal(result.deal_id)
    assert deal is not None
    assert deal.answers == {"need": "Сайт для кофейни", "phone": "+79161234567"}
    assert [m.text for m in history] == ["ищу работу? нет, ищу подрядчика"]


async def test_a_long_message_answers_within_the_answer_length_and_is_kept_whole(
    make_uow: MakeUow, crm_config: CrmConfig
) -> None:
    message = "Нужен интернет-магазин. " * 100
    result = await post(make_uow, crm_config, WebLead(name="Олег", phone="+79031112233", message=message))
    async with make_uow() as uow:
        deal = await uow.deals.get(result.deal_id)
        history = await uow.messages.for_deal(result.deal_id)
    assert deal is not None
    assert deal.answers["need"] == message[: crm_config.intake.max_answer_length].strip()
    assert history[0].text == message


async def test_a_message_without_words_answers_nothing(make_uow: MakeUow, crm_config: CrmConfig) -> None:
    result = await post(make_uow, crm_config, WebLead(name="", phone="+79031112233", message="🙂🙂🙂"))
    async with make_uow() as uow:
        deal = await uow.deals.get(result.deal_id)
    assert deal is not None and "need" not in deal.answers
