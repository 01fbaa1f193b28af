"""The ``ordersync`` command line: a thin layer over :mod:`ordersync_app.services`."""
