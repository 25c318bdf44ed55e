"""The API's one way to read input through a serializer: refused input is DRF's 400 with field messages."""


def validated(serializer_class, data, **kwargs) -> dict:
    """`validated(InputSerializer, request.data)` (or `request.query_params`): the clean values, or a 400."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
