"""weft: synchronization primitives shared by threads, event loops and languages."""
