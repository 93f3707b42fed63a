/*
Copyright 2026 The redis-failover-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
)

// PodExtensions are what a user adds to the pods the operator renders: containers, volumes,
// probes, DNS. spotahome's fields, with its meaning; the names and paths the operator's own
// containers and volumes use are refused so that nothing the operator relies on can be replaced.
// +kubebuilder:validation:XValidation:rule="!has(self.initContainers) || self.initContainers.all(c, !(c.name in ['config', 'redis', 'redis-exporter', 'sentinel']))",fieldPath=".initContainers",message="initContainers must not be named config, redis, redis-exporter or sentinel: the operator's containers have those names; rename the container"
// +kubebuilder:validation:XValidation:rule="!has(self.extraContainers) || self.extraContainers.all(c, !(c.name in ['config', 'redis', 'redis-exporter', 'sentinel']))",fieldPath=".extraContainers",message="extraContainers must not be named config, redis, redis-exporter or sentinel: the operator's containers have those names; rename the container"
// +kubebuilder:validation:XValidation:rule="!has(self.extraVolumes) || self.extraVolumes.all(v, !(v.name in ['config', 'auth', 'runtime', 'data', 'redis-shutdown-config', 'redis-startup-config']))",fieldPath=".extraVolumes",message="extraVolumes must not be named config, auth, runtime, data, redis-shutdown-config or redis-startup-config: the operator's volumes have those names; rename the volume (and its extraVolumeMounts)"
// +kubebuilder:validation:XValidation:rule="!has(self.extraVolumeMounts) || self.extraVolumeMounts.all(m, !(m.mountPath in ['/data', '/etc/redis', '/etc/redis-secret', '/run/redis', '/etc/sentinel', '/etc/sentinel-secret', '/redis-shutdown', '/redis-startup']) && !m.mountPath.startsWith('/data/'))",fieldPath=".extraVolumeMounts",message="extraVolumeMounts must not use /data, /etc/redis, /etc/redis-secret, /run/redis, /etc/sentinel, /etc/sentinel-secret, /redis-shutdown or /redis-startup: the operator mounts its config, password and data there; choose another mountPath"
// +kubebuilder:validation:XValidation:rule="!has(self.hostNetwork) || !self.hostNetwork",fieldPath=".hostNetwork",message="hostNetwork: true is not supported: a Redis pod and a sentinel pod on one node would share the node's address, and the operator and the sentinels tell the nodes apart by address; remove hostNetwork (use a Service or a LoadBalancer to reach Redis from outside the cluster)"
type PodExtensions struct {
	// initContainers run after the operator's own init container (which writes the config), in
	// order, before the main containers start.
	// +kubebuilder:validation:MaxItems=8
	// +listType=atomic
	// +optional
	InitContainers []corev1.Container `json:"initContainers,omitempty"`

	// extraContainers are sidecars added to the pods.
	// +kubebuilder:validation:MaxItems=8
	// +listType=atomic
	// +optional
	ExtraContainers []corev1.Container `json:"extraContainers,omitempty"`

	// extraVolumes are added to the pods.
	// +kubebuilder:validation:MaxItems=16
	// +listType=atomic
	// +optional
	ExtraVolumes []corev1.Volume `json:"extraVolumes,omitempty"`

	// extraVolumeMounts are mounted into the main container (redis or sentinel). Each names a
	// volume of extraVolumes (checked when the pods are rendered: the InvalidSpec condition names
	// the mount).
	// +kubebuilder:validation:MaxItems=16
	// +listType=atomic
	// +optional
	ExtraVolumeMounts []corev1.VolumeMount `json:"extraVolumeMounts,omitempty"`

	// hostNetwork is spotahome's field and is refused: see the rule above.
	// +optional
	HostNetwork bool `json:"hostNetwork,omitempty"`

	// dnsPolicy of the pods. Unset: Kubernetes' default (ClusterFirst).
	// +kubebuilder:validation:Enum=ClusterFirst;ClusterFirstWithHostNet;Default;None
	// +optional
	DNSPolicy corev1.DNSPolicy `json:"dnsPolicy,omitempty"`

	// customLivenessProbe replaces the main container's liveness probe.
	// +optional
	CustomLivenessProbe *corev1.Probe `json:"customLivenessProbe,omitempty"`

	// customReadinessProbe replaces the main container's readiness probe. Sentinels only: see the
	// rule on spec.redis.
	// +optional
	CustomReadinessProbe *corev1.Probe `json:"customReadinessProbe,omitempty"`

	// customStartupProbe is the main container's startup probe (the operator sets none).
	// +optional
	CustomStartupProbe *corev1.Probe `json:"customStartupProbe,omitempty"`

	// disablePodDisruptionBudget renders no PodDisruptionBudget for these pods. The operator's
	// PDBs allow one pod down at a time and never block a drain outright.
	// +optional
	DisablePodDisruptionBudget bool `json:"disablePodDisruptionBudget,omitempty"`
}
