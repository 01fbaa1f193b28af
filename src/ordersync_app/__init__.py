"""OrderSync: keeps a small business's order system and CRM in sync, without code."""

__version__ = "0.1.0"
