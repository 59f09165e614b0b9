"""The Kubernetes model: objects, workloads, pod specs, containers and their effective securityContext.

It is built from parsed YAML documents (a manifest file, or objects a Helm render produced with their
own location map), so every rule about Kubernetes objects works on both.
"""

from readycheck.k8s.document import KubernetesDocument, ManifestSource, build_kubernetes_documents

__all__ = ["KubernetesDocument", "ManifestSource", "build_kubernetes_documents"]
