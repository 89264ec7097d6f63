"""Parking's clients for outside systems: one module each, a real and a local implementation."""
