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
// +kubebuilder:validation:XValidation:rule="!has(self.customLivenessProbe) || !has(self.customLivenessProbe.exec)",fieldPath=".customLivenessProbe",message="spec.sentinel.customLivenessProbe cannot be an exec probe: the sentinel container runs this operator's image, which has no shell or redis-cli; use tcpSocket on port 26379 (or remove the probe)"
// +kubebuilder:validation:XValidation:rule="!has(self.customReadinessProbe) || !has(self.customReadinessProbe.exec)",fieldPath=".customReadinessProbe",message="spec.sentinel.customReadinessProbe cannot be an exec probe: the sentinel container runs this operator's image, which has no shell or redis-cli; use tcpSocket on port 26379 (or remove the probe)"
// +kubebuilder:validation:XValidation:rule="!has(self.customStartupProbe) || !has(self.customStartupProbe.exec)",fieldPath=".customStartupProbe",message="spec.sentinel.customStartupProbe cannot be an exec probe: the sentinel container runs this operator's image, which has no shell or redis-cli; use tcpSocket on port 26379 (or remove the probe)"
// +kubebuilder:validation:XValidation:rule="!has(self.startupConfigMap)",fieldPath=".startupConfigMap",message="spec.sentinel.startupConfigMap is not supported: spotahome ran startup.sh with the shell of its Redis sentinel image, and the sentinel container here runs this operator's image, which has no shell; remove it"
// +kubebuilder:validation:XValidation:rule="!has(self.downAfterMilliseconds) || !has(self.customConfig) || !self.customConfig.exists(l, l.startsWith('down-after-milliseconds '))",fieldPath=".customConfig",message="spec.sentinel sets down-after-milliseconds twice, in downAfterMilliseconds and in customConfig: keep one"
// +kubebuilder:validation:XValidation:rule="!has(self.failoverTimeout) || !has(self.customConfig) || !self.customConfig.exists(l, l.startsWith('failover-timeout '))",fieldPath=".customConfig",message="spec.sentinel sets failover-timeout twice, in failoverTimeout and in customConfig: keep one"
// +kubebuilder:validation:XValidation:rule="!has(self.parallelSyncs) || !has(self.customConfig) || !self.customConfig.exists(l, l.startsWith('parallel-syncs '))",fieldPath=".customConfig",message="spec.sentinel sets parallel-syncs twice, in parallelSyncs and in customConfig: keep one"
// +kubebuilder:validation:XValidation:rule="!has(self.quorum) || !has(self.customConfig) || !self.customConfig.exists(l, l.startsWith('quorum '))",fieldPath=".customConfig",message="spec.sentinel sets quorum twice, in quorum and in customConfig: keep one"
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
	// it down. Unset: a customConfig line "down-after-milliseconds N" (spotahome's way), else 3000.
	// +kubebuilder:validation:Minimum=100
	// +kubebuilder:validation:Maximum=600000
	// +optional
	DownAfterMilliseconds int32 `json:"downAfterMilliseconds,omitempty"`

	// failoverTimeout in milliseconds bounds one failover attempt and spaces out retries.
	// Unset: a customConfig line "failover-timeout N", else 10000.
	// +kubebuilder:validation:Minimum=1000
	// +kubebuilder:validation:Maximum=3600000
	// +optional
	FailoverTimeout int32 `json:"failoverTimeout,omitempty"`

	// parallelSyncs is how many replicas resynchronise with a new master at the same time.
	// Unset: a customConfig line "parallel-syncs N", else 1.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=64
	// +optional
	ParallelSyncs int32 `json:"parallelSyncs,omitempty"`

	// masterName is the name the sentinels monitor the master under and clients ask them for
	// (SENTINEL GET-MASTER-ADDR-BY-NAME). Unset: "<namespace>.<metadata.name>", unique in the
	// cluster, so that two failover groups never share a name: sentinels that reach a pod of
	// another group (a reused pod IP) merge the groups when the names match (spotahome #550).
	// A RedisFailover created before this default keeps the name in its status.masterName
	// (metadata.name). Set "mymaster" to keep spotahome's fixed name for migrated clients; the
	// operator refuses a second RedisFailover in the namespace with the same name. Reported in
	// status.masterName. Fixed at creation (see the rule on RedisFailover): clients are
	// configured with it.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.matches('^[A-Za-z0-9][A-Za-z0-9._-]*$')",message="spec.sentinel.masterName must contain only letters, digits, '.', '_' and '-' and start with a letter or digit: fix the name"
	// +optional
	MasterName string `json:"masterName,omitempty"`

	// image of the sentinel. Unset: this operator's own image, which the operator fills in at
	// render time (so upgrading the operator upgrades the sentinels). A Redis image (redis,
	// .../redis:TAG, redis-sentinel), as spotahome manifests name, is accepted and ignored: the
	// sentinels run this project's server, which only the operator's image contains; the
	// IgnoredFields condition says so.
	// +kubebuilder:validation:MaxLength=512
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
	// did (applied like SENTINEL SET <master> option value): down-after-milliseconds,
	// failover-timeout, parallel-syncs and quorum (each the same as its typed field, which must
	// then be unset) and master-reboot-down-after-period.
	// +kubebuilder:validation:MaxItems=16
	// +listType=atomic
	// +optional
	CustomConfig []SentinelConfigLine `json:"customConfig,omitempty"`

	// command is spotahome's sentinel command. Accepted and ignored: the sentinels run this
	// project's server with the command the operator renders; the IgnoredFields condition says so.
	// +kubebuilder:validation:MaxItems=64
	// +listType=atomic
	// +optional
	Command []string `json:"command,omitempty"`

	// startupConfigMap is spotahome's field and is refused: see the rule above.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	StartupConfigMap string `json:"startupConfigMap,omitempty"`

	// exporter is spotahome's sentinel exporter sidecar, mapped onto the sentinel's own metrics:
	// enabled makes this RedisFailover's sentinels serve Prometheus metrics on port 9355
	// (container port "metrics", path /metrics), as the operator's --sentinel-metrics does for
	// every RedisFailover. No sidecar is added; its image, args, env and resources are ignored
	// (the IgnoredFields condition lists them).
	// +optional
	Exporter SentinelExporter `json:"exporter,omitempty"`

	// configCopy is spotahome's sentinel config-copy init container: its containerSecurityContext
	// applies to the init container that writes the sentinel's config here.
	// +optional
	ConfigCopy SentinelConfigCopy `json:"configCopy,omitempty"`

	PodSettings `json:",inline"`
}

