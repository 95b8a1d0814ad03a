"""The record of retired buckets and prefixes (`tenants/_retired-buckets.yaml`): buckets of offboarded
registrations, kept in AWS with their data, and their prefixes of a shared fallback bucket, whose
objects stay too; none may be claimed again unless an operator hands it back.

Offboarding keeps a registration's buckets and takes them out of Pulumi's state; from then on the
name belongs to nobody in `tenants/`, and S3 in us-east-1 answers a create of a bucket the account
already owns with success. Without this record, the next tenant file that names the bucket would
get it, data included. The same holds for `<fallback bucket>/<name>/`: the next registration called
`<name>` would be granted the prefix, and read and delete what the old one left. `plan --base`
refuses an offboarding whose buckets or fallback prefix are not recorded here.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from tenancy.model.registration import BucketName, EnvironmentName, RegistrationName
from tenancy.model.validators import invalid, list_to_tuple

RETIRED_BUCKETS_FILE = "_retired-buckets.yaml"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, alias_generator=to_camel, validate_by_name=True)


class RetiredBucket(_Record):
    """One bucket left behind by an offboarding (or by a bucket name changed in a tenant file)."""

    bucket: BucketName = Field(
        description="The bucket's physical name, with its environment's affix, as `make plan` shows it under `buckets`."
    )
    registration: RegistrationName = Field(description="The registration it belonged to.")
    environment: EnvironmentName = Field(description="The environment whose stack created it.")
    return_to: RegistrationName | None = Field(
        default=None,
        description=(
            "The one registration that may name this bucket again: an operator hands the bucket back "
            "deliberately (docs/operations.md, re-onboarding a retained bucket). Unset: nobody may."
        ),
    )


class RetiredPrefix(_Record):
    """The prefix `<registration>/` of an environment's fallback bucket, left behind by an offboarding (or by a
    registration that took an artifactBucket of its own): its objects stay, and nobody else gets them."""

    bucket: BucketName = Field(description="The fallback bucket, by its real name (fallbackArtifactBucket.bucket).")
    registration: RegistrationName = Field(
        description="The registration it belonged to: its prefix was `<registration>/`, and no registration of that name gets it again."
    )
    environment: EnvironmentName = Field(description="The environment whose stack granted it.")
    return_to: RegistrationName | None = Field(
        default=None,
        description="Set to `registration` to hand the prefix back to a registration of that name on purpose. Unset: nobody may.",
    )

    @property
    def prefix(self) -> str:
        return f"{self.registration}/"

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


class RetiredBuckets(_Record):
    """The whole file."""

    retired_buckets: Annotated[tuple[RetiredBucket, ...], BeforeValidator(list_to_tuple)] = Field(
        default=(), description="Every retained bucket, each once."
    )
    retired_prefixes: Annotated[tuple[RetiredPrefix, ...], BeforeValidator(list_to_tuple)] = Field(
        default=(), description="Every retained prefix of a fallback bucket, each once."
    )

    @field_validator("retired_prefixes")
    @classmethod
    def _each_prefix_once(cls, value: tuple[RetiredPrefix, ...]) -> tuple[RetiredPrefix, ...]:
        seen: set[str] = set()
        for record in value:
            if record.uri in seen:
                raise invalid(f"lists prefix '{record.uri}' twice; record each prefix once")
            if record.return_to not in (None, record.registration):
                raise invalid(
                    f"hands {record.uri} to '{record.return_to}'; a fallback prefix is always `<name>/`, so only a "
                    f"registration named '{record.registration}' can have it back"
                )
            seen.add(record.uri)
        return value

    def prefix_of(self, bucket: str, registration: str) -> RetiredPrefix | None:
        """The record of `<bucket>/<registration>/`, if that fallback prefix was retired."""
        return next((r for r in self.retired_prefixes if (r.bucket, r.registration) == (bucket, registration)), None)

    @property
    def prefix_uris(self) -> tuple[str, ...]:
        return tuple(sorted(record.uri for record in self.retired_prefixes))

    @field_validator("retired_buckets")
    @classmethod
    def _each_bucket_once(cls, value: tuple[RetiredBucket, ...]) -> tuple[RetiredBucket, ...]:
        seen: set[str] = set()
        for record in value:
            if record.bucket in seen:
                raise invalid(f"lists bucket '{record.bucket}' twice; record each bucket once")
            seen.add(record.bucket)
        return value

    def of(self, bucket: str) -> RetiredBucket | None:
        """The record of physical bucket `bucket`, if it was retired."""
        return self._by_bucket.get(bucket)

    @cached_property
    def _by_bucket(self) -> dict[str, RetiredBucket]:
        return {record.bucket: record for record in self.retired_buckets}

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(record.bucket for record in self.retired_buckets))


NO_RETIRED_BUCKETS = RetiredBuckets()
