"""The main window's pages (one module each); every page reads data through the service layer."""
