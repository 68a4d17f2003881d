"""The reports' SQL: aggregates computed by the database, never every deal loaded into Python."""
