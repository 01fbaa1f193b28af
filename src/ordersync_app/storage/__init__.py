"""Storage: SQLAlchemy 2 tables, the database engine with migrations, and repositories."""
