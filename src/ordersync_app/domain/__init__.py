"""Plain value objects and the one error tree; depends on nothing but the stdlib and pydantic."""
