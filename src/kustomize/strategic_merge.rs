//! TODO(#2): strategic merge patch.
