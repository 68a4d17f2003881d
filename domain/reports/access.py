"""Who sees which reports (README.md, "Reports"): supervisors and admins every number, a manager their
own only (the scope's manager forced to theirs, and no comparison of managers), anyone else nothing."""

from __future__ import annotations

from domain.models import Staff
from domain.reports.scope import ReportScope


def may_see_reports(staff: Staff | None) -> bool:
    return staff is not None and (staff.is_manager or staff.oversees)


def sees_own_only(staff: Staff) -> bool:
    """A manager who oversees nobody: their own deals, never a colleague's figures."""
    return not staff.oversees


def viewer_scope(staff: Staff, scope: ReportScope) -> ReportScope:
    """The scope as this person may see it: a manager's always has their own id."""
    return scope.but(manager_id=staff.telegram_id) if sees_own_only(staff) else scope
