"""Running stages: one unit alone (``bp2 stage run``) or a whole case (the local engine)."""
