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

// SentinelSettings describes the sentinels: this project's own Sentinel-compatible server.
// +kubebuilder:validation:XValidation:rule="!has(self.quorum) || !has(self.replicas) || self.quorum <= self.replicas",fieldPath=".quorum",messageExpression="'spec.sentinel.quorum (%d) must not exceed spec.sentinel.replicas (%d): lower the quorum or add sentinels'.format([self.quorum, self.replicas])"
type SentinelSettings struct {
	// replicas is the number of sentinels. An odd number of at least 3 survives the loss of one.
	// +kubebuilder:default=3
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=15
	// +optional
	Replicas int32 `json:"replicas,omitempty"`

	// quorum is how many sentinels must agree that the master is down before a failover starts.
	// Unset: a majority of replicas (replicas/2+1), recomputed when replicas changes; the value in
	// effect is reported in status.sentinels.quorum. A failover also always needs a majority of the
	// sentinels to elect a leader, whatever the quorum.
	// +kubebuilder:validation:Minimum=1
	// +optional
	Quorum *int32 `json:"quorum,omitempty"`

	// downAfterMilliseconds is how long the master must be unreachable before a sentinel considers
	// it down.
	// +kubebuilder:default=3000
	// +kubebuilder:validation:Minimum=100
	// +kubebuilder:validation:Maximum=600000
	// +optional
	DownAfterMilliseconds int32 `json:"downAfterMilliseconds,omitempty"`

	// failoverTimeout in milliseconds bounds one failover attempt and spaces out retries.
	// +kubebuilder:default=10000
	// +kubebuilder:validation:Minimum=1000
	// +kubebuilder:validation:Maximum=3600000
	// +optional
	FailoverTimeout int32 `json:"failoverTimeout,omitempty"`

	// parallelSyncs is how many replicas resynchronise with a new master at the same time.
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=64
	// +optional
	ParallelSyncs int32 `json:"parallelSyncs,omitempty"`

	// masterName is the name the sentinels monitor the master under and clients ask them for
	// (SENTINEL GET-MASTER-ADDR-BY-NAME). Unset: the RedisFailover's metadata.name, which is
	// unique in its namespace, so that two failover groups never share a name: sentinels that
	// reach a pod of another group (a reused pod IP) merge the groups when the names match
	// (spotahome #550). Set "mymaster" to keep spotahome's fixed name for migrated clients; the
	// operator refuses a second RedisFailover in the namespace with the same name. Reported in
	// status.masterName. Fixed at creation (see the rule on RedisFailover): clients are
	// configured with it.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.matches('^[A-Za-z0-9][A-Za-z0-9._-]*$')",message="spec.sentinel.masterName must contain only letters, digits, '.', '_' and '-' and start with a letter or digit: fix the name"
	// +optional
	MasterName string `json:"masterName,omitempty"`

	// image of the sentinel. Unset: this operator's own image, which the operator fills in at
	// render time (so upgrading the operator upgrades the sentinels).
	// +kubebuilder:validation:MaxLength=512
	// +kubebuilder:validation:XValidation:rule="!self.matches('^([^/]+/)*redis(-sentinel)?([:@].*)?$')",message="spec.sentinel.image is a Redis image, but the sentinels run this operator's own sentinel server, not redis-sentinel: remove spec.sentinel.image to use the operator's image"
	// +optional
	Image string `json:"image,omitempty"`

	// imagePullPolicy of the sentinel container.
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	// +optional
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`

	// resources of the sentinel container.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// customConfig holds per-master sentinel options, one "option value" per entry, as spotahome's
	// did (applied like SENTINEL SET <master> option value). Options that have a typed field
	// (down-after-milliseconds, failover-timeout, parallel-syncs, quorum) are rejected with the
	// field to use; the supported option is master-reboot-down-after-period.
	// +kubebuilder:validation:MaxItems=16
	// +listType=atomic
	// +optional
	CustomConfig []SentinelConfigLine `json:"customConfig,omitempty"`

	PodSettings `json:",inline"`
}

// SentinelConfigLine is one per-master sentinel option: a lowercase option, a space and its value.
// +kubebuilder:validation:MaxLength=256
// +kubebuilder:validation:XValidation:rule="!self.matches('[[:cntrl:]]')",message="spec.sentinel.customConfig entries must be a single line: remove newlines, carriage returns, NUL and other control characters"
// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z][a-z0-9-]* [^ ]')",messageExpression="'spec.sentinel.customConfig entry \"' + self + '\" must be a lowercase option, one space and a value, e.g. \"master-reboot-down-after-period 60000\": fix the entry'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(down-after-milliseconds) ')",messageExpression="'spec.sentinel.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: set spec.sentinel.downAfterMilliseconds instead'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(failover-timeout) ')",messageExpression="'spec.sentinel.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: set spec.sentinel.failoverTimeout instead'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(parallel-syncs) ')",messageExpression="'spec.sentinel.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: set spec.sentinel.parallelSyncs instead'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(quorum) ')",messageExpression="'spec.sentinel.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: set spec.sentinel.quorum instead'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(auth-pass|auth-user) ')",messageExpression="'spec.sentinel.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: set spec.auth.secretPath instead (the password comes from a Secret)'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(notification-script|client-reconfig-script) ')",messageExpression="'spec.sentinel.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: remove the entry (scripts are not supported)'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(monitor|announce-ip|announce-port|announce-hostnames|resolve-hostnames|sentinel-user|sentinel-pass|known-replica|known-slave|known-sentinel|myid|current-epoch|config-epoch|leader-epoch|rename-command|deny-scripts-reconfig) ')",messageExpression="'spec.sentinel.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: remove the entry'"
// +kubebuilder:validation:XValidation:rule="!self.startsWith('master-reboot-down-after-period ') || self.matches('^master-reboot-down-after-period [0-9]{1,9}$')",message="spec.sentinel.customConfig: master-reboot-down-after-period takes milliseconds as a whole number, e.g. \"master-reboot-down-after-period 60000\": fix the value"
// +kubebuilder:validation:XValidation:rule="self.matches('^(master-reboot-down-after-period|down-after-milliseconds|failover-timeout|parallel-syncs|quorum|auth-pass|auth-user|notification-script|client-reconfig-script|monitor|announce-ip|announce-port|announce-hostnames|resolve-hostnames|sentinel-user|sentinel-pass|known-replica|known-slave|known-sentinel|myid|current-epoch|config-epoch|leader-epoch|rename-command|deny-scripts-reconfig) ')",messageExpression="'spec.sentinel.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is not a sentinel option this operator supports: the supported option is master-reboot-down-after-period; remove the entry'"
type SentinelConfigLine string
