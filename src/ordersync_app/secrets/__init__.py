"""Secrets live only in the OS keychain (or, on a headless machine, an encrypted file)."""
