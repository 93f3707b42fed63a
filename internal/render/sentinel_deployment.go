package render

import (
	"path"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// ContainerSentinel is the sentinel container's name.
const ContainerSentinel = "sentinel"

const portNameSentinel = "sentinel"

// SentinelMetricsPort is where a sentinel serves Prometheus metrics (/metrics) when the
// operator runs with --sentinel-metrics; the container port is named PortNameMetrics.
const (
	SentinelMetricsPort = 9355
	PortNameMetrics     = "metrics"
)

// program is what the sentinel container runs (sentinelProgram).
type program struct {
	image      string
	pullPolicy corev1.PullPolicy
	command    []string
	// metrics means the command serves Prometheus metrics on SentinelMetricsPort, which the
	// container then declares.
	metrics bool
	// discovery means the command reads the ConfigMap's discovery settings and the Secret's
	// password at run time, which the container then mounts.
	discovery bool
}

// sentinelDeployment renders the sentinels. Their config lives on a memory-backed emptyDir
// that the sentinel rewrites (epochs, known replicas and sentinels); it survives container
// restarts, and a replaced pod starts empty and learns the master from the controller.
// The init container runs from the Redis image because it needs a shell; the operator's image
// need not have one.
func sentinelDeployment(rf *redisv1alpha1.RedisFailover, prog program, configHash string) *appsv1.Deployment {
	s := rf.Spec.Sentinel
	auth := rf.Spec.Auth.Enabled()
	confPath := path.Join(sentinelDataDir, sentinelConfKey)

	initMounts := []corev1.VolumeMount{
		{Name: volumeConfig, MountPath: sentinelTemplateDir, ReadOnly: true},
		{Name: volumeData, MountPath: sentinelDataDir},
	}
	if auth {
		initMounts = append(initMounts, corev1.VolumeMount{Name: volumeAuth, MountPath: sentinelSecretDir, ReadOnly: true})
	}
	containerSC := containerSecurityContext(s.PodSettings)

	initSC := containerSC.DeepCopy()
	if s.ConfigCopy.ContainerSecurityContext != nil {
		// spotahome's sentinel config-copy init container is this one.
		initSC = s.ConfigCopy.ContainerSecurityContext.DeepCopy()
	}
	initContainer := corev1.Container{
		Name:            containerInit,
		Image:           rf.Spec.Redis.Image,
		ImagePullPolicy: rf.Spec.Redis.ImagePullPolicy,
		Command: []string{"sh", path.Join(sentinelTemplateDir, initScriptKey), "sentinel",
			path.Join(sentinelTemplateDir, sentinelConfKey), path.Join(sentinelSecretDir, passwordFileName),
			confPath, secretDescriptionOrNone(rf)},
		VolumeMounts:    initMounts,
		Resources:       *s.Resources.DeepCopy(),
		SecurityContext: initSC,
	}

	tcpProbe := func(period, failures int32) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler:  corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString(portNameSentinel)}},
			PeriodSeconds: period, TimeoutSeconds: 3, FailureThreshold: failures,
		}
	}
	sentinel := corev1.Container{
		Name:            ContainerSentinel,
		Image:           prog.image,
		ImagePullPolicy: prog.pullPolicy,
		Command:         prog.command,
		Ports: []corev1.ContainerPort{{
			Name: portNameSentinel, ContainerPort: redisv1alpha1.SentinelPort, Protocol: corev1.ProtocolTCP,
		}},
		Resources: *s.Resources.DeepCopy(),
		// The rewritable config; discovery adds the ConfigMap and the Secret below.
		VolumeMounts:    []corev1.VolumeMount{{Name: volumeData, MountPath: sentinelDataDir}},
		ReadinessProbe:  tcpProbe(5, 2),
		LivenessProbe:   tcpProbe(10, 6),
		SecurityContext: containerSC,
	}
	if prog.discovery {
		sentinel.VolumeMounts = append(sentinel.VolumeMounts, corev1.VolumeMount{Name: volumeConfig, MountPath: sentinelTemplateDir, ReadOnly: true})
		if auth {
			sentinel.VolumeMounts = append(sentinel.VolumeMounts, corev1.VolumeMount{Name: volumeAuth, MountPath: sentinelSecretDir, ReadOnly: true})
		}
	}
	if prog.metrics {
		sentinel.Ports = append(sentinel.Ports, corev1.ContainerPort{
			Name: PortNameMetrics, ContainerPort: SentinelMetricsPort, Protocol: corev1.ProtocolTCP,
		})
	}

	volumes := []corev1.Volume{configMapVolume(SentinelName(rf)), runtimeVolume(volumeData)}
	if auth {
		volumes = append(volumes, authVolume(rf.Spec.Auth))
	}
	selector := SentinelSelector(rf)
	podSpec := corev1.PodSpec{
		InitContainers: []corev1.Container{initContainer},
		Containers:     []corev1.Container{sentinel},
		Volumes:        volumes,
	}
	applyPodSettings(&podSpec, s.PodSettings, sentinelUID, selector)
	tellWhyContainersFail(&podSpec)
	applyPodExtensions(&podSpec, s.PodExtensions)
	// The init container runs the Redis image, so the pod needs whatever pulls that image too.
	for _, ref := range rf.Spec.Redis.ImagePullSecrets {
		if !slices.Contains(podSpec.ImagePullSecrets, ref) {
			podSpec.ImagePullSecrets = append(podSpec.ImagePullSecrets, ref)
		}
	}

	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: objectMeta(rf, SentinelName(rf), redisv1alpha1.ComponentSentinel),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(s.Replicas),
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			// One sentinel at a time and never more than spec.sentinel.replicas, so that the
			// quorum arithmetic holds during a rollout.
			Strategy: appsv1.DeploymentStrategy{
				Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxUnavailable: ptr.To(intstr.FromInt32(1)),
					MaxSurge:       ptr.To(intstr.FromInt32(0)),
				},
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					Labels:      podLabels(rf, redisv1alpha1.ComponentSentinel, s.PodLabels),
					Annotations: podAnnotations(s.PodAnnotations, configHash),
				},
				Spec: podSpec,
			},
		},
	}
}
