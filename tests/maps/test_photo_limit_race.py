"""Finding 11 of #16: 16 parallel uploads to one feature used to leave 15 photos; the limit is 10.

Real HTTP against a live server (its threads, each with its own database connection), started at
the same moment by a barrier."""
import threading

import pytest
import requests
from rest_framework.authtoken.models import Token

from maps.models import FeaturePhoto
from maps.services import PHOTOS_PER_FEATURE

from .conftest import jpeg_with_gps


@pytest.mark.django_db(transaction=True)
def test_sixteen_parallel_uploads_leave_at_most_ten_photos(live_server, make_user, make_map, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "features": "1000/minute"}}
    owner = make_user("photo_owner")
    token = Token.objects.create(user=owner).key
    map_obj = make_map(owner, visibility="public")
    headers = {"Authorization": f"Token {token}"}
    created = requests.post(f"{live_server.url}/api/maps/{map_obj.pk}/features/", headers=headers, timeout=30, json={
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [127.0276, 37.4979]}, "properties": {"name": "강남역"}})
    assert created.status_code == 201, created.text
    url = f"{live_server.url}/api/maps/{map_obj.pk}/features/{created.json()['id']}/photos/"
    image = jpeg_with_gps()
    barrier = threading.Barrier(16)
    statuses = []

    def upload(i):
        barrier.wait(timeout=30)
        response = requests.post(url, headers=headers, files={"image": (f"p{i}.jpg", image, "image/jpeg")}, timeout=120)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert len(statuses) == 16
    assert FeaturePhoto.objects.filter(feature_id=created.json()["id"]).count() == PHOTOS_PER_FEATURE
    assert sorted(statuses) == [201] * PHOTOS_PER_FEATURE + [400] * (16 - PHOTOS_PER_FEATURE)
