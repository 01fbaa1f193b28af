"""``python -m ordersync_app`` is the same as the ``ordersync`` command."""

from ordersync_app.cli.main import main

raise SystemExit(main())
