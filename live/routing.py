from django.urls import path

from .consumers import MapConsumer, UserConsumer

websocket_urlpatterns = [
    path("ws/maps/<int:map_id>/", MapConsumer.as_asgi()),
    path("ws/me/", UserConsumer.as_asgi()),
]