// SentinelExporter is spotahome's sentinel exporter shape. Only enabled has an effect.
type SentinelExporter struct {
	// enabled turns on the sentinels' own Prometheus metrics.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// image of spotahome's sidecar; ignored.
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Image string `json:"image,omitempty"`

	// imagePullPolicy of spotahome's sidecar; ignored.
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	// +optional
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`

	// args of spotahome's sidecar; ignored.
	// +kubebuilder:validation:MaxItems=64
	// +listType=atomic
	// +optional
	Args []string `json:"args,omitempty"`

	// env of spotahome's sidecar; ignored.
	// +kubebuilder:validation:MaxItems=64
	// +listType=atomic
	// +optional
	Env []corev1.EnvVar `json:"env,omitempty"`

	// resources of spotahome's sidecar; ignored (the metrics are served by the sentinel process).
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// containerSecurityContext of spotahome's sidecar; ignored.
	// +optional
	ContainerSecurityContext *corev1.SecurityContext `json:"containerSecurityContext,omitempty"`
}

// SentinelConfigCopy is spotahome's config-copy init container settings.
type SentinelConfigCopy struct {
	// containerSecurityContext of the sentinel pod's init container. Unset: the sentinel's
	// containerSecurityContext, else the restricted default.
	// +optional
	ContainerSecurityContext *corev1.SecurityContext `json:"containerSecurityContext,omitempty"`
}

// SentinelConfigLine is one per-master sentinel option: a lowercase option, a space and its value.
// +kubebuilder:validation:MaxLength=256
// +kubebuilder:validation:XValidation:rule="!self.matches('[[:cntrl:]]')",message="spec.sentinel.customConfig entries must be a single line: remove newlines, carriage returns, NUL and other control characters"
// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z][a-z0-9-]* [^ ]')",messageExpression="'spec.sentinel.customConfig entry \"' + self + '\" must be a lowercase option, one space and a value, e.g. \"master-reboot-down-after-period 60000\": fix the entry'"
// +kubebuilder:validation:XValidation:rule="!self.startsWith('down-after-milliseconds ') || (self.matches('^down-after-milliseconds [0-9]{1,6}$') && int(self.substring(24)) >= 100 && int(self.substring(24)) <= 600000)",message="spec.sentinel.customConfig: down-after-milliseconds takes milliseconds from 100 to 600000, e.g. \"down-after-milliseconds 2000\": fix the value"
// +kubebuilder:validation:XValidation:rule="!self.startsWith('failover-timeout ') || (self.matches('^failover-timeout [0-9]{1,7}$') && int(self.substring(17)) >= 1000 && int(self.substring(17)) <= 3600000)",message="spec.sentinel.customConfig: failover-timeout takes milliseconds from 1000 to 3600000, e.g. \"failover-timeout 10000\": fix the value"
// +kubebuilder:validation:XValidation:rule="!self.startsWith('parallel-syncs ') || (self.matches('^parallel-syncs [0-9]{1,2}$') && int(self.substring(15)) >= 1 && int(self.substring(15)) <= 64)",message="spec.sentinel.customConfig: parallel-syncs takes a number from 1 to 64, e.g. \"parallel-syncs 1\": fix the value"
// +kubebuilder:validation:XValidation:rule="!self.startsWith('quorum ') || (self.matches('^quorum [0-9]{1,2}$') && int(self.substring(7)) >= 1)",message="spec.sentinel.customConfig: quorum takes a number of sentinels of at least 1, e.g. \"quorum 2\": fix the value"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(auth-pass|auth-user) ')",messageExpression="'spec.sentinel.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: set spec.auth.secretPath instead (the password comes from a Secret)'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(notification-script|client-reconfig-script) ')",messageExpression="'spec.sentinel.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: remove the entry (scripts are not supported)'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(monitor|announce-ip|announce-port|announce-hostnames|resolve-hostnames|sentinel-user|sentinel-pass|known-replica|known-slave|known-sentinel|myid|current-epoch|config-epoch|leader-epoch|rename-command|deny-scripts-reconfig) ')",messageExpression="'spec.sentinel.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: remove the entry'"
// +kubebuilder:validation:XValidation:rule="!self.startsWith('master-reboot-down-after-period ') || self.matches('^master-reboot-down-after-period [0-9]{1,9}$')",message="spec.sentinel.customConfig: master-reboot-down-after-period takes milliseconds as a whole number, e.g. \"master-reboot-down-after-period 60000\": fix the value"
// +kubebuilder:validation:XValidation:rule="self.matches('^(master-reboot-down-after-period|down-after-milliseconds|failover-timeout|parallel-syncs|quorum|auth-pass|auth-user|notification-script|client-reconfig-script|monitor|announce-ip|announce-port|announce-hostnames|resolve-hostnames|sentinel-user|sentinel-pass|known-replica|known-slave|known-sentinel|myid|current-epoch|config-epoch|leader-epoch|rename-command|deny-scripts-reconfig) ')",messageExpression="'spec.sentinel.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is not a sentinel option this operator supports: the supported options are down-after-milliseconds, failover-timeout, parallel-syncs, quorum and master-reboot-down-after-period; remove the entry'"
type SentinelConfigLine string
