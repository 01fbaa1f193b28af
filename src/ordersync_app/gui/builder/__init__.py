"""The recipe builder: step cards (trigger → filters → lookups → actions) that save the recipe file format."""
