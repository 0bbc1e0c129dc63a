package dev.clearance.search;

/**
 * How candidates meet authorization. {@code ADAPTIVE} (default) post-filters with refill rounds and
 * switches to the pre-filter when the first round shows the caller can see little.
 */
public enum Strategy {
    ADAPTIVE,
    POSTFILTER,
    PREFILTER
}
