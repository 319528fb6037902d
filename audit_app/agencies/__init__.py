"""The partnership's agencies."""
