package testbed

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

const redisPort = 6379

// redisContainer runs the Redis image the e2e tests use, so these checks exercise the same
// image, network and DNS path they rely on.
func redisContainer(image string, args ...string) corev1.Container {
	return corev1.Container{
		Name:  "redis",
		Image: image,
		// The image exists only on the node (hack/images.sh); there is no registry to pull from.
		ImagePullPolicy: corev1.PullNever,
		Args:            args,
		Ports:           []corev1.ContainerPort{{Name: "redis", ContainerPort: redisPort}},
		ReadinessProbe: &corev1.Probe{
			ProbeHandler:  corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"redis-cli", "ping"}}},
			PeriodSeconds: 1,
		},
	}
}

// redisServerArgs: no persistence, and protected mode off because the pods reach each other over
// the pod network without a password.
func redisServerArgs() []string {
	return []string{"redis-server", "--protected-mode", "no", "--save", "", "--appendonly", "no"}
}

// redisService is a ClusterIP Service in front of the pods selector picks.
func redisService(namespace, name string, selector map[string]string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: corev1.ServiceSpec{
			Selector: selector,
			Ports:    []corev1.ServicePort{{Name: "redis", Port: redisPort, TargetPort: intstr.FromString("redis")}},
		},
	}
}
