"""User-written text as it is stored."""


def plain_text(value: str | None) -> str:
    """Without NUL bytes (PostgreSQL refuses them, and no reader needs them), with Unix line
    ends (browsers send \\r\\n; one kind keeps diffs to real changes), trimmed."""
    text = (value or "").replace("\x00", "")
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
