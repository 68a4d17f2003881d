"""How /find compares names: both the stored name and the typed words are reduced to one search key.

Case folded (not just lowered: "STRASSE" finds "Straße"), ё read as е (people type either), runs of
whitespace made one space. Storage keeps each contact's key in a column (`contacts.search_name`) so the
database matches a part of a name with a plain LIKE on an indexed column, never calling back into Python
for every row.
"""

from __future__ import annotations


def search_key(text: str) -> str:
    """The form in which a name, or the words a person typed to find it, are compared."""
    return " ".join(text.casefold().replace("ё", "е").split())


def contact_search_key(name: str, username: str | None) -> str:
    """A contact's name and @username (without the @), one per line: a query holds no line break (it is
    `search_key`ed too), so a match never spans the end of the name and the start of the username."""
    return "\n".join(key for key in (search_key(name), search_key(username or "")) if key)
