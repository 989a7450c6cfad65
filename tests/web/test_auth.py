"""Log-in, log-out, rate limiting, security headers and who may see what."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.web.fakes import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_sends_security_headers(client):
    resp = client.get(reverse("login"))
    assert resp.status_code == 200
    csp = resp["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert resp["X-Frame-Options"] == "DENY"


def test_right_password_logs_in(client, make_coach):
    make_coach("alice", "Eagles")
    resp = _login(client, "alice", PASSWORD)
    assert resp.status_code == 302 and resp["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_is_refused(client, make_coach):
    make_coach("alice", "Eagles")
    resp = _login(client, "alice", "not-the-password")
    assert resp.status_code == 200
    assert b"Wrong username or password" in resp.content
    assert client.get(reverse("home")).status_code == 302  # still logged out


def test_repeated_failures_lock_the_login(client, make_coach, settings):
    make_coach("alice", "Eagles")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "alice", "wrong")
    locked = _login(client, "alice", PASSWORD)  # even the right password is refused now
    assert locked.status_code in (403, 429)
    assert b"Too many failed log-ins" in locked.content
    assert client.get(reverse("home")).status_code == 302


def test_passwords_are_hashed_with_argon2(make_coach):
    user = make_coach("alice", "Eagles")
    assert user.password.startswith("argon2$")


def test_logout_needs_a_post(coach_client):
    assert coach_client.post(reverse("logout")).status_code == 302
    assert coach_client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize(
    "name,args",
    [
        ("home", []),
        ("upload", []),
        ("clip", [1]),
        ("clip_status", [1]),
        ("clip_file", [1, "report.html"]),
        ("athletes", []),
        ("athlete", [1]),
        ("import_batch", []),
    ],
)
def test_pages_need_a_login(client, name, args):
    resp = client.get(reverse(name, args=args))
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("login"))


def test_a_user_without_a_team_sees_no_clips(client):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("loner", password=PASSWORD)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    resp = client.get(reverse("home"))
    assert resp.status_code == 403 and b"No team" in resp.content


def test_form_posts_without_csrf_token_are_rejected(make_coach):
    from analyzer.web.models import Clip, Team

    user = make_coach("alice", "Eagles")
    csrf_client = Client(enforce_csrf_checks=True)
    assert csrf_client.post(reverse("login"), {"username": "alice", "password": PASSWORD}
                            ).status_code == 403
    csrf_client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    clip = Clip.objects.create(team=Team.objects.get(name="Eagles"), original_name="a.mp4",
                               status=Clip.Status.DONE)
    for url, data in [
        (reverse("athletes"), {"name": "Sam"}),
        (reverse("share_create", args=[clip.pk]), {}),
        (reverse("clip_delete", args=[clip.pk]), {}),
        (reverse("logout"), {}),
    ]:
        assert csrf_client.post(url, data).status_code == 403, url
    assert Clip.objects.filter(pk=clip.pk).exists()
    with open(__file__, "rb") as fh:
        resp = csrf_client.post(reverse("upload"), {"clip": fh})
    assert resp.status_code == 403


def test_admin_is_for_superusers_only(coach_client):
    resp = coach_client.get("/admin/")
    assert resp.status_code == 302 and "/admin/login/" in resp["Location"]
