"""The dedup stage's knobs (one frozen dataclass) and the fingerprint of the settings persisted keys
depend on."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_CONFIG", "DedupConfig"]


@dataclass(frozen=True)
class DedupConfig:
    """Knobs of the dedup stage (see bench/results/*.md for the measurements behind the defaults)."""

    shingle_size: int = 5  # words per shingle
    num_perm: int = 128  # MinHash permutations
    bands: int = 16  # LSH bands ...
    rows: int = 8  # ... of this many rows (bands * rows <= num_perm)
    jaccard_threshold: float = 0.5  # exact Jaccard on shingles to confirm a near duplicate
    containment_threshold: float = 0.6  # share of an excerpt's shingles found in its source ...
    plain_containment: float = 0.8  # ... at or above this, containment alone confirms a partial copy;
    # below it, the excerpt's text outside quotation marks must be found in the source too, at least
    # `unquoted_share` of its containment (two articles quoting one statement share only quotes)
    unquoted_share: float = 0.5
    min_excerpt_shingles: int = 20  # shared shingles below this never link (a sentence, a footer)
    # a short text (too short to be an article, `transforms.dedup.short`) is a copy of a kept story only
    # with at least this many shingles shared and as many outside quotation marks: a 16-word run
    min_short_shingles: int = 12
    roundup_min_share: float = 0.15  # share of a page from one story to count it as quoted there
    sample_bits: int = 3  # containment index keeps shingles whose hash has this many top zero bits
    max_sample_df: int = 200  # sampled shingles in more documents than this are boilerplate
    seed: int = 1  # MinHash permutation seed (datasketch's)
    batch_size: int = 2_000  # documents shingled and signed at once (at most; small stays in cache)
    workers: int = 2  # threads shingling and signing batches
    containment: bool = True  # search partial copies (excerpts, roundups); off: exact + near only

    def __post_init__(self) -> None:
        if self.bands * self.rows > self.num_perm:
            raise ValueError("bands * rows must not exceed num_perm")
        thresholds = (self.jaccard_threshold, self.containment_threshold, self.plain_containment)
        if not all(0.0 < t <= 1.0 for t in thresholds) or not 0.0 <= self.unquoted_share <= 1.0:
            raise ValueError("thresholds must be in (0, 1]")

    def fingerprint(self) -> str:
        """The settings that persisted keys and shingles depend on: a history index built with another
        fingerprint can never match this run's documents (see `KeyIndex.ensure_config`)."""
        return (
            f"shingle_size={self.shingle_size} num_perm={self.num_perm} bands={self.bands} "
            f"rows={self.rows} seed={self.seed} sample_bits={self.sample_bits}"
        )


DEFAULT_CONFIG = DedupConfig()  # the defaults, shared by every function that takes a config
