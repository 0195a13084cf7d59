"""Fast inserts for bulk loads."""

from collections.abc import Sequence

from django.db import connection, models


def insert_rows(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Plain INSERTs for large loads of simple rows (demo data, the search index): Django's
    bulk_create spends most of its time preparing each field one by one. Values are adapted
    as Django would; only for code that builds the objects itself (never user input as SQL)."""
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model
    simple = [
        f
        for f in fields
        if f.get_internal_type()
        in ("CharField", "ForeignKey", "BooleanField", "IntegerField", "PositiveIntegerField", "BigIntegerField")
    ]
    rows = []
    for obj in objects:
        row = []
        for f in fields:
            value = getattr(obj, f.attname)
            row.append(value if f in simple else f.get_db_prep_save(value, connection))
        rows.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
