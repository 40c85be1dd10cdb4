"""deploy/nginx/hotline.conf run by a real nginx in front of a real node.

The shipped configuration is used as it is, but for what a test cannot have: the
certificate (a self-signed one made here), the ports (free ones instead of 80, 443
and 8000) and the backup node's name (a closed local port). Skipped where nginx or
openssl is not installed; CI installs nginx.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from twilio.request_validator import RequestValidator

from hotline import create_app
from tests.app_node import REPO, Node, free_port
from tests.conftest import app_config

CONF = REPO / "deploy" / "nginx" / "hotline.conf"
HOST = "hotline.example.org"
TOKEN = "nginx-test-auth-token-0123456789"
EMERGENCY_NUMBER = "+33184880000"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)"),
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed"),
    # Our own self-signed certificate, on purpose.
    pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning"),
]


SUPERVISOR, PASSWORD = "supervisor@example.org", "a long nginx test password"


@dataclass
class Proxy:
    https_port: int
    access_log: Path
    # By name, whatever their domain: requests would file them under the public name
    # (the Host header) and never send them to 127.0.0.1.
    cookies: dict[str, str] = field(default_factory=dict)

    def sign_in(self) -> None:
        """Sign in as the supervisor, through the login form and its CSRF token."""
        page = self.get("/login").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token is not None, page
        form = {"csrf_token": token[1], "email": SUPERVISOR, "password": PASSWORD}
        # Over HTTPS, Flask-WTF also wants the Referer of a browser on the public name
        # (and port: nginx passes on the one it listens on, here not 443).
        referer = {"Referer": f"https://{HOST}:{self.https_port}/login"}
        signed_in = self.post("/login", data=form, headers=referer, allow_redirects=False)
        assert signed_in.status_code == 302, signed_in.text

    def get(self, path: str, **options: object) -> requests.Response:
        return self._request("GET", path, **options)

    def post(self, path: str, **options: object) -> requests.Response:
        return self._request("POST", path, **options)

    def _request(self, method: str, path: str, **options: object) -> requests.Response:
        headers = {"Host": HOST, **options.pop("headers", {})}  # type: ignore[dict-item]
        url = f"https://127.0.0.1:{self.https_port}{path}"
        # verify=False: the certificate is our own self-signed one.
        response = requests.request(  # type: ignore[arg-type]
            method, url, headers=headers, cookies=self.cookies, verify=False, timeout=30, **options
        )  # noqa: S501
        self.cookies.update(response.cookies.get_dict())
        return response


def site_config(cert: Path, key: Path, ports: dict[str, int], access_log: Path) -> str:
    """The shipped site configuration with this test's certificate, ports, backup and log."""
    text = CONF.read_text().replace("/var/log/nginx/hotline.access.log", str(access_log))
    text = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", text)
    text = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", text)
    text = text.replace("listen 80;", f"listen 127.0.0.1:{ports['http']};")
    text = text.replace("listen 443 ", f"listen 127.0.0.1:{ports['https']} ")
    text = text.replace("127.0.0.1:8000", f"127.0.0.1:{ports['node']}")
    text = text.replace("node-b.internal:8000", f"127.0.0.1:{ports['backup']}")
    return text.replace("allow 10.0.0.0/8;", "allow 127.0.0.1;")


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    """One node behind one nginx for the whole module: each takes seconds to start."""
    tmp_path = tmp_path_factory.mktemp("nginx")
    database_url = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    cli = create_app(app_config(database_url)).test_cli_runner()
    assert cli.invoke(args=["db", "upgrade"]).exit_code == 0
    created = cli.invoke(
        args=["create-user", SUPERVISOR, "--role", "supervisor", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert created.exit_code == 0, created.output
    node = Node(
        "nginx",
        {
            **{k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
            "HOTLINE_DATABASE_URL": database_url,
            "HOTLINE_TWILIO_AUTH_TOKEN": TOKEN,
            "HOTLINE_EMERGENCY_NUMBER": EMERGENCY_NUMBER,
            "HOTLINE_PROXY_COUNT": "1",
            "HOTLINE_SECRET_KEY": "nginx-test-secret-key",
            "TMPDIR": str(tmp_path),
        },
        tmp_path / "node.log",
    )
    ports = {"http": free_port(), "https": free_port(), "node": node.port, "backup": free_port()}
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603 - a throw-away self-signed certificate
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={HOST}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    access_log = tmp_path / "access.log"
    (tmp_path / "site.conf").write_text(site_config(cert, key, ports, access_log))
    (tmp_path / "nginx.conf").write_text(
        f"daemon off; pid {tmp_path / 'nginx.pid'}; error_log {tmp_path / 'error.log'};\n"
        f"events {{}}\nhttp {{ access_log off; include {tmp_path / 'site.conf'}; }}\n"
    )
    node.start()
    server = subprocess.Popen(  # noqa: S603 - the nginx found above, our configuration
        [str(NGINX), "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_listening(server, ports["https"])
        yield Proxy(ports["https"], access_log)
    finally:
        server.send_signal(signal.SIGQUIT)
        server.wait(timeout=30)
        server.stderr.close()  # type: ignore[union-attr]
        node.stop()


def wait_until_listening(server: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"nginx refused the configuration:\n{server.stderr.read()}")  # type: ignore[union-attr]
        try:
            requests.get(f"https://127.0.0.1:{port}/healthz", verify=False, timeout=5)  # noqa: S501
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("nginx is not listening")


def test_a_user_signs_in_through_nginx_and_gets_the_charting_library_compressed(proxy):
    # The session cookie is Secure and the form CSRF-checked against the public name:
    # both must survive the proxy.
    proxy.sign_in()
    response = proxy.get(
        "/stats/assets/plotly.min.js", headers={"Accept-Encoding": "gzip"}, stream=True
    )
    sent = response.raw.read(decode_content=False)

    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    # What went over the wire is a third of the library, and unpacks to all of it.
    library = gzip.decompress(sent)
    assert len(sent) < len(library) / 2
    assert b"plotly" in library[:2000]


@pytest.mark.parametrize("path", ["/login", "/static/hotline.css"])
def test_pages_and_the_apps_own_assets_go_out_compressed(proxy, path):
    response = proxy.get(path, headers={"Accept-Encoding": "gzip"}, stream=True)
    sent = response.raw.read(decode_content=False)

    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == "gzip"
    assert len(sent) < len(gzip.decompress(sent))


def test_twilio_signs_the_public_url_and_the_node_behind_nginx_checks_it(proxy):
    params = {"CallSid": "CAnginx", "From": "+33699887766", "To": "+33184881234"}
    url = f"https://{HOST}/voice/incoming"
    signature = RequestValidator(TOKEN).compute_signature(url, params)

    signed = proxy.post("/voice/incoming", data=params, headers={"X-Twilio-Signature": signature})
    forged = proxy.post("/voice/incoming", data=params, headers={"X-Twilio-Signature": "x"})

    # An unknown number: the node answers with the emergency number, never silence.
    assert signed.status_code == 200
    assert f">{EMERGENCY_NUMBER}</Dial>" in signed.text
    assert forged.status_code == 403


def test_the_access_log_keeps_a_listen_links_path_without_its_token(proxy):
    token = "WzEsMl0.Zx1abc.listen-token-that-must-not-be-logged"

    page = proxy.get(f"/listen/{token}")
    audio = proxy.get(f"/listen/{token}/audio?seek=1")
    login = proxy.get("/login?next=%2Fstats%2F")

    # Not a link the node signed: refused, and logged without what was typed.
    assert (page.status_code, audio.status_code, login.status_code) == (404, 404, 200)
    log = proxy.access_log.read_text()
    assert token not in log
    assert '"GET /listen/- HTTP/' in log
    assert '"GET /listen/-/audio?seek=1 HTTP/' in log
    assert '"GET /login?next=%2Fstats%2F HTTP/' in log  # other paths are kept whole
