"""The client's side: the questionnaire, their messages after it, and their screens."""
