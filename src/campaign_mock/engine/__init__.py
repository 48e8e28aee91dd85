"""Vendor-blind machinery: specs, routing, validation, scenarios, sessions, clock, limits, faults, journal."""
