//! kustomize's built-in field specs (api/konfig/builtinpluginconsts), one configuration document per
//! file, merged at start-up.

pub const DEFAULT_CONFIGS: &[&str] = &[
    include_str!("name_prefix.yaml"),
    include_str!("name_suffix.yaml"),
    include_str!("namespace.yaml"),
    include_str!("common_labels.yaml"),
    include_str!("template_labels.yaml"),
    include_str!("common_annotations.yaml"),
    include_str!("name_reference.yaml"),
    include_str!("var_reference.yaml"),
    include_str!("images.yaml"),
    include_str!("replicas.yaml"),
];
