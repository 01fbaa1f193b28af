"""The PySide6 desktop app. Only this package imports Qt; it calls the service layer, never the engine."""
