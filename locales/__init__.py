"""The texts people read, as Fluent files: `locales/ru/*.ftl` and `locales/en/*.ftl`.

A package only so that the wheel ships the files as package data and `handlers/common/i18n.py` finds
them through `importlib.resources`, wherever the project is installed (README.md, "Texts").
"""
