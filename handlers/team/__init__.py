"""Staff commands: the team, invites, duty, the staff menu, the bot's chats."""
