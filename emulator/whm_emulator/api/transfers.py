"""Transfer sessions between servers, account archives and the restore queue."""
