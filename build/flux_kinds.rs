// The Flux kinds of the kcr_* crates: (type, apiVersion, kind). Regenerate the list from the
// crates' `#[kube(group, version, kind)]` attributes when they are updated.
macro_rules! flux_kinds {
    ($f:ident) => {
        $f!(kcr_fluxcd_controlplane_io::v1::fluxinstances::FluxInstance, "fluxcd.controlplane.io/v1", "FluxInstance");
        $f!(kcr_fluxcd_controlplane_io::v1::fluxreports::FluxReport, "fluxcd.controlplane.io/v1", "FluxReport");
        $f!(kcr_fluxcd_controlplane_io::v1::resourcesetinputproviders::ResourceSetInputProvider, "fluxcd.controlplane.io/v1", "ResourceSetInputProvider");
        $f!(kcr_fluxcd_controlplane_io::v1::resourcesets::ResourceSet, "fluxcd.controlplane.io/v1", "ResourceSet");
        $f!(kcr_helm_toolkit_fluxcd_io::v2::helmreleases::HelmRelease, "helm.toolkit.fluxcd.io/v2", "HelmRelease");
        $f!(kcr_helm_toolkit_fluxcd_io::v2beta1::helmreleases::HelmRelease, "helm.toolkit.fluxcd.io/v2beta1", "HelmRelease");
        $f!(kcr_helm_toolkit_fluxcd_io::v2beta2::helmreleases::HelmRelease, "helm.toolkit.fluxcd.io/v2beta2", "HelmRelease");
        $f!(kcr_image_toolkit_fluxcd_io::v1::imagepolicies::ImagePolicy, "image.toolkit.fluxcd.io/v1", "ImagePolicy");
        $f!(kcr_image_toolkit_fluxcd_io::v1::imagerepositories::ImageRepository, "image.toolkit.fluxcd.io/v1", "ImageRepository");
        $f!(kcr_image_toolkit_fluxcd_io::v1::imageupdateautomations::ImageUpdateAutomation, "image.toolkit.fluxcd.io/v1", "ImageUpdateAutomation");
        $f!(kcr_image_toolkit_fluxcd_io::v1beta1::imagepolicies::ImagePolicy, "image.toolkit.fluxcd.io/v1beta1", "ImagePolicy");
        $f!(kcr_image_toolkit_fluxcd_io::v1beta1::imagerepositories::ImageRepository, "image.toolkit.fluxcd.io/v1beta1", "ImageRepository");
        $f!(kcr_image_toolkit_fluxcd_io::v1beta1::imageupdateautomations::ImageUpdateAutomation, "image.toolkit.fluxcd.io/v1beta1", "ImageUpdateAutomation");
        $f!(kcr_image_toolkit_fluxcd_io::v1beta2::imagepolicies::ImagePolicy, "image.toolkit.fluxcd.io/v1beta2", "ImagePolicy");
        $f!(kcr_image_toolkit_fluxcd_io::v1beta2::imagerepositories::ImageRepository, "image.toolkit.fluxcd.io/v1beta2", "ImageRepository");
        $f!(kcr_image_toolkit_fluxcd_io::v1beta2::imageupdateautomations::ImageUpdateAutomation, "image.toolkit.fluxcd.io/v1beta2", "ImageUpdateAutomation");
        $f!(kcr_kustomize_toolkit_fluxcd_io::v1::kustomizations::Kustomization, "kustomize.toolkit.fluxcd.io/v1", "Kustomization");
        $f!(kcr_kustomize_toolkit_fluxcd_io::v1beta1::kustomizations::Kustomization, "kustomize.toolkit.fluxcd.io/v1beta1", "Kustomization");
        $f!(kcr_kustomize_toolkit_fluxcd_io::v1beta2::kustomizations::Kustomization, "kustomize.toolkit.fluxcd.io/v1beta2", "Kustomization");
        $f!(kcr_notification_toolkit_fluxcd_io::v1::receivers::Receiver, "notification.toolkit.fluxcd.io/v1", "Receiver");
        $f!(kcr_notification_toolkit_fluxcd_io::v1beta1::alerts::Alert, "notification.toolkit.fluxcd.io/v1beta1", "Alert");
        $f!(kcr_notification_toolkit_fluxcd_io::v1beta1::providers::Provider, "notification.toolkit.fluxcd.io/v1beta1", "Provider");
        $f!(kcr_notification_toolkit_fluxcd_io::v1beta1::receivers::Receiver, "notification.toolkit.fluxcd.io/v1beta1", "Receiver");
        $f!(kcr_notification_toolkit_fluxcd_io::v1beta2::alerts::Alert, "notification.toolkit.fluxcd.io/v1beta2", "Alert");
        $f!(kcr_notification_toolkit_fluxcd_io::v1beta2::providers::Provider, "notification.toolkit.fluxcd.io/v1beta2", "Provider");
        $f!(kcr_notification_toolkit_fluxcd_io::v1beta2::receivers::Receiver, "notification.toolkit.fluxcd.io/v1beta2", "Receiver");
        $f!(kcr_notification_toolkit_fluxcd_io::v1beta3::alerts::Alert, "notification.toolkit.fluxcd.io/v1beta3", "Alert");
        $f!(kcr_notification_toolkit_fluxcd_io::v1beta3::providers::Provider, "notification.toolkit.fluxcd.io/v1beta3", "Provider");
        $f!(kcr_source_toolkit_fluxcd_io::v1::buckets::Bucket, "source.toolkit.fluxcd.io/v1", "Bucket");
        $f!(kcr_source_toolkit_fluxcd_io::v1::gitrepositories::GitRepository, "source.toolkit.fluxcd.io/v1", "GitRepository");
        $f!(kcr_source_toolkit_fluxcd_io::v1::helmcharts::HelmChart, "source.toolkit.fluxcd.io/v1", "HelmChart");
        $f!(kcr_source_toolkit_fluxcd_io::v1::helmrepositories::HelmRepository, "source.toolkit.fluxcd.io/v1", "HelmRepository");
        $f!(kcr_source_toolkit_fluxcd_io::v1::ocirepositories::OciRepository, "source.toolkit.fluxcd.io/v1", "OCIRepository");
        $f!(kcr_source_toolkit_fluxcd_io::v1beta1::buckets::Bucket, "source.toolkit.fluxcd.io/v1beta1", "Bucket");
        $f!(kcr_source_toolkit_fluxcd_io::v1beta1::gitrepositories::GitRepository, "source.toolkit.fluxcd.io/v1beta1", "GitRepository");
        $f!(kcr_source_toolkit_fluxcd_io::v1beta1::helmcharts::HelmChart, "source.toolkit.fluxcd.io/v1beta1", "HelmChart");
        $f!(kcr_source_toolkit_fluxcd_io::v1beta1::helmrepositories::HelmRepository, "source.toolkit.fluxcd.io/v1beta1", "HelmRepository");
        $f!(kcr_source_toolkit_fluxcd_io::v1beta2::buckets::Bucket, "source.toolkit.fluxcd.io/v1beta2", "Bucket");
        $f!(kcr_source_toolkit_fluxcd_io::v1beta2::gitrepositories::GitRepository, "source.toolkit.fluxcd.io/v1beta2", "GitRepository");
        $f!(kcr_source_toolkit_fluxcd_io::v1beta2::helmcharts::HelmChart, "source.toolkit.fluxcd.io/v1beta2", "HelmChart");
        $f!(kcr_source_toolkit_fluxcd_io::v1beta2::helmrepositories::HelmRepository, "source.toolkit.fluxcd.io/v1beta2", "HelmRepository");
        $f!(kcr_source_toolkit_fluxcd_io::v1beta2::ocirepositories::OciRepository, "source.toolkit.fluxcd.io/v1beta2", "OCIRepository");
    };
}
