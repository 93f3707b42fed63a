package render

import (
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// Container names in the Redis pod. The exporter's container and port names are spotahome's, so
// that existing PodMonitors and dashboards keep matching after a migration.
const (
	ContainerRedis    = "redis"
	ContainerExporter = "redis-exporter"
	containerInit     = "config"
)

const (
	exporterPort     = 9121
	initScriptKey    = "init.sh"
	startScriptKey   = "start.sh"
	readinessKey     = "readiness.sh"
	portNameRedis    = "redis"
	portNameExporter = "http-metrics"
)

// redisStatefulSet renders the Redis nodes. updateStrategy is OnDelete: the controller replaces
// pods itself, replicas first and the master last after a switchover, which a StatefulSet's
// rolling update (highest ordinal first, whatever its role) cannot do.
func redisStatefulSet(rf *redisv1alpha1.RedisFailover, configHash string) *appsv1.StatefulSet {
	r := rf.Spec.Redis
	auth := rf.Spec.Auth.Enabled()
	confPath := path.Join(redisRuntimeDir, redisConfKey)
	passwordPath := path.Join(redisSecretDir, passwordFileName)
	port := strconv.Itoa(int(r.Port))

	mounts := []corev1.VolumeMount{
		{Name: volumeConfig, MountPath: redisTemplateDir, ReadOnly: true},
		{Name: volumeRuntime, MountPath: redisRuntimeDir},
	}
	if auth {
		mounts = append(mounts, corev1.VolumeMount{Name: volumeAuth, MountPath: redisSecretDir, ReadOnly: true})
	}
	containerSC := containerSecurityContext(r.PodSettings)

	initContainer := corev1.Container{
		Name:            containerInit,
		Image:           r.Image,
		ImagePullPolicy: r.ImagePullPolicy,
		Command: []string{"sh", path.Join(redisTemplateDir, initScriptKey), "redis",
			path.Join(redisTemplateDir, redisConfKey), passwordPath, confPath, secretDescriptionOrNone(rf)},
		VolumeMounts:    slices.Clone(mounts),
		Resources:       *r.Resources.DeepCopy(),
		SecurityContext: containerSC.DeepCopy(),
	}

	redisContainer := corev1.Container{
		Name:            ContainerRedis,
		Image:           r.Image,
		ImagePullPolicy: r.ImagePullPolicy,
		// start.sh writes the config again on every container start (an init container runs only
		// when the pod is created) and decides whom the node follows before redis-server starts.
		Command: []string{"sh", path.Join(redisTemplateDir, startScriptKey),
			path.Join(redisTemplateDir, redisConfKey), passwordPath, confPath, secretDescriptionOrNone(rf),
			port, SentinelName(rf), strconv.Itoa(redisv1alpha1.SentinelPort), rf.MasterName()},
		Env:          redisEnv(rf),
		Ports:        []corev1.ContainerPort{{Name: portNameRedis, ContainerPort: r.Port, Protocol: corev1.ProtocolTCP}},
		Resources:    *r.Resources.DeepCopy(),
		VolumeMounts: append(slices.Clone(mounts), corev1.VolumeMount{Name: volumeData, MountPath: redisDataDir}),
		ReadinessProbe: &corev1.Probe{
			ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{
				Command: []string{"sh", path.Join(redisTemplateDir, readinessKey), port, passwordPath},
			}},
			PeriodSeconds: 5, TimeoutSeconds: 3, FailureThreshold: 2,
		},
		// Liveness only checks the port: a node loading a large dataset answers LOADING and must
		// not be restarted for it.
		LivenessProbe: &corev1.Probe{
			ProbeHandler:  corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString(portNameRedis)}},
			PeriodSeconds: 10, TimeoutSeconds: 5, FailureThreshold: 6,
		},
		// A master hands over to a replica before it stops (prestop.sh).
		Lifecycle:       redisLifecycle(rf),
		SecurityContext: containerSC,
	}

	containers := []corev1.Container{redisContainer}
	if r.Exporter.Enabled {
		containers = append(containers, exporterContainer(rf))
	}

	volumes := []corev1.Volume{configMapVolume(RedisName(rf)), runtimeVolume(volumeRuntime)}
	if auth {
		volumes = append(volumes, authVolume(rf.Spec.Auth))
	}
	var claims []corev1.PersistentVolumeClaim
	if pvc := r.Storage.PersistentVolumeClaim; pvc != nil {
		claims = []corev1.PersistentVolumeClaim{volumeClaimTemplate(rf, pvc)}
		// The data mount refers to the claim by its template name.
		for i := range containers[0].VolumeMounts {
			if containers[0].VolumeMounts[i].Name == volumeData {
				containers[0].VolumeMounts[i].Name = claims[0].Name
			}
		}
	} else {
		emptyDir := r.Storage.EmptyDir.DeepCopy()
		if emptyDir == nil {
			emptyDir = &corev1.EmptyDirVolumeSource{}
		}
		volumes = append(volumes, corev1.Volume{Name: volumeData, VolumeSource: corev1.VolumeSource{EmptyDir: emptyDir}})
	}

	selector := RedisSelector(rf)
	podSpec := corev1.PodSpec{
		InitContainers: []corev1.Container{initContainer},
		Containers:     containers,
		Volumes:        volumes,
	}
	applyPodSettings(&podSpec, r.PodSettings, redisUID, selector)
	tellWhyContainersFail(&podSpec)
	applyPodExtensions(&podSpec, r.PodExtensions)
	applyUserScripts(&podSpec, rf)
	// Set explicitly, so that the bound the preStop handover works within is visible.
	podSpec.TerminationGracePeriodSeconds = ptr.To(redisGracePeriod(r))

	retention := appsv1.DeletePersistentVolumeClaimRetentionPolicyType
	if r.Storage.KeepAfterDeletion {
		retention = appsv1.RetainPersistentVolumeClaimRetentionPolicyType
	}
	return &appsv1.StatefulSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
		ObjectMeta: objectMeta(rf, RedisName(rf), redisv1alpha1.ComponentRedis),
		Spec: appsv1.StatefulSetSpec{
			Replicas:    ptr.To(redisReplicas(rf)),
			ServiceName: RedisName(rf),
			Selector:    &metav1.LabelSelector{MatchLabels: selector},
			// Nodes start together: which one becomes master is decided by the controller from
			// data, not by start order.
			PodManagementPolicy: appsv1.ParallelPodManagement,
			UpdateStrategy:      appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType},
			PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
				WhenDeleted: retention,
				// Scaling down keeps the claims so that scaling back up finds the data.
				WhenScaled: appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					Labels:      podLabels(rf, redisv1alpha1.ComponentRedis, r.PodLabels),
					Annotations: podAnnotations(r.PodAnnotations, configHash),
				},
				Spec: podSpec,
			},
			VolumeClaimTemplates: claims,
		},
	}
}

