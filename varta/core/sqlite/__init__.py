"""The embedded default's database backend: Django's SQLite backend with a queue for write transactions
(``base.py``)."""
