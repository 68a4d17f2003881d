"""Screens of the questionnaire."""
