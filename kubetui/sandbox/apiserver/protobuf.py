"""Request bodies in the Kubernetes protobuf encoding, decoded into JSON-shaped dicts.

kubectl's typed clients (`create namespace|configmap|secret|deployment|...`, `auth can-i`)
send `application/vnd.kubernetes.protobuf` and never fall back to JSON, so the sandbox must
read it. A body is the magic `k8s\\x00` followed by a `runtime.Unknown` message: `typeMeta`
(apiVersion, kind), `raw` (the object as its go-to-protobuf message), `contentEncoding`,
`contentType`. `decode_body` turns that into the dict the JSON encoding of the same object
would give, so everything after `_body` in the server sees no difference.

Covered: the kinds of `KINDS` (core Namespace, ConfigMap, Secret, ServiceAccount, Service,
ResourceQuota, Pod (its metadata and spec: what `kubectl debug --copy-to` and `kubectl debug
node/NAME` create); Deployment; Job, CronJob; RBAC roles and bindings; the self-subject reviews;
PodDisruptionBudget; Ingress; autoscaling/v1 HorizontalPodAutoscaler) with every message they
reach. Any other kind is a 415 naming it.

The schema table below lists, per message, field number -> (JSON name, type); the numbers
come from the `generated.proto` files of k8s.io/api and k8s.io/apimachinery. Types:

* scalars `string`, `bool`, `int32`, `int64`, `bytes` (base64 text, as JSON shows
  Secret.data), and `json` (bytes holding a JSON document, FieldsV1);
* a message name from the table; `[]T` is a repeated field, `map:T` a map<string, T>;
* a trailing `?` marks a Go pointer field. Go writes a non-pointer scalar even when it is
  zero, where JSON's omitempty would leave it out, so zero scalars are dropped, except on
  pointer fields, where a zero that is present was set on purpose (`replicas: 0`);
* a JSON name of "" marks an embedded Go struct whose fields JSON inlines into the parent
  (`configMapKeyRef.name`, a Probe's `httpGet`, a Volume's `configMap`).

Field numbers a message does not list are skipped, as a newer client may send fields this
table does not know. A zero `metav1.Time` is left out (JSON would say null).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import orjson

from kubetui.sandbox.errors import ApiError, bad_request

MAGIC = b"k8s\x00"

_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5

Schema = dict[str, dict[int, tuple[str, str]]]


class _Malformed(ValueError):
    """The bytes are not a well-formed protobuf message."""

# ----- the schema ------------------------------------------------------------------------

_S, _B, _I, _L = "string", "bool", "int32", "int64"

_APIMACHINERY: Schema = {
    "ObjectMeta": {1: ("name", _S), 2: ("generateName", _S), 3: ("namespace", _S),
                   4: ("selfLink", _S), 5: ("uid", _S), 6: ("resourceVersion", _S),
                   7: ("generation", _L), 8: ("creationTimestamp", "Time"),
                   9: ("deletionTimestamp", "Time"), 10: ("deletionGracePeriodSeconds", "int64?"),
                   11: ("labels", "map:string"), 12: ("annotations", "map:string"),
                   13: ("ownerReferences", "[]OwnerReference"), 14: ("finalizers", "[]string"),
                   17: ("managedFields", "[]ManagedFieldsEntry")},
    "OwnerReference": {5: ("apiVersion", _S), 1: ("kind", _S), 3: ("name", _S), 4: ("uid", _S),
                       6: ("controller", "bool?"), 7: ("blockOwnerDeletion", "bool?")},
    "ManagedFieldsEntry": {1: ("manager", _S), 2: ("operation", _S), 3: ("apiVersion", _S),
                           4: ("time", "Time"), 6: ("fieldsType", _S), 7: ("fieldsV1", "FieldsV1"),
                           8: ("subresource", _S)},
    "FieldsV1": {1: ("raw", "json")},
    "LabelSelector": {1: ("matchLabels", "map:string"),
                      2: ("matchExpressions", "[]LabelSelectorRequirement")},
    "LabelSelectorRequirement": {1: ("key", _S), 2: ("operator", _S), 3: ("values", "[]string")},
    "Condition": {1: ("type", _S), 2: ("status", _S), 3: ("observedGeneration", _L),
                  4: ("lastTransitionTime", "Time"), 5: ("reason", _S), 6: ("message", _S)},
    "Time": {1: ("seconds", _L), 2: ("nanos", _I)},
    "IntOrString": {1: ("type", _L), 2: ("intVal", _I), 3: ("strVal", _S)},
    "Quantity": {1: ("string", _S)},
    "TypeMeta": {1: ("apiVersion", _S), 2: ("kind", _S)},
}

_CORE: Schema = {
    "Namespace": {1: ("metadata", "ObjectMeta"), 2: ("spec", "NamespaceSpec"),
                  3: ("status", "NamespaceStatus")},
    "NamespaceSpec": {1: ("finalizers", "[]string")},
    "NamespaceStatus": {1: ("phase", _S), 2: ("conditions", "[]NamespaceCondition")},
    "NamespaceCondition": {1: ("type", _S), 2: ("status", _S), 4: ("lastTransitionTime", "Time"),
                           5: ("reason", _S), 6: ("message", _S)},
    "ConfigMap": {1: ("metadata", "ObjectMeta"), 4: ("immutable", "bool?"),
                  2: ("data", "map:string"), 3: ("binaryData", "map:bytes")},
    "Secret": {1: ("metadata", "ObjectMeta"), 5: ("immutable", "bool?"), 2: ("data", "map:bytes"),
               4: ("stringData", "map:string"), 3: ("type", _S)},
    "ServiceAccount": {1: ("metadata", "ObjectMeta"), 2: ("secrets", "[]ObjectReference"),
                       3: ("imagePullSecrets", "[]LocalObjectReference"),
                       4: ("automountServiceAccountToken", "bool?")},
    "ObjectReference": {1: ("kind", _S), 2: ("namespace", _S), 3: ("name", _S), 4: ("uid", _S),
                        5: ("apiVersion", _S), 6: ("resourceVersion", _S), 7: ("fieldPath", _S)},
    "LocalObjectReference": {1: ("name", _S)},
    "TypedLocalObjectReference": {1: ("apiGroup", "string?"), 2: ("kind", _S), 3: ("name", _S)},
    "Service": {1: ("metadata", "ObjectMeta"), 2: ("spec", "ServiceSpec"),
                3: ("status", "ServiceStatus")},
    "ServiceSpec": {1: ("ports", "[]ServicePort"), 2: ("selector", "map:string"),
                    3: ("clusterIP", _S), 18: ("clusterIPs", "[]string"), 4: ("type", _S),
                    5: ("externalIPs", "[]string"), 7: ("sessionAffinity", _S),
                    8: ("loadBalancerIP", _S), 9: ("loadBalancerSourceRanges", "[]string"),
                    10: ("externalName", _S), 11: ("externalTrafficPolicy", _S),
                    12: ("healthCheckNodePort", _I), 13: ("publishNotReadyAddresses", _B),
                    14: ("sessionAffinityConfig", "SessionAffinityConfig"),
                    19: ("ipFamilies", "[]string"), 17: ("ipFamilyPolicy", "string?"),
                    20: ("allocateLoadBalancerNodePorts", "bool?"),
                    21: ("loadBalancerClass", "string?"), 22: ("internalTrafficPolicy", "string?")},
    "ServicePort": {1: ("name", _S), 2: ("protocol", _S), 6: ("appProtocol", "string?"),
                    3: ("port", _I), 4: ("targetPort", "IntOrString"), 5: ("nodePort", _I)},
    "SessionAffinityConfig": {1: ("clientIP", "ClientIPConfig")},
    "ClientIPConfig": {1: ("timeoutSeconds", "int32?")},
    "ServiceStatus": {1: ("loadBalancer", "LoadBalancerStatus"), 2: ("conditions", "[]Condition")},
    "LoadBalancerStatus": {1: ("ingress", "[]LoadBalancerIngress")},
    "LoadBalancerIngress": {1: ("ip", _S), 2: ("hostname", _S), 4: ("ports", "[]PortStatus")},
    "PortStatus": {1: ("port", _I), 2: ("protocol", _S), 3: ("error", "string?")},
    "ResourceQuota": {1: ("metadata", "ObjectMeta"), 2: ("spec", "ResourceQuotaSpec"),
                      3: ("status", "ResourceQuotaStatus")},
    "ResourceQuotaSpec": {1: ("hard", "map:Quantity"), 2: ("scopes", "[]string"),
                          3: ("scopeSelector", "ScopeSelector")},
    "ScopeSelector": {1: ("matchExpressions", "[]ScopedResourceSelectorRequirement")},
    "ScopedResourceSelectorRequirement": {1: ("scopeName", _S), 2: ("operator", _S),
                                          3: ("values", "[]string")},
    "ResourceQuotaStatus": {1: ("hard", "map:Quantity"), 2: ("used", "map:Quantity")},
}

_POD: Schema = {
    "Pod": {1: ("metadata", "ObjectMeta"), 2: ("spec", "PodSpec")},  # kubectl debug's copies
    "PodTemplateSpec": {1: ("metadata", "ObjectMeta"), 2: ("spec", "PodSpec")},
    "PodSpec": {1: ("volumes", "[]Volume"), 20: ("initContainers", "[]Container"),
                2: ("containers", "[]Container"), 3: ("restartPolicy", _S),
                4: ("terminationGracePeriodSeconds", "int64?"),
                5: ("activeDeadlineSeconds", "int64?"), 6: ("dnsPolicy", _S),
                7: ("nodeSelector", "map:string"), 8: ("serviceAccountName", _S),
                9: ("serviceAccount", _S), 21: ("automountServiceAccountToken", "bool?"),
                10: ("nodeName", _S), 11: ("hostNetwork", _B), 12: ("hostPID", _B),
                13: ("hostIPC", _B), 27: ("shareProcessNamespace", "bool?"),
                14: ("securityContext", "PodSecurityContext"),
                15: ("imagePullSecrets", "[]LocalObjectReference"), 16: ("hostname", _S),
                17: ("subdomain", _S), 18: ("affinity", "Affinity"), 19: ("schedulerName", _S),
                22: ("tolerations", "[]Toleration"), 23: ("hostAliases", "[]HostAlias"),
                24: ("priorityClassName", _S), 25: ("priority", "int32?"),
                26: ("dnsConfig", "PodDNSConfig"), 28: ("readinessGates", "[]PodReadinessGate"),
                29: ("runtimeClassName", "string?"), 30: ("enableServiceLinks", "bool?"),
                31: ("preemptionPolicy", "string?"), 32: ("overhead", "map:Quantity"),
                33: ("topologySpreadConstraints", "[]TopologySpreadConstraint"),
                35: ("setHostnameAsFQDN", "bool?"), 36: ("os", "PodOS"),
                37: ("hostUsers", "bool?"), 38: ("schedulingGates", "[]PodSchedulingGate")},
    "Container": {1: ("name", _S), 2: ("image", _S), 3: ("command", "[]string"),
                  4: ("args", "[]string"), 5: ("workingDir", _S), 6: ("ports", "[]ContainerPort"),
                  19: ("envFrom", "[]EnvFromSource"), 7: ("env", "[]EnvVar"),
                  8: ("resources", "ResourceRequirements"), 9: ("volumeMounts", "[]VolumeMount"),
                  21: ("volumeDevices", "[]VolumeDevice"), 10: ("livenessProbe", "Probe"),
                  11: ("readinessProbe", "Probe"), 22: ("startupProbe", "Probe"),
                  12: ("lifecycle", "Lifecycle"), 13: ("terminationMessagePath", _S),
                  20: ("terminationMessagePolicy", _S), 14: ("imagePullPolicy", _S),
                  15: ("securityContext", "SecurityContext"), 16: ("stdin", _B),
                  17: ("stdinOnce", _B), 18: ("tty", _B), 24: ("restartPolicy", "string?")},
    "ContainerPort": {1: ("name", _S), 2: ("hostPort", _I), 3: ("containerPort", _I),
                      4: ("protocol", _S), 5: ("hostIP", _S)},
    "EnvFromSource": {1: ("prefix", _S), 2: ("configMapRef", "ConfigMapEnvSource"),
                      3: ("secretRef", "SecretEnvSource")},
    "ConfigMapEnvSource": {1: ("", "LocalObjectReference"), 2: ("optional", "bool?")},
    "SecretEnvSource": {1: ("", "LocalObjectReference"), 2: ("optional", "bool?")},
    "EnvVar": {1: ("name", _S), 2: ("value", _S), 3: ("valueFrom", "EnvVarSource")},
    "EnvVarSource": {1: ("fieldRef", "ObjectFieldSelector"),
                     2: ("resourceFieldRef", "ResourceFieldSelector"),
                     3: ("configMapKeyRef", "ConfigMapKeySelector"),
                     4: ("secretKeyRef", "SecretKeySelector")},
    "ObjectFieldSelector": {1: ("apiVersion", _S), 2: ("fieldPath", _S)},
    "ResourceFieldSelector": {1: ("containerName", _S), 2: ("resource", _S),
                              3: ("divisor", "Quantity")},
    "ConfigMapKeySelector": {1: ("", "LocalObjectReference"), 2: ("key", _S),
                             3: ("optional", "bool?")},
    "SecretKeySelector": {1: ("", "LocalObjectReference"), 2: ("key", _S),
                          3: ("optional", "bool?")},
    "ResourceRequirements": {1: ("limits", "map:Quantity"), 2: ("requests", "map:Quantity"),
                             3: ("claims", "[]ResourceClaim")},
    "ResourceClaim": {1: ("name", _S)},
    "VolumeMount": {1: ("name", _S), 2: ("readOnly", _B), 3: ("mountPath", _S),
                    4: ("subPath", _S), 5: ("mountPropagation", "string?"),
                    6: ("subPathExpr", _S)},
    "VolumeDevice": {1: ("name", _S), 2: ("devicePath", _S)},
    "Probe": {1: ("", "ProbeHandler"), 2: ("initialDelaySeconds", _I),
              3: ("timeoutSeconds", _I), 4: ("periodSeconds", _I), 5: ("successThreshold", _I),
              6: ("failureThreshold", _I), 7: ("terminationGracePeriodSeconds", "int64?")},
    "ProbeHandler": {1: ("exec", "ExecAction"), 2: ("httpGet", "HTTPGetAction"),
                     3: ("tcpSocket", "TCPSocketAction"), 4: ("grpc", "GRPCAction")},
    "Lifecycle": {1: ("postStart", "LifecycleHandler"), 2: ("preStop", "LifecycleHandler")},
    "LifecycleHandler": {1: ("exec", "ExecAction"), 2: ("httpGet", "HTTPGetAction"),
                         3: ("tcpSocket", "TCPSocketAction")},
    "ExecAction": {1: ("command", "[]string")},
    "HTTPGetAction": {1: ("path", _S), 2: ("port", "IntOrString"), 3: ("host", _S),
                      4: ("scheme", _S), 5: ("httpHeaders", "[]HTTPHeader")},
    "HTTPHeader": {1: ("name", _S), 2: ("value", _S)},
    "TCPSocketAction": {1: ("port", "IntOrString"), 2: ("host", _S)},
    "GRPCAction": {1: ("port", _I), 2: ("service", "string?")},
    "SecurityContext": {1: ("capabilities", "Capabilities"), 2: ("privileged", "bool?"),
                        3: ("seLinuxOptions", "SELinuxOptions"),
                        10: ("windowsOptions", "WindowsSecurityContextOptions"),
                        4: ("runAsUser", "int64?"), 8: ("runAsGroup", "int64?"),
                        5: ("runAsNonRoot", "bool?"), 6: ("readOnlyRootFilesystem", "bool?"),
                        7: ("allowPrivilegeEscalation", "bool?"), 9: ("procMount", "string?"),
                        11: ("seccompProfile", "SeccompProfile")},
    "PodSecurityContext": {1: ("seLinuxOptions", "SELinuxOptions"),
                           8: ("windowsOptions", "WindowsSecurityContextOptions"),
                           2: ("runAsUser", "int64?"), 6: ("runAsGroup", "int64?"),
                           3: ("runAsNonRoot", "bool?"), 4: ("supplementalGroups", "[]int64"),
                           5: ("fsGroup", "int64?"), 7: ("sysctls", "[]Sysctl"),
                           9: ("fsGroupChangePolicy", "string?"),
                           10: ("seccompProfile", "SeccompProfile")},
    "Capabilities": {1: ("add", "[]string"), 2: ("drop", "[]string")},
    "SELinuxOptions": {1: ("user", _S), 2: ("role", _S), 3: ("type", _S), 4: ("level", _S)},
    "WindowsSecurityContextOptions": {1: ("gmsaCredentialSpecName", "string?"),
                                      2: ("gmsaCredentialSpec", "string?"),
                                      3: ("runAsUserName", "string?"), 4: ("hostProcess", "bool?")},
    "SeccompProfile": {1: ("type", _S), 2: ("localhostProfile", "string?")},
    "Sysctl": {1: ("name", _S), 2: ("value", _S)},
    "Volume": {1: ("name", _S), 2: ("", "VolumeSource")},
    "VolumeSource": {1: ("hostPath", "HostPathVolumeSource"),
                     2: ("emptyDir", "EmptyDirVolumeSource"),
                     6: ("secret", "SecretVolumeSource"), 7: ("nfs", "NFSVolumeSource"),
                     10: ("persistentVolumeClaim", "PersistentVolumeClaimVolumeSource"),
                     16: ("downwardAPI", "DownwardAPIVolumeSource"),
                     19: ("configMap", "ConfigMapVolumeSource"),
                     26: ("projected", "ProjectedVolumeSource"), 28: ("csi", "CSIVolumeSource")},
    "HostPathVolumeSource": {1: ("path", _S), 2: ("type", "string?")},
    "EmptyDirVolumeSource": {1: ("medium", _S), 2: ("sizeLimit", "Quantity")},
    "SecretVolumeSource": {1: ("secretName", _S), 2: ("items", "[]KeyToPath"),
                           3: ("defaultMode", "int32?"), 4: ("optional", "bool?")},
    "NFSVolumeSource": {1: ("server", _S), 2: ("path", _S), 3: ("readOnly", _B)},
    "PersistentVolumeClaimVolumeSource": {1: ("claimName", _S), 2: ("readOnly", _B)},
    "DownwardAPIVolumeSource": {1: ("items", "[]DownwardAPIVolumeFile"),
                                2: ("defaultMode", "int32?")},
    "DownwardAPIVolumeFile": {1: ("path", _S), 2: ("fieldRef", "ObjectFieldSelector"),
                              3: ("resourceFieldRef", "ResourceFieldSelector"),
                              4: ("mode", "int32?")},
    "ConfigMapVolumeSource": {1: ("", "LocalObjectReference"), 2: ("items", "[]KeyToPath"),
                              3: ("defaultMode", "int32?"), 4: ("optional", "bool?")},
    "KeyToPath": {1: ("key", _S), 2: ("path", _S), 3: ("mode", "int32?")},
    "ProjectedVolumeSource": {1: ("sources", "[]VolumeProjection"), 2: ("defaultMode", "int32?")},
    "VolumeProjection": {1: ("secret", "SecretProjection"),
                         2: ("downwardAPI", "DownwardAPIProjection"),
                         3: ("configMap", "ConfigMapProjection"),
                         4: ("serviceAccountToken", "ServiceAccountTokenProjection")},
    "SecretProjection": {1: ("", "LocalObjectReference"), 2: ("items", "[]KeyToPath"),
                         4: ("optional", "bool?")},
    "ConfigMapProjection": {1: ("", "LocalObjectReference"), 2: ("items", "[]KeyToPath"),
                            4: ("optional", "bool?")},
    "DownwardAPIProjection": {1: ("items", "[]DownwardAPIVolumeFile")},
    "ServiceAccountTokenProjection": {1: ("audience", _S), 2: ("expirationSeconds", "int64?"),
                                      3: ("path", _S)},
    "CSIVolumeSource": {1: ("driver", _S), 2: ("readOnly", "bool?"), 3: ("fsType", "string?"),
                        4: ("volumeAttributes", "map:string"),
                        5: ("nodePublishSecretRef", "LocalObjectReference")},
    "Toleration": {1: ("key", _S), 2: ("operator", _S), 3: ("value", _S), 4: ("effect", _S),
                   5: ("tolerationSeconds", "int64?")},
    "HostAlias": {1: ("ip", _S), 2: ("hostnames", "[]string")},
    "PodDNSConfig": {1: ("nameservers", "[]string"), 2: ("searches", "[]string"),
                     3: ("options", "[]PodDNSConfigOption")},
    "PodDNSConfigOption": {1: ("name", _S), 2: ("value", "string?")},
    "PodReadinessGate": {1: ("conditionType", _S)},
    "PodOS": {1: ("name", _S)},
    "PodSchedulingGate": {1: ("name", _S)},
    "TopologySpreadConstraint": {1: ("maxSkew", _I), 2: ("topologyKey", _S),
                                 3: ("whenUnsatisfiable", _S),
                                 4: ("labelSelector", "LabelSelector"),
                                 5: ("minDomains", "int32?"), 6: ("nodeAffinityPolicy", "string?"),
                                 7: ("nodeTaintsPolicy", "string?"),
                                 8: ("matchLabelKeys", "[]string")},
    "Affinity": {1: ("nodeAffinity", "NodeAffinity"), 2: ("podAffinity", "PodAffinity"),
                 3: ("podAntiAffinity", "PodAffinity")},
    "NodeAffinity": {1: ("requiredDuringSchedulingIgnoredDuringExecution", "NodeSelector"),
                     2: ("preferredDuringSchedulingIgnoredDuringExecution",
                         "[]PreferredSchedulingTerm")},
    "NodeSelector": {1: ("nodeSelectorTerms", "[]NodeSelectorTerm")},
    "NodeSelectorTerm": {1: ("matchExpressions", "[]NodeSelectorRequirement"),
                         2: ("matchFields", "[]NodeSelectorRequirement")},
    "NodeSelectorRequirement": {1: ("key", _S), 2: ("operator", _S), 3: ("values", "[]string")},
    "PreferredSchedulingTerm": {1: ("weight", _I), 2: ("preference", "NodeSelectorTerm")},
    # PodAntiAffinity has the same fields as PodAffinity, so one entry serves both.
    "PodAffinity": {1: ("requiredDuringSchedulingIgnoredDuringExecution", "[]PodAffinityTerm"),
                    2: ("preferredDuringSchedulingIgnoredDuringExecution",
                        "[]WeightedPodAffinityTerm")},
    "PodAffinityTerm": {1: ("labelSelector", "LabelSelector"), 2: ("namespaces", "[]string"),
                        3: ("topologyKey", _S), 4: ("namespaceSelector", "LabelSelector")},
    "WeightedPodAffinityTerm": {1: ("weight", _I), 2: ("podAffinityTerm", "PodAffinityTerm")},
}

_APPS: Schema = {
    "Deployment": {1: ("metadata", "ObjectMeta"), 2: ("spec", "DeploymentSpec"),
                   3: ("status", "DeploymentStatus")},
    "DeploymentSpec": {1: ("replicas", "int32?"), 2: ("selector", "LabelSelector"),
                       3: ("template", "PodTemplateSpec"), 4: ("strategy", "DeploymentStrategy"),
                       5: ("minReadySeconds", _I), 6: ("revisionHistoryLimit", "int32?"),
                       7: ("paused", _B), 9: ("progressDeadlineSeconds", "int32?")},
    "DeploymentStrategy": {1: ("type", _S), 2: ("rollingUpdate", "RollingUpdateDeployment")},
    "RollingUpdateDeployment": {1: ("maxUnavailable", "IntOrString"),
                                2: ("maxSurge", "IntOrString")},
    "DeploymentStatus": {1: ("observedGeneration", _L), 2: ("replicas", _I),
                         3: ("updatedReplicas", _I), 7: ("readyReplicas", _I),
                         4: ("availableReplicas", _I), 5: ("unavailableReplicas", _I),
                         6: ("conditions", "[]DeploymentCondition"),
                         8: ("collisionCount", "int32?")},
    "DeploymentCondition": {1: ("type", _S), 2: ("status", _S), 6: ("lastUpdateTime", "Time"),
                            7: ("lastTransitionTime", "Time"), 4: ("reason", _S),
                            5: ("message", _S)},
}

_BATCH: Schema = {
    "Job": {1: ("metadata", "ObjectMeta"), 2: ("spec", "JobSpec"), 3: ("status", "JobStatus")},
    "JobSpec": {1: ("parallelism", "int32?"), 2: ("completions", "int32?"),
                3: ("activeDeadlineSeconds", "int64?"),
                11: ("podFailurePolicy", "PodFailurePolicy"),
                7: ("backoffLimit", "int32?"), 4: ("selector", "LabelSelector"),
                5: ("manualSelector", "bool?"), 6: ("template", "PodTemplateSpec"),
                8: ("ttlSecondsAfterFinished", "int32?"), 9: ("completionMode", "string?"),
                10: ("suspend", "bool?"), 12: ("backoffLimitPerIndex", "int32?"),
                13: ("maxFailedIndexes", "int32?"), 14: ("podReplacementPolicy", "string?"),
                15: ("managedBy", "string?")},
    "PodFailurePolicy": {1: ("rules", "[]PodFailurePolicyRule")},
    "PodFailurePolicyRule": {1: ("action", _S),
                             2: ("onExitCodes", "PodFailurePolicyOnExitCodesRequirement"),
                             3: ("onPodConditions", "[]PodFailurePolicyOnPodConditionsPattern")},
    "PodFailurePolicyOnExitCodesRequirement": {1: ("containerName", "string?"),
                                               2: ("operator", _S), 3: ("values", "[]int32")},
    "PodFailurePolicyOnPodConditionsPattern": {1: ("type", _S), 2: ("status", _S)},
    "JobStatus": {1: ("conditions", "[]JobCondition"), 2: ("startTime", "Time"),
                  3: ("completionTime", "Time"), 4: ("active", _I), 5: ("succeeded", _I),
                  6: ("failed", _I), 7: ("completedIndexes", _S),
                  8: ("uncountedTerminatedPods", "UncountedTerminatedPods"),
                  9: ("ready", "int32?")},
    "JobCondition": {1: ("type", _S), 2: ("status", _S), 3: ("lastProbeTime", "Time"),
                     4: ("lastTransitionTime", "Time"), 5: ("reason", _S), 6: ("message", _S)},
    "UncountedTerminatedPods": {1: ("succeeded", "[]string"), 2: ("failed", "[]string")},
    "CronJob": {1: ("metadata", "ObjectMeta"), 2: ("spec", "CronJobSpec"),
                3: ("status", "CronJobStatus")},
    "CronJobSpec": {1: ("schedule", _S), 8: ("timeZone", "string?"),
                    2: ("startingDeadlineSeconds", "int64?"), 3: ("concurrencyPolicy", _S),
                    4: ("suspend", "bool?"), 5: ("jobTemplate", "JobTemplateSpec"),
                    6: ("successfulJobsHistoryLimit", "int32?"),
                    7: ("failedJobsHistoryLimit", "int32?")},
    "JobTemplateSpec": {1: ("metadata", "ObjectMeta"), 2: ("spec", "JobSpec")},
    "CronJobStatus": {1: ("active", "[]ObjectReference"), 4: ("lastScheduleTime", "Time"),
                      5: ("lastSuccessfulTime", "Time")},
}

_RBAC: Schema = {
    "Role": {1: ("metadata", "ObjectMeta"), 2: ("rules", "[]PolicyRule")},
    "ClusterRole": {1: ("metadata", "ObjectMeta"), 2: ("rules", "[]PolicyRule"),
                    3: ("aggregationRule", "AggregationRule")},
    "AggregationRule": {1: ("clusterRoleSelectors", "[]LabelSelector")},
    "PolicyRule": {1: ("verbs", "[]string"), 2: ("apiGroups", "[]string"),
                   3: ("resources", "[]string"), 4: ("resourceNames", "[]string"),
                   5: ("nonResourceURLs", "[]string")},
    "RoleBinding": {1: ("metadata", "ObjectMeta"), 2: ("subjects", "[]Subject"),
                    3: ("roleRef", "RoleRef")},
    "ClusterRoleBinding": {1: ("metadata", "ObjectMeta"), 2: ("subjects", "[]Subject"),
                           3: ("roleRef", "RoleRef")},
    "RoleRef": {1: ("apiGroup", _S), 2: ("kind", _S), 3: ("name", _S)},
    "Subject": {1: ("kind", _S), 2: ("apiGroup", _S), 3: ("name", _S), 4: ("namespace", _S)},
}

_AUTHORIZATION: Schema = {
    "SelfSubjectAccessReview": {1: ("metadata", "ObjectMeta"),
                                2: ("spec", "SelfSubjectAccessReviewSpec"),
                                3: ("status", "SubjectAccessReviewStatus")},
    "SelfSubjectAccessReviewSpec": {1: ("resourceAttributes", "ResourceAttributes"),
                                    2: ("nonResourceAttributes", "NonResourceAttributes")},
    "ResourceAttributes": {1: ("namespace", _S), 2: ("verb", _S), 3: ("group", _S),
                           4: ("version", _S), 5: ("resource", _S), 6: ("subresource", _S),
                           7: ("name", _S)},
    "NonResourceAttributes": {1: ("path", _S), 2: ("verb", _S)},
    "SubjectAccessReviewStatus": {1: ("allowed", _B), 4: ("denied", _B), 2: ("reason", _S),
                                  3: ("evaluationError", _S)},
    "SelfSubjectRulesReview": {1: ("metadata", "ObjectMeta"),
                               2: ("spec", "SelfSubjectRulesReviewSpec"),
                               3: ("status", "SubjectRulesReviewStatus")},
    "SelfSubjectRulesReviewSpec": {1: ("namespace", _S)},
    "SubjectRulesReviewStatus": {1: ("resourceRules", "[]ResourceRule"),
                                 2: ("nonResourceRules", "[]NonResourceRule"),
                                 3: ("incomplete", _B), 4: ("evaluationError", _S)},
    "ResourceRule": {1: ("verbs", "[]string"), 2: ("apiGroups", "[]string"),
                     3: ("resources", "[]string"), 4: ("resourceNames", "[]string")},
    "NonResourceRule": {1: ("verbs", "[]string"), 2: ("nonResourceURLs", "[]string")},
}

# authentication.k8s.io/v1 (`kubectl create token`, `kubectl auth whoami`).
_AUTHENTICATION: Schema = {
    "TokenRequest": {1: ("metadata", "ObjectMeta"), 2: ("spec", "TokenRequestSpec"),
                     3: ("status", "TokenRequestStatus")},
    "TokenRequestSpec": {1: ("audiences", "[]string"), 4: ("expirationSeconds", "int64?"),
                         3: ("boundObjectRef", "BoundObjectReference")},
    "BoundObjectReference": {1: ("kind", _S), 2: ("apiVersion", _S), 3: ("name", _S),
                             4: ("uid", _S)},
    "TokenRequestStatus": {1: ("token", _S), 2: ("expirationTimestamp", "Time")},
    "TokenReview": {1: ("metadata", "ObjectMeta"), 2: ("spec", "TokenReviewSpec")},
    "TokenReviewSpec": {1: ("token", _S), 2: ("audiences", "[]string")},
    "SelfSubjectReview": {1: ("metadata", "ObjectMeta")},
}

_POLICY: Schema = {
    "PodDisruptionBudget": {1: ("metadata", "ObjectMeta"), 2: ("spec", "PodDisruptionBudgetSpec"),
                            3: ("status", "PodDisruptionBudgetStatus")},
    "PodDisruptionBudgetSpec": {1: ("minAvailable", "IntOrString"),
                                2: ("selector", "LabelSelector"),
                                3: ("maxUnavailable", "IntOrString"),
                                4: ("unhealthyPodEvictionPolicy", "string?")},
    "PodDisruptionBudgetStatus": {1: ("observedGeneration", _L), 2: ("disruptedPods", "map:Time"),
                                  3: ("disruptionsAllowed", _I), 4: ("currentHealthy", _I),
                                  5: ("desiredHealthy", _I), 6: ("expectedPods", _I),
                                  7: ("conditions", "[]Condition")},
}

_NETWORKING: Schema = {
    "Ingress": {1: ("metadata", "ObjectMeta"), 2: ("spec", "IngressSpec"),
                3: ("status", "IngressStatus")},
    "IngressSpec": {4: ("ingressClassName", "string?"), 1: ("defaultBackend", "IngressBackend"),
                    2: ("tls", "[]IngressTLS"), 3: ("rules", "[]IngressRule")},
    "IngressBackend": {4: ("service", "IngressServiceBackend"),
                       3: ("resource", "TypedLocalObjectReference")},
    "IngressServiceBackend": {1: ("name", _S), 2: ("port", "ServiceBackendPort")},
    "ServiceBackendPort": {1: ("name", _S), 2: ("number", _I)},
    "IngressTLS": {1: ("hosts", "[]string"), 2: ("secretName", _S)},
    "IngressRule": {1: ("host", _S), 2: ("", "IngressRuleValue")},
    "IngressRuleValue": {1: ("http", "HTTPIngressRuleValue")},
    "HTTPIngressRuleValue": {1: ("paths", "[]HTTPIngressPath")},
    "HTTPIngressPath": {1: ("path", _S), 3: ("pathType", "string?"),
                        2: ("backend", "IngressBackend")},
    "IngressStatus": {1: ("loadBalancer", "IngressLoadBalancerStatus")},
    "IngressLoadBalancerStatus": {1: ("ingress", "[]IngressLoadBalancerIngress")},
    "IngressLoadBalancerIngress": {1: ("ip", _S), 2: ("hostname", _S),
                                   4: ("ports", "[]IngressPortStatus")},
    "IngressPortStatus": {1: ("port", _I), 2: ("protocol", _S), 3: ("error", "string?")},
}

# autoscaling/v1 (what `kubectl autoscale` sends), not v2.
_AUTOSCALING: Schema = {
    "HorizontalPodAutoscaler": {1: ("metadata", "ObjectMeta"),
                                2: ("spec", "HorizontalPodAutoscalerSpec"),
                                3: ("status", "HorizontalPodAutoscalerStatus")},
    "HorizontalPodAutoscalerSpec": {1: ("scaleTargetRef", "CrossVersionObjectReference"),
                                    2: ("minReplicas", "int32?"), 3: ("maxReplicas", _I),
                                    4: ("targetCPUUtilizationPercentage", "int32?")},
    "CrossVersionObjectReference": {1: ("kind", _S), 2: ("name", _S), 3: ("apiVersion", _S)},
    "HorizontalPodAutoscalerStatus": {1: ("observedGeneration", "int64?"),
                                      2: ("lastScaleTime", "Time"), 3: ("currentReplicas", _I),
                                      4: ("desiredReplicas", _I),
                                      5: ("currentCPUUtilizationPercentage", "int32?")},
}

SCHEMA: Schema = {**_APIMACHINERY, **_CORE, **_POD, **_APPS, **_BATCH, **_RBAC,
                  **_AUTHORIZATION, **_AUTHENTICATION, **_POLICY, **_NETWORKING, **_AUTOSCALING}

#: The top-level kinds a body may carry, by apiVersion; each kind is also its message name.
KINDS: dict[str, frozenset[str]] = {
    "v1": frozenset({"Namespace", "ConfigMap", "Secret", "ServiceAccount", "Service",
                     "ResourceQuota", "Pod"}),
    "apps/v1": frozenset({"Deployment"}),
    "batch/v1": frozenset({"Job", "CronJob"}),
    "rbac.authorization.k8s.io/v1": frozenset({"Role", "RoleBinding", "ClusterRole",
                                               "ClusterRoleBinding"}),
    "authorization.k8s.io/v1": frozenset({"SelfSubjectAccessReview", "SelfSubjectRulesReview"}),
    "authentication.k8s.io/v1": frozenset({"TokenRequest", "TokenReview",
                                           "SelfSubjectReview"}),
    "policy/v1": frozenset({"PodDisruptionBudget"}),
    "networking.k8s.io/v1": frozenset({"Ingress"}),
    "autoscaling/v1": frozenset({"HorizontalPodAutoscaler"}),
}


def _rfc3339(d: dict[str, int]) -> str | None:
    """metav1.Time as JSON shows it: RFC 3339 in whole seconds, UTC."""
    if not d:
        return None  # the zero time: JSON would say null
    try:
        t = datetime.fromtimestamp(d.get("seconds", 0), timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise _Malformed(f"time out of range: {d}") from None
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


#: Messages whose JSON form is not an object: the decoded fields are turned into it.
_CONVERT: dict[str, Callable[[dict[str, Any]], Any]] = {
    "IntOrString": lambda d: d.get("strVal", "") if d.get("type") == 1 else d.get("intVal", 0),
    "Quantity": lambda d: d.get("string", ""),
    "Time": lambda d: _rfc3339(d),
    "FieldsV1": lambda d: d.get("raw", {}),
}

# ----- the wire format --------------------------------------------------------------------


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(buf):
            raise _Malformed("truncated varint")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift >= 70:
            raise _Malformed("varint longer than 10 bytes")


def _take(buf: bytes, pos: int, n: int) -> tuple[bytes, int]:
    if pos + n > len(buf):
        raise _Malformed("truncated field")
    return buf[pos:pos + n], pos + n


def _fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """Each field of one message as (field number, wire type, value): an int for varints,
    bytes for the rest (length-delimited payloads, and 64/32-bit fixed values)."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise _Malformed("field number 0")
        value: int | bytes
        if wire == _VARINT:
            value, pos = _varint(buf, pos)
        elif wire == _I64:
            value, pos = _take(buf, pos, 8)
        elif wire == _LEN:
            length, pos = _varint(buf, pos)
            value, pos = _take(buf, pos, length)
        elif wire == _I32:
            value, pos = _take(buf, pos, 4)
        else:
            raise _Malformed(f"unsupported wire type {wire}")
        yield number, wire, value


