package render

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// AnnotationConfigHash on a pod template is a hash of the ConfigMap the pods read at start, so
// that a config change changes the template and the pods are replaced.
const AnnotationConfigHash = "redis.failover.dev/config-hash"

// Volume names shared by both pods.
const (
	volumeConfig  = "config"
	volumeAuth    = "auth"
	volumeRuntime = "runtime"
	volumeData    = "data"
)

// User IDs for the default pod security context. 999 is the redis user of the stock Redis
// images; 65532 is the conventional nonroot user of distroless images like the operator's.
const (
	redisUID    = 999
	sentinelUID = 65532
)

// defaultPodSecurityContext runs the pod as a non-root user with the runtime's default seccomp
// profile; fsGroup makes the emptyDirs and the Secret volume readable by that user.
func defaultPodSecurityContext(uid int64) *corev1.PodSecurityContext {
	return &corev1.PodSecurityContext{
		RunAsNonRoot:   ptr.To(true),
		RunAsUser:      ptr.To(uid),
		RunAsGroup:     ptr.To(uid),
		FSGroup:        ptr.To(uid),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// defaultContainerSecurityContext: no privilege escalation, no capabilities, nothing written
// outside the mounted volumes.
func defaultContainerSecurityContext() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		ReadOnlyRootFilesystem:   ptr.To(true),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
}

// defaultAffinity prefers one pod per node, so that losing a node loses one Redis node or one
// sentinel. Preferred, not required, so that a one-node cluster still schedules everything.
func defaultAffinity(selector map[string]string) *corev1.Affinity {
	return &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
		PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
			Weight: 100,
			PodAffinityTerm: corev1.PodAffinityTerm{
				TopologyKey:   corev1.LabelHostname,
				LabelSelector: &metav1.LabelSelector{MatchLabels: selector},
			},
		}},
	}}
}

// applyPodSettings copies the user's pod-level settings onto spec, falling back to the defaults
// above where the user set nothing.
// tellWhyContainersFail makes the last lines a container of ours wrote its termination message
// when it fails without writing one (FallbackToLogsOnError): redis-server's "FATAL CONFIG FILE
// ERROR" then reaches the pod's status, and from there the RedisFailover's PodsRunning
// condition. Containers added through spec.*.extraContainers keep their own policy.
func tellWhyContainersFail(spec *corev1.PodSpec) {
	for _, cs := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for i := range cs {
			cs[i].TerminationMessagePolicy = corev1.TerminationMessageFallbackToLogsOnError
		}
	}
}

func applyPodSettings(spec *corev1.PodSpec, s redisv1alpha1.PodSettings, uid int64, selector map[string]string) {
	spec.Affinity = s.Affinity.DeepCopy()
	if spec.Affinity == nil {
		spec.Affinity = defaultAffinity(selector)
	}
	spec.SecurityContext = s.SecurityContext.DeepCopy()
	if spec.SecurityContext == nil {
		spec.SecurityContext = defaultPodSecurityContext(uid)
	}
	spec.Tolerations = slices.Clone(s.Tolerations)
	spec.NodeSelector = maps.Clone(s.NodeSelector)
	for _, c := range s.TopologySpreadConstraints {
		spec.TopologySpreadConstraints = append(spec.TopologySpreadConstraints, *c.DeepCopy())
	}
	spec.PriorityClassName = s.PriorityClassName
	spec.TerminationGracePeriodSeconds = s.TerminationGracePeriodSeconds
	spec.ImagePullSecrets = slices.Clone(s.ImagePullSecrets)
	spec.ServiceAccountName = s.ServiceAccountName
	// The pods never call the Kubernetes API, and service links would only add noise to env.
	spec.AutomountServiceAccountToken = ptr.To(false)
	spec.EnableServiceLinks = ptr.To(false)
}

// containerSecurityContext is the user's, or the default.
func containerSecurityContext(s redisv1alpha1.PodSettings) *corev1.SecurityContext {
	if s.ContainerSecurityContext != nil {
		return s.ContainerSecurityContext.DeepCopy()
	}
	return defaultContainerSecurityContext()
}

// podAnnotations are the user's plus the config hash.
func podAnnotations(user map[string]string, configHash string) map[string]string {
	a := maps.Clone(user)
	if a == nil {
		a = map[string]string{}
	}
	a[AnnotationConfigHash] = configHash
	return a
}

// hashData hashes a ConfigMap's data in key order.
func hashData(data map[string]string) string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(data)) {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(data[k]))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// authVolume projects the password key of the auth Secret to a file named "password", readable
// by the pod's group only.
func authVolume(a redisv1alpha1.AuthSettings) corev1.Volume {
	return corev1.Volume{Name: volumeAuth, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
		SecretName:  a.SecretPath,
		Items:       []corev1.KeyToPath{{Key: a.Key(), Path: passwordFileName}},
		DefaultMode: ptr.To[int32](0o440),
	}}}
}

// runtimeVolume is a memory-backed emptyDir for files that hold the password: it is never
// written to the node's disk.
func runtimeVolume(name string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{
		Medium: corev1.StorageMediumMemory, SizeLimit: ptr.To(resource.MustParse("16Mi")),
	}}}
}

func configMapVolume(name string) corev1.Volume {
	return corev1.Volume{Name: volumeConfig, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: name},
		DefaultMode:          ptr.To[int32](0o444),
	}}}
}

// secretDescription names the Secret key in the init script's error messages.
func secretDescription(rf *redisv1alpha1.RedisFailover) string {
	return "Secret " + rf.Namespace + "/" + rf.Spec.Auth.SecretPath + " key " + rf.Spec.Auth.Key() + " (spec.auth)"
}
