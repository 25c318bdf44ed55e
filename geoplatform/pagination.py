from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

MAX_OFFSET = 10_000_000


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """limit/offset paging with a ceiling on both, so a huge ?offset= is a 400, not a database error."""

    default_limit = 100
    max_limit = 1000

    def get_offset(self, request):
        offset = super().get_offset(request)
        if offset > MAX_OFFSET:
            raise ValidationError({"offset": f"offset must be at most {MAX_OFFSET}. / offset은 {MAX_OFFSET} 이하여야 합니다."})
        return offset
