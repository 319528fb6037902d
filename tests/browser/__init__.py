"""Browser tests: real journeys in headless Chromium, with axe-core on every page."""
