"""DNS zones and records (WHM API 1 DNS functions)."""
