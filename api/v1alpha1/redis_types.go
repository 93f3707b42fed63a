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
	"k8s.io/apimachinery/pkg/api/resource"
)

// RedisSettings describes the Redis nodes.
// +kubebuilder:validation:XValidation:rule="!has(self.minReplicasToWrite) || !has(self.replicas) || self.minReplicasToWrite < self.replicas",fieldPath=".minReplicasToWrite",messageExpression="'spec.redis.minReplicasToWrite (%d) must be less than spec.redis.replicas (%d), since the master itself is one of the replicas: lower minReplicasToWrite or add replicas'.format([self.minReplicasToWrite, self.replicas])"
// +kubebuilder:validation:XValidation:rule="!has(self.customReadinessProbe)",fieldPath=".customReadinessProbe",message="spec.redis.customReadinessProbe is not supported: a Redis pod's readiness means a replica has synced with the master, which the replica Service and the operator's replica-first rollout rely on; remove it (spec.redis.customLivenessProbe and customStartupProbe are supported)"
// +kubebuilder:validation:XValidation:rule="!(has(self.disablePodDisruptionBudget) && self.disablePodDisruptionBudget) || (has(self.storage) && has(self.storage.persistentVolumeClaim))",fieldPath=".disablePodDisruptionBudget",message="spec.redis.disablePodDisruptionBudget needs spec.redis.storage.persistentVolumeClaim: with emptyDir storage a drain without a PodDisruptionBudget may evict every Redis pod at once and lose all the data; remove it (the operator's PDB allows one pod down at a time and never blocks a drain) or use persistent storage"
// +kubebuilder:validation:XValidation:rule="!has(self.startupConfigMap) || !has(self.customStartupProbe)",fieldPath=".startupConfigMap",message="spec.redis.startupConfigMap and spec.redis.customStartupProbe both set the startup probe: keep one"
type RedisSettings struct {
	// replicas is the number of Redis nodes, the master included.
	// +kubebuilder:default=3
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=64
	// +optional
	Replicas int32 `json:"replicas,omitempty"`

	// image is the Redis server image. It must provide redis-server and sh.
	// +kubebuilder:default="docker.io/library/redis:7.0.15"
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Image string `json:"image,omitempty"`

	// imagePullPolicy of the Redis container.
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	// +optional
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`

	// port Redis listens on. Fixed at creation: the sentinels and clients know nodes by address.
	// +kubebuilder:default=6379
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	// +kubebuilder:validation:XValidation:rule="self != 26379",message="spec.redis.port must not be 26379, the sentinels' port: choose another port"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.redis.port cannot change after creation (sentinels and clients know the nodes by address): create a new RedisFailover to use another port"
	// +optional
	Port int32 `json:"port,omitempty"`

	// resources of the Redis container.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// customConfig holds redis.conf lines, one "directive value" per entry, e.g. "maxmemory 100mb".
	// Directives the operator owns (replicaof, port, dir, requirepass, ...) are rejected with the
	// field to use instead.
	// +kubebuilder:validation:MaxItems=128
	// +listType=atomic
	// +optional
	CustomConfig []RedisConfigLine `json:"customConfig,omitempty"`

	// replBacklogSize is repl-backlog-size: how much write history a master keeps so that a replica
	// that briefly lost its link, or the replicas of a newly promoted master, resume with a partial
	// resync instead of copying the whole dataset. Larger survives longer disconnections.
	// +kubebuilder:default="16Mi"
	// +kubebuilder:validation:XValidation:rule="quantity(string(self)).isInteger() && quantity(string(self)).compareTo(quantity('16Ki')) >= 0",message="spec.redis.replBacklogSize must be a whole number of bytes of at least 16Ki (Redis's minimum), e.g. 16Mi"
	// +optional
	ReplBacklogSize *resource.Quantity `json:"replBacklogSize,omitempty"`

	// minReplicasToWrite is min-replicas-to-write: the master refuses writes while fewer replicas
	// are connected with a lag under minReplicasMaxLag. 0 disables the check. Unset: 1 when there
	// are three Redis nodes or more (so that a master cut off from its replicas, which the
	// sentinels replace, stops accepting writes within minReplicasMaxLag: the writes a split brain
	// can lose are bounded by that window), 0 with fewer (a lone replica's restart would stop
	// every write). The value in effect is RedisSettings.EffectiveMinReplicasToWrite().
	// +kubebuilder:validation:Minimum=0
	// +optional
	MinReplicasToWrite *int32 `json:"minReplicasToWrite,omitempty"`

	// minReplicasMaxLag is min-replicas-max-lag in seconds.
	// +kubebuilder:default=10
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=3600
	// +optional
	MinReplicasMaxLag int32 `json:"minReplicasMaxLag,omitempty"`

	// storage holds the Redis data directory: an emptyDir (the default) or a PersistentVolumeClaim
	// template. Which of the two is fixed at creation.
	// +kubebuilder:default={}
	// +optional
	Storage RedisStorage `json:"storage,omitempty"`

	// exporter adds a Prometheus redis_exporter sidecar to each Redis pod.
	// +kubebuilder:default={}
	// +optional
	Exporter Exporter `json:"exporter,omitempty"`

	// customCommandRenames renames Redis commands (redis.conf rename-command), e.g. to hide
	// FLUSHALL. To "" disables the command. The operator, the sentinels and the pods' own scripts
	// send the renamed names, so commands they use (CONFIG, INFO, REPLICAOF, CLIENT, ...) may be
	// renamed but not disabled; the handshake commands (AUTH, HELLO, PING, PSYNC, SYNC, REPLCONF)
	// may not be renamed at all. The redis_exporter sidecar does not know the new names.
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:XValidation:rule="self.all(a, self.exists_one(b, b.from.lowerAscii() == a.from.lowerAscii()))",message="spec.redis.customCommandRenames renames one command twice: keep one entry per command"
	// +listType=atomic
	// +optional
	CustomCommandRenames []RedisCommandRename `json:"customCommandRenames,omitempty"`

	// command is spotahome's override of the Redis container's command. Accepted in spotahome's
	// form, redis-server, a config file, then "--directive value..." arguments: the operator's
	// own start-up (which decides whom a node follows before it serves) stays in charge, the
	// config file is the operator's, and each argument group is added to redis.conf as the line
	// "directive value...", as redis-server itself reads them. Directives the operator owns are
	// refused as in customConfig ("--protected-mode no" is what the operator sets anyway).
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:XValidation:rule="self.size() >= 2 && self[0].matches('^(/[^ ]*/)?redis-server$') && self[1].endsWith('.conf')",message="spec.redis.command must be redis-server, a config file and optionally \"--directive value\" arguments, e.g. [redis-server, /redis/redis.conf, --maxmemory, 100mb]: the operator runs its own start-up, which decides whom a node follows before it serves; put other settings in spec.redis.customConfig"
	// +kubebuilder:validation:XValidation:rule="self.size() <= 2 || self[2].startsWith('--')",message="spec.redis.command: the arguments after the config file must start with a \"--directive\", e.g. --maxmemory 100mb: fix the arguments"
	// +listType=atomic
	// +optional
	Command []RedisCommandArg `json:"command,omitempty"`

	// shutdownConfigMap names a ConfigMap whose key shutdown.sh runs when a Redis pod stops, after
	// the operator's own preStop handover (a master first hands its role to a replica with writes
	// paused, so that no acknowledged write is lost), within the termination grace period. It is
	// mounted at /redis-shutdown; REDIS_PASSWORD holds the password when spec.auth is set.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",message="spec.redis.shutdownConfigMap must be the name of a ConfigMap in this namespace: fix the name"
	// +optional
	ShutdownConfigMap string `json:"shutdownConfigMap,omitempty"`

	// startupConfigMap names a ConfigMap whose key startup.sh is the Redis container's startup
	// probe, as in spotahome: it runs every 15 s once Redis has started until it exits 0, and the
	// pod is not ready before. It is mounted at /redis-startup; REDIS_PASSWORD holds the password
	// when spec.auth is set. Not together with customStartupProbe.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",message="spec.redis.startupConfigMap must be the name of a ConfigMap in this namespace: fix the name"
	// +optional
	StartupConfigMap string `json:"startupConfigMap,omitempty"`

	PodSettings `json:",inline"`
}

// RedisCommandArg is one element of spec.redis.command.
// +kubebuilder:validation:MaxLength=512
// +kubebuilder:validation:XValidation:rule="!self.matches('^--(replicaof|slaveof|port|dir|requirepass|masterauth|masteruser|user|aclfile|bind|include|rename-command|daemonize|supervised|pidfile|logfile|unixsocket|unixsocketperm|replica-announce-ip|replica-announce-port|slave-announce-ip|slave-announce-port|replica-priority|slave-priority|replica-read-only|slave-read-only|replica-serve-stale-data|slave-serve-stale-data|repl-backlog-size|min-replicas-to-write|min-slaves-to-write|min-replicas-max-lag|min-slaves-max-lag|cluster-enabled|sentinel)$')",message="spec.redis.command sets a directive the operator manages (port, replicaof, dir, requirepass, bind, rename-command, ...): remove that argument and use the typed field (spec.redis.port, spec.auth, spec.redis.customCommandRenames, ...)"
type RedisCommandArg string

// RedisCommandRename is one rename-command: from is the command, to its new name ("" disables it).
// +kubebuilder:validation:XValidation:rule="!(self.from.lowerAscii() in ['auth', 'hello', 'ping', 'psync', 'sync', 'replconf'])",messageExpression="'spec.redis.customCommandRenames: ' + self.from + ' cannot be renamed: replicas and every client (the operator, the sentinels, redis-cli, the exporter) send it under its own name when they connect; remove the entry'"
// +kubebuilder:validation:XValidation:rule="(has(self.to) && self.to.size() > 0) || !(self.from.lowerAscii() in ['info', 'config', 'replicaof', 'slaveof', 'client', 'multi', 'exec', 'script', 'publish', 'subscribe', 'role'])",messageExpression="'spec.redis.customCommandRenames: ' + self.from + ' cannot be disabled: the operator, the sentinels or the pods\\' scripts send it; rename it instead (set to: a new name)'"
type RedisCommandRename struct {
	// from is the command to rename, e.g. FLUSHALL.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.matches('^[A-Za-z][A-Za-z0-9_-]*$')",message="spec.redis.customCommandRenames[].from must be a command name (letters, digits, '_' and '-'): fix the name"
	From string `json:"from"`

	// to is the new name; empty disables the command.
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:XValidation:rule="self.size() == 0 || self.matches('^[A-Za-z0-9_-]+$')",message="spec.redis.customCommandRenames[].to must be empty (disable the command) or letters, digits, '_' and '-': fix the name"
	// +optional
	To string `json:"to"`
}

// RedisConfigLine is one redis.conf line: a lowercase directive, a space and its value.
// +kubebuilder:validation:MaxLength=512
// +kubebuilder:validation:XValidation:rule="!self.matches('[[:cntrl:]]')",message="spec.redis.customConfig entries must be a single line: remove newlines, carriage returns, NUL and other control characters"
// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z][a-z0-9-]* [^ ]')",messageExpression="'spec.redis.customConfig entry \"' + self + '\" must be a lowercase directive, one space and a value, e.g. \"maxmemory 100mb\": fix the entry'"
// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z][a-z0-9-]* (?:[^ \"\\']+|[^ \"\\']*(?:\"(?:[^\"\\\\\\\\]|\\\\\\\\.)*\"|\\'(?:[^\\'\\\\\\\\]|\\\\\\\\+\\'|\\\\\\\\+[^\\'\\\\\\\\])*\\'))(?: +(?:[^ \"\\']+|[^ \"\\']*(?:\"(?:[^\"\\\\\\\\]|\\\\\\\\.)*\"|\\'(?:[^\\'\\\\\\\\]|\\\\\\\\+\\'|\\\\\\\\+[^\\'\\\\\\\\])*\\')))* *$')",messageExpression="'spec.redis.customConfig entry \"' + self + '\" has unbalanced quotes (Redis would refuse to start): close every quote and follow a closing quote with a space or the end of the line'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(replicaof|slaveof) ')",messageExpression="'spec.redis.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: remove the entry (the sentinels and the operator choose the master)'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(port) ')",messageExpression="'spec.redis.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: set spec.redis.port instead'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(requirepass|masterauth|masteruser) ')",messageExpression="'spec.redis.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: set spec.auth.secretPath instead (the password comes from a Secret)'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(user|aclfile) ')",messageExpression="'spec.redis.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: remove the entry and use spec.auth (ACL users would put passwords in a ConfigMap)'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(repl-backlog-size) ')",messageExpression="'spec.redis.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: set spec.redis.replBacklogSize instead'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(min-replicas-to-write|min-slaves-to-write) ')",messageExpression="'spec.redis.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: set spec.redis.minReplicasToWrite instead'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(min-replicas-max-lag|min-slaves-max-lag) ')",messageExpression="'spec.redis.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: set spec.redis.minReplicasMaxLag instead'"
// +kubebuilder:validation:XValidation:rule="!self.matches('^(dir|bind|include|rename-command|daemonize|supervised|pidfile|logfile|unixsocket|unixsocketperm|protected-mode|replica-announce-ip|replica-announce-port|slave-announce-ip|slave-announce-port|replica-priority|slave-priority|replica-read-only|slave-read-only|replica-serve-stale-data|slave-serve-stale-data|cluster-enabled|sentinel) ')",messageExpression="'spec.redis.customConfig: \"' + self.substring(0, self.indexOf(' ')) + '\" is managed by the operator: remove the entry'"
type RedisConfigLine string

// RedisStorage is where a Redis node keeps its data directory. spotahome's shape.
// +kubebuilder:validation:XValidation:rule="!(has(self.emptyDir) && has(self.persistentVolumeClaim))",message="spec.redis.storage sets both emptyDir and persistentVolumeClaim: keep only one"
// +kubebuilder:validation:XValidation:rule="has(self.persistentVolumeClaim) == has(oldSelf.persistentVolumeClaim)",message="spec.redis.storage cannot switch between emptyDir and persistentVolumeClaim after creation (a StatefulSet's volumes are fixed): create a new RedisFailover and migrate the data"
type RedisStorage struct {
	// keepAfterDeletion keeps the PersistentVolumeClaims when the RedisFailover is deleted.
	// Scaling down always keeps them, so that scaling back up finds the data.
	// +optional
	KeepAfterDeletion bool `json:"keepAfterDeletion,omitempty"`

	// emptyDir keeps data for the life of the pod only. Used when neither field is set.
	// +optional
	EmptyDir *corev1.EmptyDirVolumeSource `json:"emptyDir,omitempty"`

	// persistentVolumeClaim is the template of one claim per Redis node. Fixed at creation, like a
	// StatefulSet's volumeClaimTemplates: to grow a volume, expand the claims themselves.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.redis.storage.persistentVolumeClaim cannot change after creation (StatefulSet volumeClaimTemplates are immutable): to grow volumes, edit the PersistentVolumeClaims directly"
	// +optional
	PersistentVolumeClaim *EmbeddedPersistentVolumeClaim `json:"persistentVolumeClaim,omitempty"`
}

// EmbeddedPersistentVolumeClaim is a PersistentVolumeClaim template: metadata and spec.
type EmbeddedPersistentVolumeClaim struct {
	// metadata of the claims. The name defaults to "data".
	// +optional
	EmbeddedObjectMetadata `json:"metadata,omitempty"`

	// spec of the claims. resources.requests.storage is required.
	// +kubebuilder:validation:XValidation:rule="has(self.resources) && has(self.resources.requests) && 'storage' in self.resources.requests",message="spec.redis.storage.persistentVolumeClaim.spec.resources.requests.storage is required: set the volume size, e.g. 1Gi"
	Spec corev1.PersistentVolumeClaimSpec `json:"spec"`
}

// EmbeddedObjectMetadata is the part of ObjectMeta that a claim template may set.
type EmbeddedObjectMetadata struct {
	// name of the volume claim template; claims are named <name>-rfr-<redisfailover>-<ordinal>.
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",message="spec.redis.storage.persistentVolumeClaim.metadata.name must be a DNS label (lowercase letters, digits and '-'): fix the name"
	// +optional
	Name string `json:"name,omitempty"`

	// labels of the claims.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// annotations of the claims.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Exporter is a Prometheus redis_exporter sidecar. spotahome's shape.
type Exporter struct {
	// enabled adds the exporter container.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// image of the exporter. It reads the password from REDIS_PASSWORD, set from the auth Secret.
	// +kubebuilder:default="quay.io/oliver006/redis_exporter:v1.67.0"
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Image string `json:"image,omitempty"`

	// imagePullPolicy of the exporter container.
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	// +optional
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`

	// args appended to the exporter's command line.
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Args []string `json:"args,omitempty"`

	// env of the exporter container.
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Env []corev1.EnvVar `json:"env,omitempty"`

	// resources of the exporter container.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// containerSecurityContext of the exporter container.
	// +optional
	ContainerSecurityContext *corev1.SecurityContext `json:"containerSecurityContext,omitempty"`
}
