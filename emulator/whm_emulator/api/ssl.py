"""SSL certificates on vhosts and services, and AutoSSL."""
