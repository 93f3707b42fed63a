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

// Labels the operator puts on the objects it renders. The role label is set on Redis pods by the
// controller, never by the StatefulSet template, and selects the master and replica Services.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelComponent = "app.kubernetes.io/component"
	LabelManagedBy = "app.kubernetes.io/managed-by"

	// LabelRole is redis.failover.dev/role on Redis pods: role.Master or role.Replica (package
	// api/role holds the values, shared with the decision code).
	LabelRole = "redis.failover.dev/role"

	// LabelNameValue is the value of LabelName on every rendered object.
	LabelNameValue = "redis-failover"
	// LabelManagedByValue is the value of LabelManagedBy on every rendered object.
	LabelManagedByValue = "redis-failover-operator"

	// ComponentRedis is LabelComponent of Redis objects.
	ComponentRedis = "redis"
	// ComponentSentinel is LabelComponent of sentinel objects.
	ComponentSentinel = "sentinel"
)
