"""How a ticket number reads: the service's prefix letter and its place in the day."""


def format_number(prefix: str, sequence: int) -> str:
    """`A-001` for the first ticket of service A; four digits once a day passes 999."""
    return f"{prefix}-{sequence:03d}"
