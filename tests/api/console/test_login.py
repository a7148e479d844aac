"""Signing in and out: sessions, the limiter, CSRF, cookie attributes, the secret file."""

from __future__ import annotations

import stat

from tests.api.console.conftest import PASSWORD, Console, csrf_of
from trailhound.api.console.sessions import SECRET_FILE, SESSION_COOKIE


def test_no_session_is_sent_to_sign_in_and_back(console: Console) -> None:
    for path in ("/incidents", "/search?q=x", "/alerts", "/rules", "/integrations", "/"):
        answer = console.client.get(path, follow_redirects=True)
        assert answer.url.path == "/login", path
        assert 'name="password"' in answer.text
    answer = console.client.get("/alerts?severity=high", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/alerts%3Fseverity%3Dhigh"
    signed = console.sign_in("alice", next_path="/alerts?severity=high")
    assert signed.status_code == 303 and signed.headers["location"] == "/alerts?severity=high"
    page = console.client.get("/alerts?severity=high")
    assert page.status_code == 200 and "alice (analyst)" in page.text


def test_a_bad_password_or_unknown_name_gets_no_session(console: Console) -> None:
    for name, password in (("alice", "not the password!"), ("nobody", PASSWORD)):
        answer = console.sign_in(name, password)
        assert answer.status_code == 401
        assert "Wrong name or password." in answer.text
        assert SESSION_COOKIE not in answer.cookies
    assert console.client.get("/incidents", follow_redirects=False).status_code == 303


def test_sign_in_attempts_are_rate_limited_per_name_and_per_client(console: Console) -> None:
    for _ in range(5):
        assert console.sign_in("alice", "guess guess guess").status_code == 401
    refused = console.sign_in("alice")  # the right password, too late
    assert refused.status_code == 429 and "Too many failed attempts" in refused.text
    assert SESSION_COOKIE not in refused.cookies
    assert console.sign_in("vic").status_code == 429  # the same client, another name
    limiter = console.client.app.state.console.limiter
    assert not limiter.allowed("alice", "10.9.9.9")  # the name, from any address


def test_the_sign_in_form_needs_its_csrf_token(console: Console) -> None:
    form = console.client.get("/login")
    token = csrf_of(form.text)
    for given in ("", "forged-token"):
        answer = console.client.post(
            "/login",
            data={"name": "alice", "password": PASSWORD, "csrf": given},
            follow_redirects=False,
        )
        assert answer.status_code == 403 and SESSION_COOKIE not in answer.cookies
    console.client.cookies.delete("th_login_csrf", path="/login")
    answer = console.client.post(
        "/login",
        data={"name": "alice", "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert answer.status_code == 403  # the token without its cookie: another site's form


def test_the_session_cookie_is_httponly_strict_and_secure_over_https(console: Console) -> None:
    answer = console.sign_in("alice")
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on loopback: a Secure cookie would not come back
    secure = console.client.__class__(console.client.app, base_url="https://testserver")
    form = secure.get("/login")
    answer = secure.post(
        "/login",
        data={"name": "alice", "password": PASSWORD, "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"]


def test_sign_out_needs_csrf_and_revokes_the_session(console: Console) -> None:
    console.sign_in("alice")
    token = console.client.cookies[SESSION_COOKIE]
    page = console.client.get("/incidents")
    refused = console.client.post("/logout", data={"csrf": "wrong"}, follow_redirects=False)
    assert refused.status_code == 403
    assert console.client.get("/incidents", follow_redirects=False).status_code == 200
    out = console.client.post("/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    console.client.cookies.set(SESSION_COOKIE, token)  # the old cookie, replayed
    assert console.client.get("/incidents", follow_redirects=False).status_code == 303


def test_forged_expired_and_removed_sessions_are_refused(console: Console) -> None:
    console.sign_in("alice")
    token = console.client.cookies[SESSION_COOKIE]
    payload, signature = token.split(".")
    signer = console.client.app.state.console.signer
    assert signer.check(token) is not None
    for forged in (payload + "." + signature[:-2] + "AA", "x.y", "", "a" * 5000):
        assert signer.check(forged) is None
    signer.seconds = -1
    (user,) = [u for u in console.api.product.users.list_users() if u.name == "alice"]
    expired, _ = signer.issue(user)
    assert signer.check(expired) is None
    signer.seconds = 3600
    # A role changed on the command line takes effect at the next request.
    console.api.product.users.add("alice", "viewer", PASSWORD)
    assert signer.check(token) is not None and signer.check(token).role == "viewer"


def test_the_signing_secret_is_private_and_never_shown(console: Console) -> None:
    path = console.api.product.data_dir.root / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = path.read_bytes()
    console.sign_in("alice")
    page = console.client.get("/incidents")
    assert secret.hex() not in page.text and str(secret) not in page.text


def test_next_never_leaves_the_site(console: Console) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:1"):
        answer = console.sign_in("alice", next_path=target)
        assert answer.headers["location"] == "/incidents", target
        console.sign_out()
