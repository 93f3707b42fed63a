package render

import (
	"errors"
	"fmt"
	"path"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// spotahome's user scripts: a ConfigMap key, mounted where spotahome mounted it, so that scripts
// written for spotahome find themselves at the same path.
const (
	volumeShutdown    = "redis-shutdown-config"
	volumeStartup     = "redis-startup-config"
	shutdownDir       = "/redis-shutdown"
	startupDir        = "/redis-startup"
	shutdownScriptKey = "shutdown.sh"
	startupScriptKey  = "startup.sh"
	// preStopCustomKey runs prestop.sh and then the user's shutdown.sh.
	preStopCustomKey = "prestop-custom.sh"
)

// checkPodExtensions checks what the schema cannot afford to (CEL's cost budget): every extra
// mount names an extra volume. field is "spec.redis" or "spec.sentinel".
func checkPodExtensions(field string, x redisv1alpha1.PodExtensions) error {
	for i, m := range x.ExtraVolumeMounts {
		if !slices.ContainsFunc(x.ExtraVolumes, func(v corev1.Volume) bool { return v.Name == m.Name }) {
			return fmt.Errorf("%s.extraVolumeMounts[%d] mounts volume %q, which is not in %s.extraVolumes: add the volume or fix the mount's name", field, i, m.Name, field)
		}
	}
	return nil
}

// checkRefusedFields repeats the schema's refusals of spotahome fields that would be unsafe here,
// for a spec that got past the API server some other way (an older CRD).
func checkRefusedFields(rf *redisv1alpha1.RedisFailover) error {
	switch {
	case rf.Spec.BootstrapNode != nil:
		return errors.New("spec.bootstrapNode (make the nodes replicas of a master outside this RedisFailover) is not supported yet: remove it")
	case rf.Spec.Redis.HostNetwork || rf.Spec.Sentinel.HostNetwork:
		return errors.New("hostNetwork: true is not supported: the operator and the sentinels tell the nodes apart by address; remove it")
	case rf.Spec.Redis.CustomReadinessProbe != nil:
		return errors.New("spec.redis.customReadinessProbe is not supported: a Redis pod's readiness means a replica has synced; remove it")
	case rf.Spec.Redis.DisablePodDisruptionBudget && rf.Spec.Redis.Storage.PersistentVolumeClaim == nil:
		return errors.New("spec.redis.disablePodDisruptionBudget needs spec.redis.storage.persistentVolumeClaim: with emptyDir a drain may evict every Redis pod and lose the data; remove it")
	case rf.Spec.Sentinel.StartupConfigMap != "":
		return errors.New("spec.sentinel.startupConfigMap is not supported: the sentinel container has no shell; remove it")
	}
	return nil
}

// applyPodExtensions adds the user's init containers (after the operator's, which writes the
// config they may read), sidecars, volumes and mounts, and sets the DNS policy and the custom
// probes. main is the pod's main container (redis or sentinel), already in spec.Containers[0].
func applyPodExtensions(spec *corev1.PodSpec, x redisv1alpha1.PodExtensions) {
	for _, c := range x.InitContainers {
		spec.InitContainers = append(spec.InitContainers, *c.DeepCopy())
	}
	for _, c := range x.ExtraContainers {
		spec.Containers = append(spec.Containers, *c.DeepCopy())
	}
	for _, v := range x.ExtraVolumes {
		spec.Volumes = append(spec.Volumes, *v.DeepCopy())
	}
	main := &spec.Containers[0]
	for _, m := range x.ExtraVolumeMounts {
		main.VolumeMounts = append(main.VolumeMounts, *m.DeepCopy())
	}
	spec.DNSPolicy = x.DNSPolicy
	if x.CustomLivenessProbe != nil {
		main.LivenessProbe = x.CustomLivenessProbe.DeepCopy()
	}
	if x.CustomReadinessProbe != nil {
		main.ReadinessProbe = x.CustomReadinessProbe.DeepCopy()
	}
	if x.CustomStartupProbe != nil {
		main.StartupProbe = x.CustomStartupProbe.DeepCopy()
	}
}

// applyUserScripts mounts spec.redis.shutdownConfigMap and startupConfigMap and runs them as
// spotahome did: shutdown.sh in the preStop hook (after the operator's handover here), startup.sh
// as the startup probe. Scripts written for spotahome read the password from REDIS_PASSWORD and
// the sentinels' address from the Service environment variables (RFS_<NAME>_SERVICE_HOST), so
// both are provided when a script is configured.
func applyUserScripts(spec *corev1.PodSpec, rf *redisv1alpha1.RedisFailover) {
	r := rf.Spec.Redis
	if r.ShutdownConfigMap == "" && r.StartupConfigMap == "" {
		return
	}
	main := &spec.Containers[0]
	if r.ShutdownConfigMap != "" {
		spec.Volumes = append(spec.Volumes, scriptVolume(volumeShutdown, r.ShutdownConfigMap))
		main.VolumeMounts = append(main.VolumeMounts, corev1.VolumeMount{Name: volumeShutdown, MountPath: shutdownDir, ReadOnly: true})
		hook := main.Lifecycle.PreStop.Exec
		hook.Command = append([]string{"sh", path.Join(redisTemplateDir, preStopCustomKey), path.Join(shutdownDir, shutdownScriptKey)},
			hook.Command[2:]...)
	}
	if r.StartupConfigMap != "" {
		spec.Volumes = append(spec.Volumes, scriptVolume(volumeStartup, r.StartupConfigMap))
		main.VolumeMounts = append(main.VolumeMounts, corev1.VolumeMount{Name: volumeStartup, MountPath: startupDir, ReadOnly: true})
		// spotahome's timings: the script runs every 15 s, up to 6 times, from 30 s after start.
		main.StartupProbe = &corev1.Probe{
			ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{
				Command: []string{"sh", path.Join(startupDir, startupScriptKey)},
			}},
			InitialDelaySeconds: 30, TimeoutSeconds: 5, PeriodSeconds: 15, FailureThreshold: 6,
		}
	}
	if rf.Spec.Auth.Enabled() {
		main.Env = append(main.Env, corev1.EnvVar{Name: "REDIS_PASSWORD", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: rf.Spec.Auth.SecretPath},
				Key:                  rf.Spec.Auth.Key(),
			},
		}})
	}
	spec.EnableServiceLinks = ptr.To(true)
}

func scriptVolume(name, configMap string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: configMap},
		DefaultMode:          ptr.To[int32](0o555),
	}}}
}
