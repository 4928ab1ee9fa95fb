"""Running models: one run, batches, executors, seeds and provenance."""
