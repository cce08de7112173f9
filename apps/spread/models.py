"""Spread has no tables of its own: every figure is read from the catalog's projects and sites."""
