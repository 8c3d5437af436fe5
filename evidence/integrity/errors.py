"""Errors of the integrity subsystem. Each one stops the validation of a trail region.

Per-object problems (a tampered log, a deleted digest) are never exceptions: they are
:class:`~evidence.integrity.models.IntegrityItem` values in the result.
"""

from __future__ import annotations


class IntegrityError(Exception):
    """Base of every error raised by :mod:`evidence.integrity`."""


class ObjectNotFound(IntegrityError):
    """The object does not exist in the store (S3 ``NoSuchKey`` / a missing local file)."""

    def __init__(self, bucket: str, key: str) -> None:
        super().__init__(f"s3://{bucket}/{key} not found")
        self.bucket = bucket
        self.key = key


class StoreAccessError(IntegrityError):
    """The store refused or failed a request (AccessDenied, a bucket that is not in a local copy).

    Like ``aws cloudtrail validate-logs``, which aborts on any S3 error other than NoSuchKey,
    this ends the validation of the trail region: the caller records it as missing evidence.
    """


class PublicKeyError(IntegrityError):
    """Public keys could not be obtained or read (none in range, unreadable key file)."""


class LayoutError(IntegrityError):
    """A trail ARN or scope that does not describe a CloudTrail trail."""
