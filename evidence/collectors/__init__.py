"""Collectors: one module per AWS service; each registers its collectors on import."""
