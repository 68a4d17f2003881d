"""A manager's load norm: how many open deals they may have before distribution passes them by.

Each manager may have their own norm (`Staff.max_open_deals`); without one, the team's
`distribution.max_open_deals` is theirs. Only admins set it, from /staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.crm_config import CrmConfig
from domain.models import Role, Staff
from domain.ports import UnitOfWork

NORM_MIN, NORM_MAX = 1, 500
NORM_CHOICES = (5, 10, 15, 20, 30, 50)  # the buttons of /staff; any value in the range is valid


def norm_of(staff: Staff, config: CrmConfig) -> int:
    """The most open deals `staff` is given leads up to: their own norm, else the team's."""
    if staff.max_open_deals is not None:
        return staff.max_open_deals
    return config.distribution.max_open_deals


class NormOutcome(StrEnum):
    CHOOSE = "choose"  # the check before showing the choice: the norm may be set
    SET = "set"
    NOT_ALLOWED = "not_allowed"  # only admins set norms
    OUT_OF_RANGE = "out_of_range"
    NOT_FOUND = "not_found"  # no such member, or removed already
    NOT_MANAGER = "not_manager"  # leads are distributed among managers only: nobody else has a norm


@dataclass(frozen=True)
class NormResult:
    outcome: NormOutcome
    target: Staff | None = None


async def check_norm(uow: UnitOfWork, *, staff: Staff | None, target_id: int) -> NormResult:
    """Whether `staff` may set the norm of `target_id`: for the choice of numbers. Read-only."""
    result = await _norm_target(uow, staff, target_id)
    await uow.rollback()
    return result


async def set_load_norm(
    uow: UnitOfWork, *, staff: Staff | None, target_id: int, norm: int | None
) -> NormResult:
    """Set a manager's own norm (`None`: back to the team's). Commits when set; records nothing else.

    The deals they have stay theirs even above the new norm: it only decides who gets the next lead.
    """
    result = await _norm_target(uow, staff, target_id)
    if result.outcome is NormOutcome.CHOOSE and norm is not None and not NORM_MIN <= norm <= NORM_MAX:
        result = NormResult(NormOutcome.OUT_OF_RANGE, result.target)
    if result.outcome is not NormOutcome.CHOOSE or result.target is None:
        await uow.rollback()
        return result
    target = result.target
    target.max_open_deals = norm
    await uow.staff.save(target)
    await uow.commit()
    return NormResult(NormOutcome.SET, target)


async def _norm_target(uow: UnitOfWork, staff: Staff | None, target_id: int) -> NormResult:
    if staff is None or not staff.has(Role.ADMIN):
        return NormResult(NormOutcome.NOT_ALLOWED)
    target = await uow.staff.get(target_id)
    if target is None or not target.active:
        return NormResult(NormOutcome.NOT_FOUND, target)
    if not target.is_manager:
        return NormResult(NormOutcome.NOT_MANAGER, target)
    return NormResult(NormOutcome.CHOOSE, target)
