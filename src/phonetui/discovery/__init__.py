"""Finding phones where admins keep them: CUCM, CSV files, address ranges."""
