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
	"regexp"
	"slices"
)

// redisImagePattern matches the Redis images spotahome manifests give the sentinels
// (redis, redis:7.0-alpine, docker.io/library/redis@sha256:..., bitnami/redis-sentinel:7).
var redisImagePattern = regexp.MustCompile(`^([^/]+/)*redis(-sentinel)?([:@].*)?$`)

// IsRedisImage reports whether image names a Redis (or redis-sentinel) image.
func IsRedisImage(image string) bool { return redisImagePattern.MatchString(image) }

// SentinelImage is the sentinel image the spec asks for: spec.sentinel.image, unless it is a
// Redis image (ignored: the sentinels run this project's server), "" meaning the operator's own.
func (s SentinelSettings) SentinelImage() string {
	if IsRedisImage(s.Image) {
		return ""
	}
	return s.Image
}

// IgnoredFields lists the fields of the spec that are accepted for compatibility with spotahome's
// RedisFailover but have no effect, each with the reason, for the IgnoredFields condition. An
// empty list means every field set has its effect.
func (in *RedisFailover) IgnoredFields() []string {
	s := in.Spec.Sentinel
	var out []string
	if s.Image != "" && IsRedisImage(s.Image) {
		out = append(out, "spec.sentinel.image "+s.Image+" (the sentinels run this operator's own server from the operator's image)")
	}
	if len(s.Command) > 0 {
		out = append(out, "spec.sentinel.command (the sentinels run this operator's own server with the command the operator renders)")
	}
	e := s.Exporter
	if e.Image != "" || e.ImagePullPolicy != "" || len(e.Args) > 0 || len(e.Env) > 0 || e.Resources != nil || e.ContainerSecurityContext != nil {
		out = append(out, "spec.sentinel.exporter image, imagePullPolicy, args, env, resources and containerSecurityContext (no sidecar: exporter.enabled turns on the sentinel's own metrics on port 9355)")
	}
	return slices.Clip(out)
}
