"""An audit's life: details, participating agencies, panel, status moves."""
