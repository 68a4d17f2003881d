"""Screens of the deal desk: the card text, its keyboards, its history pages."""
