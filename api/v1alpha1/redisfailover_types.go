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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RedisFailover is a Redis master with replicas, watched by this project's own Sentinel-compatible
// sentinels. The operator renders a StatefulSet of Redis nodes, a Deployment of sentinels, their
// ConfigMaps, Services and PodDisruptionBudgets, and keeps one writable master.
//
// The name becomes part of object names (rfr-<name>-0 and so on), so it must be a DNS label of at
// most 48 characters.
//
// spec.sentinel.masterName is fixed at creation; unset, the name in force is status.masterName
// ("<namespace>.<metadata.name>" for a new RedisFailover). It may be spelled out or removed
// later only as that name: the schema checks what it can see (CEL has no metadata.namespace),
// and the operator refuses the rest.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=redisfailovers,singular=redisfailover,shortName=rf;rfo,categories=redis,scope=Namespaced
// +kubebuilder:printcolumn:name="MASTER",type="string",JSONPath=".status.master.pod",description="The pod that is the writable master"
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status",description="Whether the failover group serves reads and writes with every replica in sync"
// +kubebuilder:printcolumn:name="SENTINELS",type="string",JSONPath=".status.sentinels.summary",description="Sentinels that agree on the master / sentinels expected"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:validation:XValidation:rule="self.metadata.name.size() <= 48",message="metadata.name must be at most 48 characters: it prefixes the StatefulSet rfr-<name> whose pods and revisions need room for their suffixes; choose a shorter name"
// +kubebuilder:validation:XValidation:rule="self.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",message="metadata.name must be a DNS label (lowercase letters, digits and '-', no dots): it becomes part of Service names; choose a name without dots"
// +kubebuilder:validation:XValidation:rule="((has(self.spec) && has(self.spec.sentinel) && has(self.spec.sentinel.masterName)) && (has(oldSelf.spec) && has(oldSelf.spec.sentinel) && has(oldSelf.spec.sentinel.masterName))) ? self.spec.sentinel.masterName == oldSelf.spec.sentinel.masterName : ((has(self.spec) && has(self.spec.sentinel) && has(self.spec.sentinel.masterName)) ? (self.spec.sentinel.masterName == self.metadata.name || self.spec.sentinel.masterName.endsWith('.' + self.metadata.name)) : ((has(oldSelf.spec) && has(oldSelf.spec.sentinel) && has(oldSelf.spec.sentinel.masterName)) ? (oldSelf.spec.sentinel.masterName == self.metadata.name || oldSelf.spec.sentinel.masterName.endsWith('.' + self.metadata.name)) : true))",fieldPath=".spec.sentinel.masterName",message="spec.sentinel.masterName cannot change after creation: the sentinels monitor the master under the name in status.masterName and clients ask for it; it can only be spelled out or removed as that name. Set it back, or create a new RedisFailover to use another name"
type RedisFailover struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired failover group.
	// +kubebuilder:default={}
	// +optional
	Spec RedisFailoverSpec `json:"spec,omitempty"`

	// status is what the operator last observed.
	// +optional
	Status RedisFailoverStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// RedisFailoverList is a list of RedisFailover.
type RedisFailoverList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []RedisFailover `json:"items"`
}

func init() {
	SchemeBuilder.Register(&RedisFailover{}, &RedisFailoverList{})
}
