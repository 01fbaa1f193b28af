"""Built-in sandbox apps: local, stateful emulators of the vendor APIs the connectors use.

They let a new user (and every test) watch real recipes move real records over HTTP without an
account anywhere. See :func:`ordersync_app.sandbox.apps.build_server`.
"""
