"""evidence: read-only AWS compliance evidence collection and auditor-ready evidence packs."""
