//! Notification Alerts and Providers.

use crate::flux::Environment;
use crate::yaml::Node;

use super::{NOTIFICATION_GROUP, Obj, default_ns, objects};

/// One `spec.eventSources` entry of an Alert, namespace defaulted.
#[derive(Clone, Debug)]
pub struct EventSource<'a> {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub node: &'a Node,
    /// The entry's `name` node (or the entry).
    pub name_node: &'a Node,
}

/// A notification Alert.
#[derive(Clone, Copy)]
pub struct Alert<'a>(pub Obj<'a>);

impl<'a> Alert<'a> {
    pub fn suspend(&self) -> Option<&'a Node> {
        self.0
            .get(&["spec", "suspend"])
            .filter(|n| n.as_bool() == Some(true))
    }
    /// `spec.providerRef.name`.
    pub fn provider_ref(&self) -> Option<&'a Node> {
        self.0.get(&["spec", "providerRef", "name"])
    }
    /// `spec.eventSeverity` (Flux's default is `info`).
    pub fn event_severity(&self) -> Option<&'a Node> {
        self.0.get(&["spec", "eventSeverity"])
    }
    pub fn event_sources_node(&self) -> Option<&'a Node> {
        self.0.get(&["spec", "eventSources"])
    }
    pub fn event_sources(&self) -> Vec<EventSource<'a>> {
        let items = self
            .event_sources_node()
            .and_then(Node::as_seq)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        items
            .iter()
            .map(|node| {
                let name_node = node.get("name").unwrap_or(node);
                EventSource {
                    kind: node.str_at(&["kind"]).unwrap_or("").to_string(),
                    name: name_node.scalar_string().unwrap_or_default(),
                    namespace: default_ns(node.str_at(&["namespace"]), self.0.namespace()),
                    node,
                    name_node,
                }
            })
            .collect()
    }
}

pub fn alerts(env: &Environment) -> Vec<Alert<'_>> {
    objects(env, NOTIFICATION_GROUP, &["Alert"])
        .into_iter()
        .map(Alert)
        .collect()
}

/// The Provider a reference names.
pub fn find_provider<'a>(env: &'a Environment, name: &str, namespace: &str) -> Option<Obj<'a>> {
    objects(env, NOTIFICATION_GROUP, &["Provider"])
        .into_iter()
        .find(|p| p.is_named(name, namespace))
}
