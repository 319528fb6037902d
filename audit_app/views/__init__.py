"""Flask views: each parses the request, calls a domain function and renders a page."""