def _payload(wire: int, value: int | bytes, what: str) -> bytes:
    if wire != _LEN or not isinstance(value, bytes):
        raise _Malformed(f"expected a length-delimited {what}")
    return value


def _signed(value: int) -> int:
    """int32 and int64 are two's complement in a varint (negatives take ten bytes)."""
    return value - (1 << 64) if value >= 1 << 63 else value


_NUMBERS = ("bool", "int32", "int64")
_SCALARS = (*_NUMBERS, "string", "bytes", "json")


def _scalar(type_: str, wire: int, value: int | bytes) -> Any:
    if type_ in _NUMBERS:
        if wire != _VARINT or not isinstance(value, int):
            raise _Malformed(f"expected a varint for a {type_}")
        return value != 0 if type_ == "bool" else _signed(value)
    data = _payload(wire, value, type_)
    if type_ == "bytes":
        return base64.b64encode(data).decode()
    try:
        return orjson.loads(data) if type_ == "json" else data.decode()
    except (UnicodeDecodeError, orjson.JSONDecodeError) as e:
        raise _Malformed(f"bad {type_}: {e}") from None


def _value(type_: str, wire: int, value: int | bytes) -> Any:
    if type_ in _SCALARS:
        return _scalar(type_, wire, value)
    return message(type_, _payload(wire, value, f"{type_} message"))


