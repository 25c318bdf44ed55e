"""The demo's flag queue (maps/demo.py flags its own sample): one believable item for city staff, through the real
services, once."""
import io

from django.test import Client

from geoplatform.demo import demo_users_load
from maps.demo import AD, load_demo as maps_demo
from maps.models import Feature
from moderation.models import Flag


def test_the_demo_hides_a_sample_advertisement_flagged_by_three_people_and_staff_see_it_queued(db, seoul,
                                                                                              map_templates):
    users = demo_users_load(io.StringIO())
    out = io.StringIO()
    maps_demo(out)
    ad = Feature.objects.get(name=AD)
    assert ad.map.title == "테헤란로 밤길 안전 지도" and ad.author.username == "citizen2"
    assert ad.is_hidden and "hidden until staff review it" in out.getvalue()
    assert set(Flag.objects.open().on("feature", ad.pk).values_list("user__username", flat=True)) == {
        "citizen", "analyst", "officer-gangnam"}
    staff = Client()
    staff.force_login(users["staff"])
    queue = staff.get("/api/moderation/flags/").json()
    assert AD in str(queue), queue
    maps_demo(io.StringIO())  # idempotent
    assert Feature.objects.filter(name=AD).count() == 1 and Flag.objects.count() == 3
