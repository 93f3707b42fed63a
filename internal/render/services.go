package render

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/failover-dev/redis-failover-operator/api/role"
	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// redisHeadlessService gives every Redis pod a stable DNS name, ready or not: the controller and
// the sentinels must reach a node that is not (yet) ready.
func redisHeadlessService(rf *redisv1alpha1.RedisFailover) *corev1.Service {
	svc := service(rf, RedisName(rf), redisv1alpha1.ComponentRedis, RedisSelector(rf), portNameRedis, rf.Spec.Redis.Port, rf.Spec.Redis.ServiceAnnotations)
	svc.Spec.ClusterIP = corev1.ClusterIPNone
	svc.Spec.PublishNotReadyAddresses = true
	return svc
}

// masterService selects the pod the controller labelled master: clients that do not speak the
// sentinel protocol write through it.
func masterService(rf *redisv1alpha1.RedisFailover) *corev1.Service {
	return service(rf, MasterServiceName(rf), redisv1alpha1.ComponentRedis, RoleSelector(rf, role.Master), portNameRedis, rf.Spec.Redis.Port, rf.Spec.Redis.ServiceAnnotations)
}

// replicaService selects the ready replicas, for read-only traffic.
func replicaService(rf *redisv1alpha1.RedisFailover) *corev1.Service {
	return service(rf, ReplicaServiceName(rf), redisv1alpha1.ComponentRedis, RoleSelector(rf, role.Replica), portNameRedis, rf.Spec.Redis.Port, rf.Spec.Redis.ServiceAnnotations)
}

// sentinelService is where sentinel-aware clients ask for the master.
func sentinelService(rf *redisv1alpha1.RedisFailover) *corev1.Service {
	return service(rf, SentinelName(rf), redisv1alpha1.ComponentSentinel, SentinelSelector(rf), portNameSentinel, redisv1alpha1.SentinelPort, rf.Spec.Sentinel.ServiceAnnotations)
}

// sentinelHeadlessService lists every sentinel pod in DNS, ready or not, so that a sentinel that
// starts finds its peers and knows which addresses are gone, without the Kubernetes API.
func sentinelHeadlessService(rf *redisv1alpha1.RedisFailover) *corev1.Service {
	svc := service(rf, SentinelHeadlessServiceName(rf), redisv1alpha1.ComponentSentinel, SentinelSelector(rf), portNameSentinel, redisv1alpha1.SentinelPort, nil)
	svc.Spec.ClusterIP = corev1.ClusterIPNone
	svc.Spec.PublishNotReadyAddresses = true
	return svc
}

func service(rf *redisv1alpha1.RedisFailover, name, component string, selector map[string]string, portName string, port int32, annotations map[string]string) *corev1.Service {
	meta := objectMeta(rf, name, component)
	meta.Annotations = maps.Clone(annotations)
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: meta,
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: selector,
			Ports: []corev1.ServicePort{{
				Name: portName, Port: port, TargetPort: intstr.FromString(portName), Protocol: corev1.ProtocolTCP,
			}},
		},
	}
}
