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
	"k8s.io/apimachinery/pkg/api/resource"
)

// Defaults that cannot live in the schema, and the schema defaults that Go code also needs.
// The schema markers are the source of truth for the API server; envtest checks the two agree.
const (
	// DefaultRedisImage is spec.redis.image's default. It equals REDIS_IMAGE in hack/versions.env
	// (a test keeps them in step) because the local cluster serves that image without a registry.
	DefaultRedisImage = "docker.io/library/redis:7.0.15"
	// DefaultRedisPort is spec.redis.port's default.
	DefaultRedisPort = 6379
	// SentinelPort is the port every sentinel listens on (not configurable, as in spotahome).
	SentinelPort = 26379
	// DefaultAuthSecretKey is the Secret key read when spec.auth.secretKey is empty.
	DefaultAuthSecretKey = "password"
	// DefaultExporterImage is spec.redis.exporter.image's default.
	DefaultExporterImage = "quay.io/oliver006/redis_exporter:v1.67.0"
	// DefaultVolumeClaimName names the claim template when its metadata.name is empty.
	DefaultVolumeClaimName = "data"
)

// EffectiveQuorum is spec.sentinel.quorum, or a majority of spec.sentinel.replicas when unset.
// The schema cannot default one field from another, so the majority is computed here and
// reported in status.sentinels.quorum.
func (s SentinelSettings) EffectiveQuorum() int32 {
	if s.Quorum != nil {
		return *s.Quorum
	}
	return s.Replicas/2 + 1
}

// MasterName is the name the sentinels monitor the master under and clients ask them for:
// spec.sentinel.masterName, or metadata.name when unset. metadata.name is unique in the
// namespace, so by default no two failover groups share a name; sentinels of two groups that
// reach each other's pods (a pod IP reused after a restart) would otherwise merge them. It has
// no schema default because a default cannot be taken from metadata.name.
func (in *RedisFailover) MasterName() string {
	if in.Spec.Sentinel.MasterName != "" {
		return in.Spec.Sentinel.MasterName
	}
	return in.Name
}

// Schema defaults, repeated for objects that did not pass through the API server. The envtest
// suite checks that WithDefaults and the API server's defaulting give the same object.
const (
	defaultRedisReplicas         = 3
	defaultReplBacklogSize       = "16Mi"
	defaultMinReplicasMaxLag     = 10
	defaultSentinelReplicas      = 3
	defaultDownAfterMilliseconds = 3000
	defaultFailoverTimeout       = 10000
	defaultParallelSyncs         = 1
)

// WithDefaults returns a copy of rf with the schema's defaults applied to unset fields, as the
// API server would apply them on create. Code that builds a RedisFailover itself (tests, tools)
// gets the same object the controller would read back.
func (in *RedisFailover) WithDefaults() *RedisFailover {
	out := in.DeepCopy()
	r := &out.Spec.Redis
	if r.Replicas == 0 {
		r.Replicas = defaultRedisReplicas
	}
	if r.Image == "" {
		r.Image = DefaultRedisImage
	}
	if r.Port == 0 {
		r.Port = DefaultRedisPort
	}
	if r.ReplBacklogSize == nil {
		q := resource.MustParse(defaultReplBacklogSize)
		r.ReplBacklogSize = &q
	}
	if r.MinReplicasMaxLag == 0 {
		r.MinReplicasMaxLag = defaultMinReplicasMaxLag
	}
	if r.Exporter.Image == "" {
		r.Exporter.Image = DefaultExporterImage
	}
	s := &out.Spec.Sentinel
	if s.Replicas == 0 {
		s.Replicas = defaultSentinelReplicas
	}
	if s.DownAfterMilliseconds == 0 {
		s.DownAfterMilliseconds = defaultDownAfterMilliseconds
	}
	if s.FailoverTimeout == 0 {
		s.FailoverTimeout = defaultFailoverTimeout
	}
	if s.ParallelSyncs == 0 {
		s.ParallelSyncs = defaultParallelSyncs
	}
	return out
}
