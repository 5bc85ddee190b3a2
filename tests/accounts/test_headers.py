"""Headers (docs/operations.md, "Headers"): the Content-Security-Policy and templates it can hold,
Permissions-Policy, no-store on private answers, and what EXTRAMILE_HTTPS / EXTRAMILE_PROXIES set,
down to a clean ``extramile check --deploy`` with the documented production settings."""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.api.conftest import token_for

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "src" / "extramile" / "web" / "templates"
# E-mails are never served as pages, and mail programs need their styles inline.
EMAILS = {"agenda/digest.html"}

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def directives(header: str) -> dict[str, str]:
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in header.split(";"))
        if part
    }


# --- Content-Security-Policy ------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_carries_the_policy(client, owner, customer):
    login_page = client.get(reverse("login"))
    assert directives(login_page["Content-Security-Policy"]) == directives(POLICY)
    client.force_login(owner)
    for url in (reverse("today"), reverse("customer", args=[customer.pk]), "/api/docs"):
        header = client.get(url)["Content-Security-Policy"]
        assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header
        assert directives(header)["script-src"] == "'self'", url


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler (on…=)"),
    (re.compile(r"\shx-on[:-]", re.I), "an hx-on handler (needs eval)"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style[\s>]", re.I), "an inline <style>"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_template_holds_inline_script_or_style():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in EMAILS:
            continue
        text = path.read_text()
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{name}:{line}: {what}")
    assert found == [], "the Content-Security-Policy refuses these:\n" + "\n".join(found)


def test_htmx_is_told_to_do_without_eval_and_inline_styles():
    base = (TEMPLATES / "base.html").read_text()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", base)
    assert config is not None
    assert json.loads(config.group(1)) == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
    }
    assert "extramile/extramile.js" in base


# --- Permissions-Policy and Cache-Control -----------------------------------------------------


@pytest.mark.django_db
def test_pages_carry_a_permissions_policy(client, owner):
    for response in (client.get(reverse("login")), client.get(reverse("password_reset"))):
        policy = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in policy


