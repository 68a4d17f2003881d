"""Reports for supervisors (README.md, "Reports"): what they count, computed from SQL aggregates."""
