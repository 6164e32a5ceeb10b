"""symbolreel package."""
