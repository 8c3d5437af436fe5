"""CloudTrail log-file integrity: validate digest chains and log files, at least as strictly as
``aws cloudtrail validate-logs`` and stricter where a compliance review needs it.

Public API (each module's docstring has the details):

* :func:`evidence.integrity.validate.validate_trail` — one trail and source region over a period
  -> :class:`evidence.integrity.models.RegionIntegrity`; gather several with
  :meth:`evidence.integrity.models.IntegrityReport.from_regions`.
* :mod:`evidence.integrity.models` — scope, period, verdicts, finding codes, items, counts.
* :mod:`evidence.integrity.store` — :class:`S3Store`, :class:`LocalStore` (a synced copy).
* :mod:`evidence.integrity.sidecar` — S3 metadata of digests, captured for local validation.
* :mod:`evidence.integrity.keys` — public keys from ListPublicKeys or a ``list-public-keys`` file.
* :mod:`evidence.integrity.layout` — digest and log key names, the digests of a period.
* :mod:`evidence.integrity.synthetic` — a realistic signed chain for the demo and the tests.

Inner workings: :mod:`.digest` (one digest), :mod:`.logs` (one log file), :mod:`.signature`,
:mod:`.chain` (links, gaps, coverage), :mod:`.walk` (replay of the CLI's traversal).
"""
