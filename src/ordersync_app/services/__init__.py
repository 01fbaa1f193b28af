"""The service layer: the one API that both the CLI and the GUI call (like ``qutebrowser.api``)."""