def _repeated(type_: str, wire: int, value: int | bytes) -> list[Any]:
    """One occurrence of a repeated field; numbers may also come packed in one payload."""
    if type_ in _NUMBERS and wire == _LEN:
        data = _payload(wire, value, type_)
        out: list[Any] = []
        pos = 0
        while pos < len(data):
            n, pos = _varint(data, pos)
            out.append(_scalar(type_, _VARINT, n))
        return out
    return [_value(type_, wire, value)]


def _map_entry(type_: str, wire: int, value: int | bytes) -> tuple[str, Any]:
    """A map entry is a message {1: key, 2: value}; an empty value may be left out."""
    key, val = "", _value(type_, _LEN, b"")
    for number, w, v in _fields(_payload(wire, value, "map entry")):
        if number == 1:
            key = _scalar("string", w, v)
        elif number == 2:
            val = _value(type_, w, v)
    return key, val


def message(name: str, buf: bytes) -> Any:
    """Decode one message of the schema table into its JSON form."""
    schema = SCHEMA[name]
    out: dict[str, Any] = {}
    for number, wire, value in _fields(buf):
        if number not in schema:
            continue
        json_name, type_ = schema[number]
        if type_.startswith("[]"):
            out.setdefault(json_name, []).extend(_repeated(type_[2:], wire, value))
        elif type_.startswith("map:"):
            key, val = _map_entry(type_[4:], wire, value)
            out.setdefault(json_name, {})[key] = val
        elif not json_name:
            out.update(_value(type_, wire, value))
        else:
            pointer, base = type_.endswith("?"), type_.rstrip("?")
            val = _value(base, wire, value)
            if val is None or (not val and base in _SCALARS and not pointer):
                out.pop(json_name, None)
            else:
                out[json_name] = val
    convert = _CONVERT.get(name)
    return convert(out) if convert else out


