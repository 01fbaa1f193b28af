"""The connector SDK: declarations (spec), the shared HTTP layer, auth flows and the registry."""
