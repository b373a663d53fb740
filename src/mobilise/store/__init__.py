"""Storage: SQLAlchemy tables, the engine, Alembic migrations and the audit trail.

``store`` knows nothing of ``workspace``, ``web`` or ``cli``.
"""
