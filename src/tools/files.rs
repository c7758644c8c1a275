//! The files of a new repository, from its [`Plan`]: per environment a cluster directory (Flux
//! source, Kustomizations for infrastructure and apps, notifications), per layer a base and an
//! overlay per environment, per application a base and a patch in each overlay.

use super::scaffold::{EnvPlan, Follow, Plan, cpu, mem};

/// (repo-relative path, content), in the order they are written.
pub fn files(plan: &Plan) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in &plan.envs {
        cluster(plan, e, &mut out);
    }
    infrastructure(plan, &mut out);
    apps(plan, &mut out);
    if let Some(policy) = &plan.source_ref_policy {
        out.push(("policies/source-ref.yaml".into(), policy.clone()));
    }
    for layer in &plan.extra_layers {
        let empty =
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n";
        out.push((
            format!("{layer}/base/kustomization.yaml"),
            empty.to_string(),
        ));
        for e in &plan.envs {
            out.push((
                format!("{layer}/overlays/{}/kustomization.yaml", e.name),
                KUSTOMIZATION_BASE.to_string(),
            ));
        }
    }
    out
}

const KUSTOMIZATION_BASE: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\n";

fn cluster(plan: &Plan, e: &EnvPlan, out: &mut Vec<(String, String)>) {
    let dir = format!("clusters/{}", e.name);
    let reference = match &e.follow {
        Follow::Branch(b) => format!("branch: {b}"),
        Follow::Tag(t) => format!("tag: {t}"),
    };
    out.push((
        format!("{dir}/flux-system/gotk-sync.yaml"),
        format!(
            "apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: {interval}
  ref:
    {reference}
  secretRef:
    name: flux-system
  url: {url}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m
  path: ./{dir}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
",
            interval = e.interval,
            url = plan.git_url
        ),
    ));
    out.push((
        format!("{dir}/flux-system/kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-sync.yaml\n"
            .to_string(),
    ));
    for (name, extra) in [("infrastructure", "  wait: true\n"), ("apps", "")] {
        let depends = if name == "apps" {
            "  dependsOn:\n    - name: infrastructure\n"
        } else {
            ""
        };
        out.push((
            format!("{dir}/{name}.yaml"),
            format!(
                "apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: {name}
  namespace: flux-system
spec:
  interval: {interval}
{depends}  path: ./{name}/overlays/{env}
  prune: true
{extra}  sourceRef:
    kind: GitRepository
    name: flux-system
",
                interval = e.interval,
                env = e.name
            ),
        ));
    }
    let sources: String = plan
        .alert_kinds
        .iter()
        .map(|k| format!("    - kind: {k}\n      name: '*'\n"))
        .collect();
    out.push((
        format!("{dir}/notifications.yaml"),
        format!(
            "# Deployment announcements. Create the Secret `slack-webhook` (key `address`) in flux-system
# on the cluster; it is not kept in Git.
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Provider
metadata:
  name: slack
  namespace: flux-system
spec:
  type: slack
  channel: deploys-{env}
  secretRef:
    name: slack-webhook
---
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Alert
metadata:
  name: deployments
  namespace: flux-system
spec:
  providerRef:
    name: slack
  eventSeverity: {severity}
  eventSources:
{sources}",
            env = e.name,
            severity = plan.alert_severity
        ),
    ));
}

fn infrastructure(plan: &Plan, out: &mut Vec<(String, String)>) {
    let ns = &plan.namespace;
    let base = TIERS_BASE;
    out.push((
        "infrastructure/base/kustomization.yaml".into(),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - namespace.yaml\n  - quota.yaml\n  - limitrange.yaml\n".into(),
    ));
    out.push((
        "infrastructure/base/namespace.yaml".into(),
        format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"),
    ));
    out.push((
        "infrastructure/base/quota.yaml".into(),
        format!(
            "# Each overlay sets the environment's own limits.
apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
  namespace: {ns}
spec:
  hard:
    requests.cpu: \"1\"
    requests.memory: 1Gi
    limits.cpu: \"2\"
    limits.memory: 2Gi
    pods: \"10\"
"
        ),
    ));
    out.push((
        "infrastructure/base/limitrange.yaml".into(),
        format!(
            "# A safety net for containers added by hand; fluxlint still wants every container to set
# its own limits in the overlays.
apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
  namespace: {ns}
spec:
  limits:
    - type: Container
      default:
        cpu: {}
        memory: {}
      defaultRequest:
        cpu: {}
        memory: {}
",
            cpu(base.0),
            mem(base.1),
            cpu(base.2),
            mem(base.3)
        ),
    ));
    let apps = plan.apps.len() as u64;
    for e in &plan.envs {
        // room for a rolling update: one surge pod per app
        let pods = (e.replicas + 1) * apps;
        let t = e.tier;
        out.push((
            format!("infrastructure/overlays/{}/kustomization.yaml", e.name),
            format!(
                "{KUSTOMIZATION_BASE}patches:
  - target:
      kind: ResourceQuota
      name: compute
    patch: |
      - op: replace
        path: /spec/hard
        value:
          requests.cpu: {}
          requests.memory: {}
          limits.cpu: {}
          limits.memory: {}
          pods: \"{}\"
",
                cpu(pods * t.req_cpu),
                mem(pods * t.req_mem),
                cpu(pods * t.lim_cpu),
                mem(pods * t.lim_mem),
                pods + 2
            ),
        ));
    }
}

/// LimitRange defaults (limit cpu, limit memory, request cpu, request memory).
const TIERS_BASE: (u64, u64, u64, u64) = (200, 256, 100, 128);

fn apps(plan: &Plan, out: &mut Vec<(String, String)>) {
    let list: String = plan.apps.iter().map(|a| format!("  - {a}\n")).collect();
    out.push((
        "apps/base/kustomization.yaml".into(),
        format!(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: {}\nresources:\n{list}",
            plan.namespace
        ),
    ));
    for app in &plan.apps {
        out.push((
            format!("apps/base/{app}/kustomization.yaml"),
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n  - service.yaml\n".into(),
        ));
        out.push((
            format!("apps/base/{app}/deployment.yaml"),
            deployment(plan, app),
        ));
        out.push((
            format!("apps/base/{app}/service.yaml"),
            format!(
                "apiVersion: v1
kind: Service
metadata:
  name: {app}
spec:
  selector:
    app.kubernetes.io/name: {app}
  ports:
    - name: http
      port: 80
      targetPort: http
"
            ),
        ));
    }
    for e in &plan.envs {
        let dir = format!("apps/overlays/{}", e.name);
        let patches: String = plan
            .apps
            .iter()
            .map(|a| format!("  - path: {a}-patch.yaml\n"))
            .collect();
        out.push((
            format!("{dir}/kustomization.yaml"),
            format!(
                "{KUSTOMIZATION_BASE}labels:
  - pairs:
      environment: {}
    includeSelectors: false
patches:
{patches}",
                e.name
            ),
        ));
        for app in &plan.apps {
            out.push((format!("{dir}/{app}-patch.yaml"), patch(plan, e, app)));
        }
    }
}

fn deployment(plan: &Plan, app: &str) -> String {
    let t = TIERS_BASE;
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  labels:
    app.kubernetes.io/name: {app}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: {app}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {app}
    spec:
      containers:
        - name: {app}
          image: {registry}/{app}:0.1.0
          ports:
            - name: http
              containerPort: 8080
          resources:
            requests:
              cpu: {rc}
              memory: {rm}
            limits:
              cpu: {lc}
              memory: {lm}
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
",
        registry = plan.registry,
        rc = cpu(t.2),
        rm = mem(t.3),
        lc = cpu(t.0),
        lm = mem(t.1),
    )
}

fn patch(plan: &Plan, e: &EnvPlan, app: &str) -> String {
    let env: String = plan
        .variables
        .iter()
        .map(|(n, v)| {
            format!(
                "            - name: {n}\n              value: \"{}\"\n",
                v.replace("{environment}", &e.name).replace('"', "\\\"")
            )
        })
        .collect();
    let env = if env.is_empty() {
        String::new()
    } else {
        format!("          env:\n{env}")
    };
    let t = e.tier;
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  namespace: {ns}
spec:
  replicas: {replicas}
  template:
    spec:
      containers:
        - name: {app}
{env}          resources:
            requests:
              cpu: {rc}
              memory: {rm}
            limits:
              cpu: {lc}
              memory: {lm}
",
        ns = plan.namespace,
        replicas = e.replicas,
        rc = cpu(t.req_cpu),
        rm = mem(t.req_mem),
        lc = cpu(t.lim_cpu),
        lm = mem(t.lim_mem),
    )
}
