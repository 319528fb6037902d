"""The offline round trip: an agency's returns as a workbook, and back."""
