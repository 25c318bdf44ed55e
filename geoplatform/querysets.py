"""Query expressions every app's querysets share."""
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def count_of(queryset, field: str):
    """A correlated COUNT subquery of `queryset` rows whose `field` is the outer row: counts stay right
    however many other joins the outer query has (0 when there are none)."""
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
