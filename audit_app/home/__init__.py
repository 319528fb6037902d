"""The home page: each part of a person's work, from every area, on one page."""
