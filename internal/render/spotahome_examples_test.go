package render

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	sigsjson "sigs.k8s.io/json"
	sigsyaml "sigs.k8s.io/yaml"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// spotahomeExample reads one of the spotahome example shapes (testdata/spotahome-examples) and
// returns its RedisFailover with only the apiVersion changed, decoded strictly as the API server
// would with strict field validation.
func spotahomeExample(t *testing.T, file string) *redisv1alpha1.RedisFailover {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "spotahome-examples", file))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if doc["kind"] != "RedisFailover" {
			continue
		}
		doc["apiVersion"] = redisv1alpha1.GroupVersion.String()
		out, err := yaml.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		js, err := sigsyaml.YAMLToJSON(out)
		if err != nil {
			t.Fatal(err)
		}
		rf := &redisv1alpha1.RedisFailover{}
		if strict, err := sigsjson.UnmarshalStrict(js, rf); err != nil || len(strict) > 0 {
			t.Fatalf("%s does not decode strictly with only the apiVersion changed: %v %v", file, err, strict)
		}
		if rf.Namespace == "" {
			rf.Namespace = "apps"
		}
		return rf
	}
	t.Fatalf("%s has no RedisFailover", file)
	return nil
}

func podContainer(spec corev1.PodSpec, name string) *corev1.Container {
	for i := range spec.Containers {
		if spec.Containers[i].Name == name {
			return &spec.Containers[i]
		}
	}
	return nil
}

func names(cs []corev1.Container) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

func podVolume(spec corev1.PodSpec, name string) *corev1.Volume {
	for i := range spec.Volumes {
		if spec.Volumes[i].Name == name {
			return &spec.Volumes[i]
		}
	}
	return nil
}

func mountedAt(c *corev1.Container, path string) string {
	for _, m := range c.VolumeMounts {
		if m.MountPath == path {
			return m.Name
		}
	}
	return ""
}

