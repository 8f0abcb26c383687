//! Placeholder: the header round-trip tests live here.
