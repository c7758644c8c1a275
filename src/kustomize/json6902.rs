//! TODO(#2): JSON 6902 patch.
