"""Reports for supervisors and managers: /report and /export (README.md, "Reports")."""
