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

// PodSettings are the scheduling and pod-level fields shared by the Redis and the sentinel pods.
// +kubebuilder:validation:XValidation:rule="!has(self.podLabels) || self.podLabels.all(k, !(k in ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component', 'app.kubernetes.io/managed-by']) && !k.startsWith('redis.failover.dev/'))",fieldPath=".podLabels",message="podLabels must not set app.kubernetes.io/name, instance, component, managed-by or redis.failover.dev/* labels: the operator sets them to select its pods; remove those keys"
type PodSettings struct {
	// affinity of the pods.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`

	// tolerations of the pods.
	// +kubebuilder:validation:MaxItems=64
	// +listType=atomic
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`

	// nodeSelector of the pods.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`

	// topologySpreadConstraints of the pods. Their labelSelector should match the pod labels the
	// operator sets (app.kubernetes.io/instance and app.kubernetes.io/component).
	// +kubebuilder:validation:MaxItems=16
	// +listType=atomic
	// +optional
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`

	// podLabels are added to the pods.
	// +kubebuilder:validation:MaxProperties=64
	// +optional
	PodLabels map[string]string `json:"podLabels,omitempty"`

	// podAnnotations are added to the pods.
	// +kubebuilder:validation:MaxProperties=64
	// +optional
	PodAnnotations map[string]string `json:"podAnnotations,omitempty"`

	// serviceAnnotations are added to the Services in front of these pods.
	// +kubebuilder:validation:MaxProperties=64
	// +optional
	ServiceAnnotations map[string]string `json:"serviceAnnotations,omitempty"`

	// securityContext of the pods. When unset the pods run as a non-root user with a read-only
	// root filesystem and the RuntimeDefault seccomp profile.
	// +optional
	SecurityContext *corev1.PodSecurityContext `json:"securityContext,omitempty"`

	// containerSecurityContext of the main containers. When unset: no privilege escalation and
	// all capabilities dropped.
	// +optional
	ContainerSecurityContext *corev1.SecurityContext `json:"containerSecurityContext,omitempty"`

	// priorityClassName of the pods.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	PriorityClassName string `json:"priorityClassName,omitempty"`

	// terminationGracePeriod is the pods' terminationGracePeriodSeconds (spotahome's name).
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=3600
	// +optional
	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriod,omitempty"`

	// imagePullSecrets of the pods.
	// +kubebuilder:validation:MaxItems=16
	// +listType=atomic
	// +optional
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`

	// serviceAccountName of the pods. Empty: the namespace's default ServiceAccount. The pods do
	// not talk to the Kubernetes API.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`

	PodExtensions `json:",inline"`
}
