"""Password hashing for staff accounts (Werkzeug's salted scrypt/pbkdf2 hashes)."""
from werkzeug.security import check_password_hash, generate_password_hash


def hash_password(password: str) -> str:
    """A salted hash to store; the password itself is never stored or logged."""
    return generate_password_hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Constant-time check of a password against its stored hash."""
    return check_password_hash(password_hash, password)
