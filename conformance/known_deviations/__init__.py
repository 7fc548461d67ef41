"""Known deviations: one TOML file per area, read by conformance.registry."""