@pytest.mark.django_db
def test_a_signed_in_persons_pages_are_not_stored(client, owner, customer):
    client.force_login(owner)
    for url in (
        reverse("today"),
        reverse("customers"),
        reverse("customer", args=[customer.pk]),
        reverse("settings"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url
    fragment = client.get(reverse("customers"), {"q": "Anna"}, HTTP_HX_REQUEST="true")
    assert "no-store" in fragment["Cache-Control"]


@pytest.mark.django_db
def test_api_answers_with_personal_data_are_not_stored(client, owner, customer):
    secret = token_for(owner)
    for path in ("/api/me", "/api/customers", f"/api/customers/{customer.pk}"):
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


@pytest.mark.django_db
def test_public_files_stay_cacheable(client, company):
    """Nothing personal in the stylesheet or the public API description: no no-store there."""
    assert "no-store" not in client.get("/api/openapi.json").get("Cache-Control", "")


# --- HTTPS and proxies ------------------------------------------------------------------------


def settings_with(tmp_path: Path, **env: str) -> dict[str, object]:
    """Settings as the environment ``env`` makes them, read in a fresh process."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); print(json.dumps("
        "{k: getattr(settings, k, None) for k in ('SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE',"
        " 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS',"
        " 'SECURE_HSTS_PRELOAD', 'SECURE_PROXY_SSL_HEADER', 'PROXIES', 'SILENCED_SYSTEM_CHECKS')}))"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "extramile.settings",
        "EXTRAMILE_DATA_DIR": str(tmp_path),
        **env,
    }
    for name in ("EXTRAMILE_HTTPS", "EXTRAMILE_PROXIES", "EXTRAMILE_SECURE_COOKIES"):
        if name not in env:
            environment.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def test_https_sets_the_secure_trio_and_hsts(tmp_path):
    plain = settings_with(tmp_path)
    assert plain["SECURE_SSL_REDIRECT"] is False and plain["SECURE_HSTS_SECONDS"] == 0
    assert plain["SESSION_COOKIE_SECURE"] is False and plain["SECURE_PROXY_SSL_HEADER"] is None
    https = settings_with(tmp_path, EXTRAMILE_HTTPS="true")
    assert https["SECURE_SSL_REDIRECT"] is True
    assert https["SESSION_COOKIE_SECURE"] is True and https["CSRF_COOKIE_SECURE"] is True
    assert https["SECURE_HSTS_SECONDS"] == 31_536_000
    assert https["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and https["SECURE_HSTS_PRELOAD"] is False
    assert https["SILENCED_SYSTEM_CHECKS"] == ["security.W021", "fields.W161"]
    preload = settings_with(
        tmp_path, EXTRAMILE_HTTPS="true", EXTRAMILE_HSTS_PRELOAD="yes", EXTRAMILE_HSTS_SECONDS="300"
    )
    assert preload["SECURE_HSTS_PRELOAD"] is True and preload["SECURE_HSTS_SECONDS"] == 300
    assert preload["SILENCED_SYSTEM_CHECKS"] == ["fields.W161"]
    proxied = settings_with(tmp_path, EXTRAMILE_PROXIES="1")
    assert proxied["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert proxied["PROXIES"] == 1


@pytest.mark.django_db
@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31_536_000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_behind_the_proxy_http_is_redirected_and_https_gets_hsts(client, company):
    plain = client.get("/login/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/login/"
    secure = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def script(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "EXTRAMILE_DATA_DIR": str(tmp_path), **env}
    return subprocess.run(
        [str(Path(sys.executable).parent / "extramile"), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EXTRAMILE_HTTPS", "maybe"),
        ("EXTRAMILE_PROXIES", "one"),
        ("EXTRAMILE_PROXIES", "-1"),
        ("EXTRAMILE_HSTS_SECONDS", "a year"),
        ("EXTRAMILE_LOCKOUT_FAILURES", "0"),
        ("EXTRAMILE_LOCKOUT_MINUTES", "ten"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting(tmp_path, name, value):
    done = script(tmp_path, "check", **{"EXTRAMILE_HTTPS": "true", name: value})
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and name in done.stderr
    assert done.stderr.startswith("extramile: configuration error: ")


def documented_production_settings(tmp_path: Path) -> dict[str, str]:
    """The ``export`` lines of docs/operations.md's "Running" block, for a check on this machine:
    a real secret key for the "…" placeholder, and a SQLite file instead of the database server
    (the deploy check does not connect)."""
    text = (ROOT / "docs" / "operations.md").read_text()
    block = re.search(r"## Running\n+```sh\n(.*?)```", text, re.S)
    assert block is not None
    env = {}
    for line in block.group(1).splitlines():
        if line.startswith("export "):
            words = shlex.split(line[len("export ") :], comments=True)
            name, _, value = words[0].partition("=")
            env[name] = value
    assert {"EXTRAMILE_HTTPS", "EXTRAMILE_SECRET_KEY", "EXTRAMILE_ALLOWED_HOSTS"} <= set(env)
    env["EXTRAMILE_SECRET_KEY"] = secrets.token_urlsafe(50)
    env["EXTRAMILE_DATA_DIR"] = str(tmp_path)
    env["EXTRAMILE_DATABASE_URL"] = f"sqlite:///{tmp_path}/deploy.sqlite3"
    return env


def test_the_deploy_check_is_clean_with_the_documented_production_settings(tmp_path):
    done = script(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **documented_production_settings(tmp_path),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout + done.stderr


def test_without_https_the_deploy_check_names_what_is_missing(tmp_path):
    env = documented_production_settings(tmp_path)
    env["EXTRAMILE_HTTPS"] = "false"
    done = script(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **env)
    assert done.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in done.stderr + done.stdout