# ----- the envelope -----------------------------------------------------------------------

def decode_body(raw: bytes) -> dict[str, Any]:
    """A request body in the Kubernetes protobuf encoding, as its JSON form.

    400 for bytes that do not decode, 415 for a kind this module has no schema for."""
    if not raw.startswith(MAGIC):
        raise bad_request("the protobuf body does not start with the Kubernetes magic "
                          "prefix k8s\\x00")
    try:
        type_meta: dict[str, str] = {}
        inner = b""
        encoding = ""
        for number, wire, value in _fields(raw[len(MAGIC):]):
            if number == 1:
                type_meta = message("TypeMeta", _payload(wire, value, "typeMeta"))
            elif number == 2:
                inner = _payload(wire, value, "raw object")
            elif number == 3:
                encoding = _scalar("string", wire, value)
        api_version, kind = type_meta.get("apiVersion", ""), type_meta.get("kind", "")
        if encoding:
            raise ApiError(415, f"protobuf content encoding {encoding!r} is not supported")
        if kind not in KINDS.get(api_version, ()):
            raise ApiError(415, f"the sandbox cannot decode {api_version} "
                                f"{kind or '(no kind)'} from protobuf; send it as "
                                "application/json")
        obj = message(kind, inner)
    except _Malformed as e:
        raise bad_request(f"the protobuf body could not be decoded: {e}") from None
    return {"apiVersion": api_version, "kind": kind, **obj}
