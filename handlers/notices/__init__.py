"""What the outbox sends, rendered at send time: one renderer per notice family."""
