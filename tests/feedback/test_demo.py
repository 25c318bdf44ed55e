"""The demo loader builds feedback in every state through the services, once."""
import io

from campaigns.demo import MARK
from feedback.demo import load_demo
from feedback.models import Feedback
from geoplatform.demo import demo_users_load


def test_demo_loads_feedback_in_every_state_and_is_idempotent(db):
    out = io.StringIO()
    demo_users_load(out)
    load_demo(out)
    assert set(Feedback.objects.values_list("state", flat=True)) == {"new", "planned", "done", "declined"}
    assert all(f.text.startswith(MARK) for f in Feedback.objects.all())
    assert all(f.answer for f in Feedback.objects.exclude(state="new"))
    load_demo(out)
    assert Feedback.objects.count() == 4 and "already loaded" in out.getvalue()
