"""How long the values the LRS indexes may be: its columns' sizes, checked before anything is stored, so that
an over-long value is a 400 naming it on every database (SQLite does not enforce them; PostgreSQL would fail
the transaction)."""

IRI_LENGTH = 2048  # verbs, activities, agent keys, document ids: also well under a PostgreSQL btree entry's limit
MEDIA_TYPE_LENGTH = 255


def too_long(value: str, limit: int) -> str | None:
    """The reason ``value`` cannot be stored, or None."""
    if len(value) <= limit:
        return None
    return f"is {len(value)} characters long; this LRS stores up to {limit}"
