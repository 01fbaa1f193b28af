"""Connectors: one small module per vendor, built from the declarations in :mod:`.sdk`."""
