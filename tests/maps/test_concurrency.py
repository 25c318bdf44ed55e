"""No lost updates: two people saving the same version at the same moment, on two real database connections."""
import json
import threading

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction

from maps.models import Feature, FeatureVersion
from maps.selectors import feature_access
from maps.services import FeatureConflict, collaborator_set, feature_create, feature_update, map_create

from .conftest import GANGNAM_TOILET, toilet


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_edits_of_one_version_give_one_success_and_one_conflict(make_user):
    owner, editor = make_user("owner"), make_user("editor")
    m = map_create(owner=owner, title="동시 편집 시험 지도", contribution_mode="editors")
    collaborator_set(map_obj=m, actor=owner, user=editor, role="editor")
    feature = feature_create(map_obj=m, actor=owner, geom=GEOSGeometry(json.dumps(toilet(GANGNAM_TOILET)["geometry"])),
                             name="처음")
    barrier = threading.Barrier(2)
    outcomes = {}

    def edit(user, name):
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():  # as every door does: the access helper locks, the service writes
                locked = feature_access(user=user, map_obj=m, feature_id=feature.pk, lock=True)
                feature_update(feature=locked, actor=user, expected_version=1, name=name)
            outcomes[name] = "saved"
        except FeatureConflict as conflict:
            outcomes[name] = f"conflict at v{conflict.feature.version}"
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(owner, "주인의 수정")),
               threading.Thread(target=edit, args=(editor, "편집자의 수정"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values()) == ["conflict at v2", "saved"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    stored = Feature.objects.get(pk=feature.pk)
    assert stored.name == winner and stored.version == 2
    assert list(FeatureVersion.objects.filter(feature_id=feature.pk).values_list("action", flat=True)) == [
        "create", "update"]
