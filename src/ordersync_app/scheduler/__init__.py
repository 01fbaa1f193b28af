"""Background scheduling: APScheduler hosts recipe runs for the tray app and ``ordersync worker``."""
