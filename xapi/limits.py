"""What the values the LRS indexes may hold: its columns' sizes, and no NUL character (PostgreSQL text cannot
hold one). Checked before anything is stored, so that such a value is a 400 naming it on every database (SQLite
enforces neither; PostgreSQL would fail the transaction)."""

IRI_LENGTH = 2048  # verbs, activities, agent keys, document ids: also well under a PostgreSQL btree entry's limit
MEDIA_TYPE_LENGTH = 255


def unstorable(value: str, limit: int) -> str | None:
    """The reason ``value`` cannot be stored, or None."""
    if len(value) > limit:
        return f"is {len(value)} characters long; this LRS stores up to {limit}"
    if "\x00" in value:
        return "contains a NUL character, which this LRS cannot store"
    return None
