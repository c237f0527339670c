"""Feature lists (which cPanel features an account's package allows)."""