// redisEnv is the Redis container's environment: its pod IP for start.sh and prestop.sh, and the
// renamed commands for readiness.sh and prestop.sh.
func redisEnv(rf *redisv1alpha1.RedisFailover) []corev1.EnvVar {
	env := []corev1.EnvVar{{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{
		FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "status.podIP"},
	}}}
	if renamed := renamedCommandsEnv(rf); renamed != "" {
		env = append(env, corev1.EnvVar{Name: EnvRenamedCommands, Value: renamed})
	}
	return env
}

// redisReplicas is the StatefulSet's replicas: spec.redis.replicas, except while status.master
// names a pod on an ordinal that spec.redis.replicas no longer has. The StatefulSet then keeps
// that pod (the master's ordinal+1) until the sentinels have switched over to a node that stays
// (topology's scale-down rule asks them) and status.master names it: the master is never
// deleted from under its clients. Status holds the intent, so an operator restarted midway
// neither forgets it nor shrinks early.
func redisReplicas(rf *redisv1alpha1.RedisFailover) int32 {
	want := rf.Spec.Redis.Replicas
	m := rf.Status.Master
	if m == nil {
		return want
	}
	prefix := RedisName(rf) + "-"
	if !strings.HasPrefix(m.Pod, prefix) {
		return want
	}
	ordinal, err := strconv.Atoi(strings.TrimPrefix(m.Pod, prefix))
	if err != nil || ordinal < 0 || int32(ordinal) < want {
		return want
	}
	return int32(ordinal) + 1
}

func volumeClaimTemplate(rf *redisv1alpha1.RedisFailover, pvc *redisv1alpha1.EmbeddedPersistentVolumeClaim) corev1.PersistentVolumeClaim {
	name := pvc.Name
	if name == "" {
		name = redisv1alpha1.DefaultVolumeClaimName
	}
	labels := maps.Clone(pvc.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	maps.Copy(labels, ownLabels(rf, redisv1alpha1.ComponentRedis))
	return corev1.PersistentVolumeClaim{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Labels:      labels,
			Annotations: maps.Clone(pvc.Annotations),
		},
		Spec: *pvc.Spec.DeepCopy(),
	}
}

// exporterContainer is the redis_exporter sidecar. It reads the password from REDIS_PASSWORD,
// which references the Secret key (secretKeyRef), so the value is not in the pod spec.
func exporterContainer(rf *redisv1alpha1.RedisFailover) corev1.Container {
	e := rf.Spec.Redis.Exporter
	env := []corev1.EnvVar{{Name: "REDIS_ADDR", Value: "redis://127.0.0.1:" + strconv.Itoa(int(rf.Spec.Redis.Port))}}
	if rf.Spec.Auth.Enabled() {
		env = append(env, corev1.EnvVar{Name: "REDIS_PASSWORD", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: rf.Spec.Auth.SecretPath},
				Key:                  rf.Spec.Auth.Key(),
			},
		}})
	}
	for _, v := range e.Env {
		env = append(env, *v.DeepCopy())
	}
	c := corev1.Container{
		Name:            ContainerExporter,
		Image:           e.Image,
		ImagePullPolicy: e.ImagePullPolicy,
		Args:            slices.Clone(e.Args),
		Env:             env,
		Ports:           []corev1.ContainerPort{{Name: portNameExporter, ContainerPort: exporterPort, Protocol: corev1.ProtocolTCP}},
		SecurityContext: e.ContainerSecurityContext.DeepCopy(),
	}
	if c.SecurityContext == nil {
		c.SecurityContext = defaultContainerSecurityContext()
	}
	if e.Resources != nil {
		c.Resources = *e.Resources.DeepCopy()
	}
	return c
}

// secretDescriptionOrNone is the init script's last argument: which Secret holds the password,
// for its error messages.
func secretDescriptionOrNone(rf *redisv1alpha1.RedisFailover) string {
	if !rf.Spec.Auth.Enabled() {
		return "(no spec.auth)"
	}
	return secretDescription(rf)
}
