"""An HTTP(S) endpoint (an S3 service, the webhook base URL) split once into scheme, host[:port] and path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# AWS's S3 endpoints: s3.<region>.amazonaws.com, with the dualstack and FIPS variants.
_AWS_S3_HOST = re.compile(
    r"s3(?:[.-](?:dualstack|fips)){0,2}[.-](?P<region>[a-z]{2}(?:-[a-z]+)+-\d{1,2})\.amazonaws\.com(?::443)?", re.ASCII
)


@dataclass(frozen=True)
class Endpoint:
    """Where a service is reached. Equal endpoints are the same service; `path` is "" or starts with '/'."""

    scheme: str
    host: str
    path: str = ""

    @classmethod
    def parse(cls, url: str, default_scheme: str = "https") -> Endpoint:
        """`http://minio:9000` -> (http, minio:9000, ""); a bare `host[:port]` gets `default_scheme`.

        Takes a URL that `formats.http_url_problem` accepts; a lone trailing '/' is no path.
        """
        # Without "://", urlsplit would read `minio:9000` as scheme `minio`.
        parts = urlsplit(url if "://" in url else f"{default_scheme}://{url}")
        return cls(parts.scheme, parts.netloc, "" if parts.path == "/" else parts.path)

    @classmethod
    def aws_s3(cls, region: str, scheme: str = "https") -> Endpoint:
        return cls(scheme, f"s3.{region}.amazonaws.com")

    @property
    def origin(self) -> str:
        """scheme://host[:port], without the path."""
        return f"{self.scheme}://{self.host}"

    @property
    def url(self) -> str:
        return f"{self.origin}{self.path}"

    @property
    def port(self) -> int:
        """The TCP port clients connect to: the host's, else the scheme's."""
        explicit = urlsplit(self.origin).port
        return explicit if explicit is not None else (80 if self.scheme == "http" else 443)

    @property
    def insecure(self) -> bool:
        return self.scheme == "http"

    @property
    def aws_region(self) -> str | None:
        """The region an AWS S3 endpoint's host names (`us-east-1` for the global one); None when not AWS S3."""
        if self.host in ("s3.amazonaws.com", "s3.amazonaws.com:443"):
            return "us-east-1"
        match = _AWS_S3_HOST.fullmatch(self.host)
        return match["region"] if match else None
