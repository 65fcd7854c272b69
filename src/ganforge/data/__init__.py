"""Data sources (a registry of named sources with fixed splits) and in-memory batching."""

from ganforge.data.batches import InMemoryBatches
from ganforge.data.datasets import DATA_SOURCES, Dataset, build_dataset
from ganforge.data.transforms import to_model_range, to_unit_range

__all__ = ["DATA_SOURCES", "Dataset", "InMemoryBatches", "build_dataset", "to_model_range",
           "to_unit_range"]