func sentinelOption(t *testing.T, rf *redisv1alpha1.RedisFailover, name string) []string {
	t.Helper()
	opts, err := SentinelMasterOptions(rf.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range opts {
		if o.Name == name {
			out = append(out, o.Value)
		}
	}
	return out
}

// Where each field of spotahome's example shapes lands in the rendered objects.
func TestSpotahomeExamplesRender(t *testing.T) {
	type objects struct {
		rf       *redisv1alpha1.RedisFailover
		set      *ObjectSet
		redis    corev1.PodSpec
		sentinel corev1.PodSpec
		conf     string
	}
	rows := map[string]struct {
		wantErr string
		check   func(t *testing.T, o objects)
	}{
		"basic.yaml": {check: func(t *testing.T, o objects) {
			redisLimits, sentinelRequests := podContainer(o.redis, ContainerRedis).Resources.Limits, podContainer(o.sentinel, ContainerSentinel).Resources.Requests
			if got := redisLimits.Memory().String(); got != "256Mi" {
				t.Errorf("redis memory limit = %s", got)
			}
			if got := sentinelRequests.Cpu().String(); got != "50m" {
				t.Errorf("sentinel cpu request = %s", got)
			}
		}},
		"bootstrapping.yaml":                {wantErr: "spec.bootstrapNode"},
		"bootstrapping-with-port.yaml":      {wantErr: "spec.bootstrapNode"},
		"bootstrapping-with-sentinels.yaml": {wantErr: "spec.bootstrapNode"},
		"container-security-context.yaml": {check: func(t *testing.T, o objects) {
			if *o.redis.SecurityContext.RunAsUser != 2000 || *podContainer(o.redis, ContainerRedis).SecurityContext.ReadOnlyRootFilesystem {
				t.Errorf("security contexts = %+v / %+v", o.redis.SecurityContext, podContainer(o.redis, ContainerRedis).SecurityContext)
			}
		}},
		"control-label-propagation.yaml": {check: func(t *testing.T, o objects) {
			for what, labels := range map[string]map[string]string{
				"StatefulSet": o.set.RedisStatefulSet.Labels, "Redis pods": o.set.RedisStatefulSet.Spec.Template.Labels,
				"Deployment": o.set.SentinelDeployment.Labels, "sentinel pods": o.set.SentinelDeployment.Spec.Template.Labels,
				"master Service": o.set.MasterService.Labels, "ConfigMap": o.set.RedisConfigMap.Labels, "PDB": o.set.RedisPDB.Labels,
			} {
				if labels["team.example.org/owner"] != "payments" || labels["team.example.org/cost-centre"] != "cc42" {
					t.Errorf("%s lacks the whitelisted labels: %v", what, labels)
				}
				if _, ok := labels["scratch"]; ok {
					t.Errorf("%s has the label the whitelist does not match: %v", what, labels)
				}
			}
			if len(o.set.RedisStatefulSet.Spec.Selector.MatchLabels) != 3 {
				t.Errorf("the selector changed: %v", o.set.RedisStatefulSet.Spec.Selector.MatchLabels)
			}
		}},
		"custom-annotations.yaml": {check: func(t *testing.T, o objects) {
			if o.set.RedisStatefulSet.Spec.Template.Annotations["example.org/scrape"] != "redis" ||
				o.set.SentinelDeployment.Spec.Template.Annotations["example.org/scrape"] != "sentinel" ||
				o.set.SentinelService.Annotations["example.org/dns"] != "sentinels.internal" ||
				o.set.MasterService.Annotations["example.org/dns"] != "redis.internal" {
				t.Errorf("annotations not where they belong")
			}
		}},
		"custom-command.yaml": {check: func(t *testing.T, o objects) {
			if !strings.Contains(o.conf, "\nmaxmemory-policy allkeys-lru\n") || strings.Count(o.conf, "protected-mode") != 1 {
				t.Errorf("redis.conf does not carry the command's arguments once:\n%s", o.conf)
			}
			if got := podContainer(o.sentinel, ContainerSentinel).Command; got[0] != "redis-failover" {
				t.Errorf("sentinel command = %v, want the operator's", got)
			}
			if got := podContainer(o.redis, ContainerRedis).Command; got[0] != "sh" {
				t.Errorf("redis command = %v, want the operator's start.sh", got)
			}
		}},
		"custom-config.yaml": {check: func(t *testing.T, o objects) {
			for _, line := range []string{"\nhz 20\n", "\nclient-output-buffer-limit replica 268435456 67108864 60\n", "\nmaxclients 200\n"} {
				if !strings.Contains(o.conf, line) {
					t.Errorf("redis.conf lacks %q", line)
				}
			}
			if got := sentinelOption(t, o.rf, "down-after-milliseconds"); !slices.Equal(got, []string{"2500"}) {
				t.Errorf("down-after-milliseconds = %v", got)
			}
			if got := sentinelOption(t, o.rf, "failover-timeout"); !slices.Equal(got, []string{"4000"}) {
				t.Errorf("failover-timeout = %v", got)
			}
		}},
		"custom-image.yaml": {check: func(t *testing.T, o objects) {
			if podContainer(o.redis, ContainerRedis).Image != "redis:6.0-alpine" || podContainer(o.sentinel, ContainerSentinel).Image != testSentinelImage {
				t.Errorf("images = %s / %s", podContainer(o.redis, ContainerRedis).Image, podContainer(o.sentinel, ContainerSentinel).Image)
			}
			if len(o.rf.IgnoredFields()) != 1 {
				t.Errorf("ignored = %v", o.rf.IgnoredFields())
			}
		}},
		"custom-port.yaml": {check: func(t *testing.T, o objects) {
			if podContainer(o.redis, ContainerRedis).Ports[0].ContainerPort != 7001 || !strings.Contains(o.conf, "\nport 7001\n") || podContainer(o.redis, ContainerExporter) == nil {
				t.Errorf("port or exporter missing")
			}
			s := podContainer(o.sentinel, ContainerSentinel)
			if !slices.Contains(s.Command, "--metrics-addr") || s.Ports[len(s.Ports)-1].Name != PortNameMetrics || len(o.sentinel.Containers) != 1 {
				t.Errorf("sentinel exporter not mapped onto the sentinel's metrics: %v %v", s.Command, s.Ports)
			}
		}},
		"custom-renames.yaml": {check: func(t *testing.T, o objects) {
			for _, line := range []string{"\nrename-command debug \"\"\n", "\nrename-command flushall wipe-all-7f3a\n", "\nrename-command keys keys-9c2e\n"} {
				if !strings.Contains(o.conf, line) {
					t.Errorf("redis.conf lacks %q:\n%s", line, o.conf)
				}
			}
			env := podContainer(o.redis, ContainerRedis).Env
			if !slices.Contains(env, corev1.EnvVar{Name: EnvRenamedCommands, Value: "flushall=wipe-all-7f3a keys=keys-9c2e"}) {
				t.Errorf("redis env = %v", env)
			}
			if got := sentinelOption(t, o.rf, "rename-command"); !slices.Equal(got, []string{"flushall wipe-all-7f3a", "keys keys-9c2e"}) {
				t.Errorf("sentinel rename-command options = %v", got)
			}
		}},
		"custom-shutdown.yaml": {check: func(t *testing.T, o objects) {
			v := podVolume(o.redis, volumeShutdown)
			if v == nil || v.ConfigMap.Name != "stopping-shutdown" || mountedAt(podContainer(o.redis, ContainerRedis), shutdownDir) != volumeShutdown {
				t.Fatalf("shutdown ConfigMap not mounted: %+v", v)
			}
			hook := podContainer(o.redis, ContainerRedis).Lifecycle.PreStop.Exec.Command
			if !slices.Equal(hook[:3], []string{"sh", "/etc/redis/prestop-custom.sh", "/redis-shutdown/shutdown.sh"}) || len(hook) != 9 {
				t.Errorf("preStop = %v", hook)
			}
			if o.set.RedisConfigMap.Data[preStopCustomKey] == "" || !*o.redis.EnableServiceLinks {
				t.Errorf("prestop-custom.sh missing or service links off")
			}
		}},
		"enable-exporter.yaml": {check: func(t *testing.T, o objects) {
			e := podContainer(o.redis, ContainerExporter)
			if e == nil || e.Image != "example.org/redis-exporter:1.50.0" || !slices.Equal(e.Args, []string{"--web.telemetry-path", "/scrape"}) ||
				!slices.Contains(e.Env, corev1.EnvVar{Name: "REDIS_EXPORTER_LOG_FORMAT", Value: "json"}) {
				t.Errorf("exporter = %+v", e)
			}
			if len(o.sentinel.Containers) != 1 || !slices.Contains(podContainer(o.sentinel, ContainerSentinel).Command, "--metrics-addr") {
				t.Errorf("sentinel containers = %v", names(o.sentinel.Containers))
			}
		}},
		"extravolumes-mounts.yaml": {check: func(t *testing.T, o objects) {
			for pod, spec := range map[string]corev1.PodSpec{ContainerRedis: o.redis, ContainerSentinel: o.sentinel} {
				if v := podVolume(spec, "tls"); v == nil || v.Secret.SecretName != "tls-files" || mountedAt(&spec.Containers[0], "/etc/tls") != "tls" {
					t.Errorf("%s pod: extra volume or mount missing", pod)
				}
			}
		}},
		"minimum.yaml": {check: func(t *testing.T, o objects) {
			if o.set.RedisPDB == nil || o.set.SentinelPDB == nil || len(o.set.Absent) != 0 {
				t.Errorf("PDBs = %v %v, absent %v", o.set.RedisPDB, o.set.SentinelPDB, o.set.Absent)
			}
		}},
		"node-affinity.yaml": {check: func(t *testing.T, o objects) {
			if o.redis.Affinity.NodeAffinity == nil || o.sentinel.Affinity.NodeAffinity == nil || o.redis.Affinity.PodAntiAffinity != nil {
				t.Errorf("affinity = %+v / %+v", o.redis.Affinity, o.sentinel.Affinity)
			}
		}},
		"persistent-storage.yaml": {check: func(t *testing.T, o objects) {
			ss := o.set.RedisStatefulSet.Spec
			if ss.VolumeClaimTemplates[0].Name != "durable-data" || ss.PersistentVolumeClaimRetentionPolicy.WhenDeleted != appsv1.DeletePersistentVolumeClaimRetentionPolicyType ||
				mountedAt(podContainer(o.redis, ContainerRedis), "/data") != "durable-data" {
				t.Errorf("claims = %+v", ss.VolumeClaimTemplates)
			}
		}},
		"persistent-storage-no-pvc-deletion.yaml": {check: func(t *testing.T, o objects) {
			if o.set.RedisStatefulSet.Spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted != appsv1.RetainPersistentVolumeClaimRetentionPolicyType {
				t.Errorf("retention = %+v", o.set.RedisStatefulSet.Spec.PersistentVolumeClaimRetentionPolicy)
			}
		}},
		"pmem.yaml": {check: func(t *testing.T, o objects) {
			if !strings.Contains(o.conf, "\npmdir /data 200Mb\n") || *o.redis.SecurityContext.RunAsNonRoot ||
				*o.set.RedisStatefulSet.Spec.VolumeClaimTemplates[0].Spec.StorageClassName != "pmem-ext4" ||
				podContainer(o.sentinel, ContainerSentinel).Command[0] != "redis-failover" {
				t.Errorf("pmem shape not rendered:\n%s", o.conf)
			}
		}},
		"pod-anti-affinity.yaml": {check: func(t *testing.T, o objects) {
			if o.redis.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution[0].Weight != 80 {
				t.Errorf("affinity = %+v", o.redis.Affinity)
			}
		}},
		"security-context.yaml": {check: func(t *testing.T, o objects) {
			if *o.redis.SecurityContext.FSGroup != 3000 || *o.sentinel.SecurityContext.RunAsUser != sentinelUID {
				t.Errorf("security contexts = %+v / %+v", o.redis.SecurityContext, o.sentinel.SecurityContext)
			}
		}},
		"sidecars.yaml": {check: func(t *testing.T, o objects) {
			for pod, spec := range map[string]corev1.PodSpec{ContainerRedis: o.redis, ContainerSentinel: o.sentinel} {
				if !slices.Equal(names(spec.InitContainers), []string{containerInit, "wait"}) || !slices.Equal(names(spec.Containers), []string{pod, "logger"}) {
					t.Errorf("%s pod: init %v, containers %v", pod, names(spec.InitContainers), names(spec.Containers))
				}
			}
			if podVolume(o.redis, volumeAuth) == nil {
				t.Error("auth volume missing")
			}
		}},
		"tolerations.yaml": {check: func(t *testing.T, o objects) {
			if len(o.redis.Tolerations) != 1 || o.sentinel.Tolerations[0].Key != "example.org/dedicated" {
				t.Errorf("tolerations = %v / %v", o.redis.Tolerations, o.sentinel.Tolerations)
			}
		}},
		"topology-spread-contraints.yaml": {check: func(t *testing.T, o objects) {
			if len(o.redis.TopologySpreadConstraints) != 2 || len(o.sentinel.TopologySpreadConstraints) != 2 {
				t.Errorf("constraints = %v / %v", o.redis.TopologySpreadConstraints, o.sentinel.TopologySpreadConstraints)
			}
		}},
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "spotahome-examples", "*.yaml"))
	if err != nil || len(files) != 25 || len(rows) != 25 {
		t.Fatalf("%d fixtures (%v), %d rows: want spotahome's 25 examples each", len(files), err, len(rows))
	}
	for _, path := range files {
		file := filepath.Base(path)
		row, ok := rows[file]
		if !ok {
			t.Errorf("no expectation for %s", file)
			continue
		}
		t.Run(file, func(t *testing.T) {
			rf := spotahomeExample(t, file)
			set, err := Objects(rf, Options{SentinelImage: testSentinelImage})
			if row.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), row.wantErr) {
					t.Fatalf("err = %v, want %q", err, row.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			row.check(t, objects{rf: rf, set: set, redis: set.RedisStatefulSet.Spec.Template.Spec,
				sentinel: set.SentinelDeployment.Spec.Template.Spec, conf: set.RedisConfigMap.Data[redisConfKey]})
		})
	}
}
