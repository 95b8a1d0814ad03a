"""Pulumi ComponentResources: one concept per module, wiring pure values from `tenancy` into resources."""
