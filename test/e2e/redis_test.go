package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// Objects shared by the Redis tests of this suite: plain Kubernetes workloads running the
// project's local Redis image, no operator involved.

const redisPort = 6379

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

// redisServerArgs: no persistence (nothing to keep), and protected mode off because the pods
// reach each other over the pod network without a password.
func redisServerArgs(extra ...string) []string {
	return append([]string{"redis-server", "--protected-mode", "no", "--save", "", "--appendonly", "no"}, extra...)
}

func redisStatefulSet(namespace, name, headless, image string, replicas int32) *appsv1.StatefulSet {
	labels := map[string]string{"app.kubernetes.io/name": name}
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: appsv1.StatefulSetSpec{
			Replicas:            ptr.To(replicas),
			ServiceName:         headless,
			PodManagementPolicy: appsv1.ParallelPodManagement,
			Selector:            &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					TerminationGracePeriodSeconds: ptr.To[int64](2),
					Containers:                    []corev1.Container{redisContainer(image, redisServerArgs()...)},
				},
			},
		},
	}
}

func service(namespace, name string, selector map[string]string, headless bool) *corev1.Service {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: corev1.ServiceSpec{
			Selector: selector,
			Ports:    []corev1.ServicePort{{Name: "redis", Port: redisPort, TargetPort: intstr.FromString("redis")}},
		},
	}
	if headless {
		svc.Spec.ClusterIP = corev1.ClusterIPNone
		// Pod DNS names must resolve before the pods are Ready: replicas look the master up early.
		svc.Spec.PublishNotReadyAddresses = true
	}
	return svc
}

// redisCLI runs redis-cli in a pod and returns its reply without the trailing newline.
func redisCLI(ctx context.Context, f *framework.Framework, namespace, pod string, args ...string) (string, error) {
	res, err := f.Exec(ctx, namespace, pod, "redis", append([]string{"redis-cli"}, args...)...)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(res.Stdout), nil
}

// evalAndWait runs a Lua script on a pod's Redis and then WAIT replicas, on one connection:
// WAIT counts the replicas that acknowledged the connection's own last write, so a WAIT on a
// connection of its own would report every replica at once, whatever they hold. It returns the
// script's reply and the number of replicas that acknowledged within timeoutMs. The script must
// not contain double quotes.
func evalAndWait(ctx context.Context, f *framework.Framework, namespace, pod, script string, replicas, timeoutMs int) (string, int, error) {
	res, err := f.Exec(ctx, namespace, pod, "redis", "sh", "-c",
		`printf 'EVAL "%s" 0\nWAIT %s %s\n' "$1" "$2" "$3" | redis-cli`, "sh", script, strconv.Itoa(replicas), strconv.Itoa(timeoutMs))
	if err != nil {
		return "", 0, err
	}
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	if len(lines) != 2 {
		return "", 0, fmt.Errorf("EVAL then WAIT on %s answered %q %q, want two lines", pod, res.Stdout, res.Stderr)
	}
	acked, err := strconv.Atoi(strings.TrimSpace(lines[1]))
	if err != nil {
		return "", 0, fmt.Errorf("WAIT on %s answered %q: %w", pod, lines[1], err)
	}
	return strings.TrimSpace(lines[0]), acked, nil
}

// infoField returns one field of an INFO section, e.g. infoField(info, "role").
func infoField(info, field string) (string, error) {
	for _, line := range strings.Split(info, "\n") {
		if value, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return value, nil
		}
	}
	return "", fmt.Errorf("INFO has no field %q", field)
}
