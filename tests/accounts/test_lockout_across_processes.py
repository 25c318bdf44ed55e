"""The per-account lock-out holds across server processes when they share the cache (Redis), as in
docker-compose and the cluster: wrong passwords sent to two separate gunicorn processes add up."""
import pytest
import requests

from tests.conftest import PASSWORD
from tests.servers import served, served_env


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_wrong_passwords_sent_to_two_processes_lock_the_account_in_both(make_user, redis_url, tmp_path):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user = make_user("minji")
    # the servers run the production hashers (the test settings use a fast one they do not know)
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    env = served_env(CACHE_URL=redis_url.replace("redis://", "rediscache://"), AXES_FAILURE_LIMIT="5")
    with (served("gunicorn", "--workers", "1", env=env, log_path=tmp_path / "first.log") as first,
          served("gunicorn", "--workers", "1", env=env, log_path=tmp_path / "second.log") as second):
        servers = [first, second]

        def token(server, password):
            return requests.post(server.url("/api/auth/token/"), json={"username": "minji", "password": password},
                                 timeout=30)

        assert token(first, PASSWORD).status_code == 200  # both serve the account
        statuses = [token(servers[i % 2], f"guess-{i}").status_code for i in range(6)]
        assert statuses[:4] == [400] * 4  # 2 + 2 wrong answers, none locks on its own
        for server in servers:
            assert token(server, PASSWORD).status_code == 429, server.port  # 3 + 3 > 5: locked on both
