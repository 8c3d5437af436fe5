"""Parts of the demo scenario, one module per service; each registers its seeders on import."""
