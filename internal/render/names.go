package render

import (
	"maps"

	"github.com/failover-dev/redis-failover-operator/api/role"
	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// Object names. The prefixes are spotahome's, so that a migrated cluster keeps the Service names
// its clients use. The API caps metadata.name at 48 characters so that every derived name,
// including the StatefulSet's pod and revision names, stays within 63.

// RedisName names the Redis StatefulSet, its headless Service, ConfigMap and PDB.
func RedisName(rf *redisv1alpha1.RedisFailover) string { return "rfr-" + rf.Name }

// SentinelName names the sentinel Deployment, its Service, ConfigMap and PDB.
func SentinelName(rf *redisv1alpha1.RedisFailover) string { return "rfs-" + rf.Name }

// SentinelHeadlessServiceName names the headless Service whose DNS lists every sentinel pod,
// ready or not: the sentinels find each other through it (discovery).
func SentinelHeadlessServiceName(rf *redisv1alpha1.RedisFailover) string {
	return SentinelName(rf) + "-headless"
}

// MasterServiceName names the Service that selects the master pod.
func MasterServiceName(rf *redisv1alpha1.RedisFailover) string { return "rfrm-" + rf.Name }

// ReplicaServiceName names the Service that selects the replica pods.
func ReplicaServiceName(rf *redisv1alpha1.RedisFailover) string { return "rfrs-" + rf.Name }

// RedisSelector selects every Redis pod of rf. It is the StatefulSet's immutable selector.
func RedisSelector(rf *redisv1alpha1.RedisFailover) map[string]string {
	return selector(rf, redisv1alpha1.ComponentRedis)
}

// SentinelSelector selects every sentinel pod of rf. It is the Deployment's immutable selector.
func SentinelSelector(rf *redisv1alpha1.RedisFailover) map[string]string {
	return selector(rf, redisv1alpha1.ComponentSentinel)
}

// RoleSelector selects the Redis pods of rf that the controller labelled with role r.
func RoleSelector(rf *redisv1alpha1.RedisFailover, r role.Role) map[string]string {
	s := RedisSelector(rf)
	s[redisv1alpha1.LabelRole] = string(r)
	return s
}

func selector(rf *redisv1alpha1.RedisFailover, component string) map[string]string {
	return map[string]string{
		redisv1alpha1.LabelName:      redisv1alpha1.LabelNameValue,
		redisv1alpha1.LabelInstance:  rf.Name,
		redisv1alpha1.LabelComponent: component,
	}
}

// objectLabels are the labels of every object of a component: the labels spec.labelWhitelist
// copies from the RedisFailover, under the selector plus managed-by.
func objectLabels(rf *redisv1alpha1.RedisFailover, component string) map[string]string {
	l := propagatedLabels(rf)
	maps.Copy(l, ownLabels(rf, component))
	return l
}

// ownLabels are the operator's labels of a component: the selector plus managed-by. The claim
// template carries only these: a StatefulSet's volumeClaimTemplates cannot change, so labels the
// user may edit on the RedisFailover must not reach them.
func ownLabels(rf *redisv1alpha1.RedisFailover, component string) map[string]string {
	l := selector(rf, component)
	l[redisv1alpha1.LabelManagedBy] = redisv1alpha1.LabelManagedByValue
	return l
}

// podLabels are the user's podLabels under the operator's own, which the API forbids overriding
// and which are applied last here as well.
func podLabels(rf *redisv1alpha1.RedisFailover, component string, user map[string]string) map[string]string {
	l := make(map[string]string, len(user)+4)
	maps.Copy(l, user)
	maps.Copy(l, objectLabels(rf, component))
	return l
}
