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
	"strconv"
	"strings"

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
	// DefaultDownAfterMilliseconds, DefaultFailoverTimeout and DefaultParallelSyncs apply when
	// neither the typed field nor a spec.sentinel.customConfig line sets the option.
	DefaultDownAfterMilliseconds = 3000
	DefaultFailoverTimeout       = 10000
	DefaultParallelSyncs         = 1
)

// EffectiveMinReplicasToWrite is spec.redis.minReplicasToWrite, else 1 with three Redis nodes or
// more and 0 with fewer. The schema cannot default one field from another.
func (r RedisSettings) EffectiveMinReplicasToWrite() int32 {
	if r.MinReplicasToWrite != nil {
		return *r.MinReplicasToWrite
	}
	if r.Replicas >= 3 {
		return 1
	}
	return 0
}

// EffectiveQuorum is spec.sentinel.quorum, else a customConfig line "quorum N", else a majority of spec.sentinel.replicas when unset.
// The schema cannot default one field from another, so the majority is computed here and
// reported in status.sentinels.quorum.
func (s SentinelSettings) EffectiveQuorum() int32 {
	if s.Quorum != nil {
		return *s.Quorum
	}
	if v, ok := s.customConfigValue("quorum"); ok {
		return v
	}
	return s.Replicas/2 + 1
}

// MasterName is the name the sentinels monitor the master under and clients ask them for:
// spec.sentinel.masterName; else the name in force, kept in status.masterName (a RedisFailover
// created before the namespaced default keeps its metadata.name there); else, for a new one,
// "<namespace>.<metadata.name>". The default is unique in the cluster: sentinels of two groups
// that reach each other's pods (a pod IP reused after a restart) would otherwise merge them.
// It has no schema default because a default cannot be taken from metadata.
func (in *RedisFailover) MasterName() string {
	switch {
	case in.Spec.Sentinel.MasterName != "":
		return in.Spec.Sentinel.MasterName
	case in.Status.MasterName != "":
		return in.Status.MasterName
	}
	return in.Namespace + "." + in.Name
}

// Schema defaults, repeated for objects that did not pass through the API server. The envtest
// suite checks that WithDefaults and the API server's defaulting give the same object.
const (
	defaultRedisReplicas     = 3
	defaultReplBacklogSize   = "16Mi"
	defaultMinReplicasMaxLag = 10
	defaultSentinelReplicas  = 3
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
	return out
}

// EffectiveDownAfterMilliseconds is spec.sentinel.downAfterMilliseconds, else a customConfig line
// "down-after-milliseconds N" (spotahome's way of setting it), else the default 3000. The API
// refuses both at once, so there is never a question of which wins; the schema cannot default
// the field because a default would hide the line.
func (s SentinelSettings) EffectiveDownAfterMilliseconds() int32 {
	return s.typedOrLine(s.DownAfterMilliseconds, "down-after-milliseconds", DefaultDownAfterMilliseconds)
}

// EffectiveFailoverTimeout is failoverTimeout, else a "failover-timeout N" line, else 10000.
func (s SentinelSettings) EffectiveFailoverTimeout() int32 {
	return s.typedOrLine(s.FailoverTimeout, "failover-timeout", DefaultFailoverTimeout)
}

// EffectiveParallelSyncs is parallelSyncs, else a "parallel-syncs N" line, else 1.
func (s SentinelSettings) EffectiveParallelSyncs() int32 {
	return s.typedOrLine(s.ParallelSyncs, "parallel-syncs", DefaultParallelSyncs)
}

func (s SentinelSettings) typedOrLine(typed int32, option string, fallback int32) int32 {
	if typed != 0 {
		return typed
	}
	if v, ok := s.customConfigValue(option); ok {
		return v
	}
	return fallback
}

// customConfigValue is the whole-number value of the customConfig line for option, if any.
func (s SentinelSettings) customConfigValue(option string) (int32, bool) {
	for _, l := range s.CustomConfig {
		rest, ok := strings.CutPrefix(string(l), option+" ")
		if !ok {
			continue
		}
		v, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 32)
		if err != nil {
			return 0, false
		}
		return int32(v), true
	}
	return 0, false
}
