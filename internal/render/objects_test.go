package render

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

const testSentinelImage = "localhost/redis-failover-operator:test"

func newRF(mutate ...func(*redisv1alpha1.RedisFailover)) *redisv1alpha1.RedisFailover {
	rf := &redisv1alpha1.RedisFailover{ObjectMeta: metav1.ObjectMeta{Name: "cache", Namespace: "shop"}}
	for _, m := range mutate {
		m(rf)
	}
	return rf
}

func mustRender(t *testing.T, rf *redisv1alpha1.RedisFailover) *ObjectSet {
	t.Helper()
	set, err := Objects(rf, Options{SentinelImage: testSentinelImage})
	if err != nil {
		t.Fatalf("Objects: %v", err)
	}
	return set
}

// discoveryFlags are the flags of our sentinel for RedisFailover shop/cache (newRF).
const discoveryFlags = " --discover-master shop.cache --discover-sentinels rfs-cache-headless.shop.svc:26379" +
	" --discover-redis rfr-cache.shop.svc:6379 --discover-settings /etc/sentinel/discovery.conf"

func TestObjectsNamesLabelsAndSelectors(t *testing.T) {
	set := mustRender(t, newRF())
	wantNames := map[string]string{
		"ConfigMap/rfr-cache": "redis", "ConfigMap/rfs-cache": "sentinel",
		"Service/rfr-cache": "redis", "Service/rfrm-cache": "redis", "Service/rfrs-cache": "redis",
		"Service/rfs-cache": "sentinel", "Service/rfs-cache-headless": "sentinel",
		"StatefulSet/rfr-cache": "redis", "Deployment/rfs-cache": "sentinel",
		"PodDisruptionBudget/rfr-cache": "redis", "PodDisruptionBudget/rfs-cache": "sentinel",
	}
	got := map[string]string{}
	for _, o := range set.All() {
		key := o.GetObjectKind().GroupVersionKind().Kind + "/" + o.GetName()
		got[key] = o.GetLabels()[redisv1alpha1.LabelComponent]
		if o.GetNamespace() != "shop" {
			t.Errorf("%s namespace = %q, want shop", key, o.GetNamespace())
		}
		l := o.GetLabels()
		if l[redisv1alpha1.LabelInstance] != "cache" || l[redisv1alpha1.LabelName] != "redis-failover" ||
			l[redisv1alpha1.LabelManagedBy] != "redis-failover-operator" {
			t.Errorf("%s labels = %v, want name, instance and managed-by", key, l)
		}
		if len(o.GetOwnerReferences()) != 0 {
			t.Errorf("%s has owner references; the controller sets them", key)
		}
	}
	if !maps.Equal(got, wantNames) {
		t.Errorf("rendered objects = %v, want %v", got, wantNames)
	}

	if sel := set.MasterService.Spec.Selector; sel[redisv1alpha1.LabelRole] != "master" || sel[redisv1alpha1.LabelComponent] != "redis" {
		t.Errorf("master Service selector = %v", sel)
	}
	if sel := set.ReplicaService.Spec.Selector; sel[redisv1alpha1.LabelRole] != "replica" {
		t.Errorf("replica Service selector = %v", sel)
	}
	if set.RedisHeadlessService.Spec.ClusterIP != corev1.ClusterIPNone || !set.RedisHeadlessService.Spec.PublishNotReadyAddresses {
		t.Errorf("headless Service = %+v, want ClusterIP None publishing not-ready pods", set.RedisHeadlessService.Spec)
	}
	if p := set.SentinelService.Spec.Ports[0]; p.Port != 26379 {
		t.Errorf("sentinel Service port = %d, want 26379", p.Port)
	}
	// The role label is the controller's: the pod template must not carry it, or every new pod
	// would be selected by the master Service.
	if _, ok := set.RedisStatefulSet.Spec.Template.Labels[redisv1alpha1.LabelRole]; ok {
		t.Error("StatefulSet pod template carries the role label")
	}
	for _, pdb := range []string{set.RedisPDB.Spec.MaxUnavailable.String(), set.SentinelPDB.Spec.MaxUnavailable.String()} {
		if pdb != "1" {
			t.Errorf("PDB maxUnavailable = %s, want 1", pdb)
		}
	}
	if !maps.Equal(set.RedisPDB.Spec.Selector.MatchLabels, RedisSelector(newRF())) {
		t.Errorf("redis PDB selector = %v", set.RedisPDB.Spec.Selector.MatchLabels)
	}
}

func TestRedisStatefulSetDefaults(t *testing.T) {
	sts := mustRender(t, newRF()).RedisStatefulSet
	if *sts.Spec.Replicas != 3 || sts.Spec.ServiceName != "rfr-cache" {
		t.Errorf("replicas %d serviceName %q, want 3 and rfr-cache", *sts.Spec.Replicas, sts.Spec.ServiceName)
	}
	if sts.Spec.UpdateStrategy.Type != appsv1.OnDeleteStatefulSetStrategyType {
		t.Errorf("updateStrategy = %s, want OnDelete (the controller orders rollouts)", sts.Spec.UpdateStrategy.Type)
	}
	if sts.Spec.PodManagementPolicy != appsv1.ParallelPodManagement {
		t.Errorf("podManagementPolicy = %s, want Parallel", sts.Spec.PodManagementPolicy)
	}
	pod := sts.Spec.Template.Spec
	redis := container(t, pod.Containers, ContainerRedis)
	if redis.Image != redisv1alpha1.DefaultRedisImage {
		t.Errorf("image = %q, want %q", redis.Image, redisv1alpha1.DefaultRedisImage)
	}
	// start.sh asks the sentinel Service for the master of this master name on every start.
	if got, want := strings.Join(redis.Command, " "), "sh /etc/redis/start.sh /etc/redis/redis.conf /etc/redis-secret/password /run/redis/redis.conf (no spec.auth) 6379 rfs-cache 26379 shop.cache"; got != want {
		t.Errorf("command = %q, want %q", got, want)
	}
	if len(redis.Env) == 0 || redis.Env[0].Name != "POD_IP" || redis.Env[0].ValueFrom == nil || redis.Env[0].ValueFrom.FieldRef.FieldPath != "status.podIP" {
		t.Errorf("env = %+v, want POD_IP from status.podIP (start.sh compares it with the sentinels' master)", redis.Env)
	}
	if redis.Ports[0].ContainerPort != 6379 {
		t.Errorf("port = %d, want 6379", redis.Ports[0].ContainerPort)
	}
	if pod.SecurityContext == nil || !*pod.SecurityContext.RunAsNonRoot || *pod.SecurityContext.RunAsUser != 999 {
		t.Errorf("pod security context = %+v, want non-root uid 999", pod.SecurityContext)
	}
	if sc := redis.SecurityContext; sc == nil || *sc.AllowPrivilegeEscalation || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("container security context = %+v", sc)
	}
	if pod.Affinity == nil || pod.Affinity.PodAntiAffinity == nil {
		t.Error("no default pod anti-affinity")
	}
	if len(sts.Spec.VolumeClaimTemplates) != 0 || volume(t, pod.Volumes, volumeData).EmptyDir == nil {
		t.Error("default storage is not an emptyDir")
	}
	if sts.Spec.Template.Annotations[AnnotationConfigHash] == "" {
		t.Error("pod template has no config hash")
	}
	// No auth: no Secret volume, and the init container is told there is none.
	for _, v := range pod.Volumes {
		if v.Secret != nil {
			t.Errorf("volume %s mounts a Secret without spec.auth", v.Name)
		}
	}
}

func TestRedisStatefulSetCarriesUserSettings(t *testing.T) {
	tol := corev1.Toleration{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "redis", Effect: corev1.TaintEffectNoSchedule}
	rf := newRF(func(rf *redisv1alpha1.RedisFailover) {
		r := &rf.Spec.Redis
		r.Replicas = 5
		r.Image = "redis:7.2"
		r.ImagePullPolicy = corev1.PullAlways
		r.Port = 7000
		r.Resources = corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")}}
		r.Tolerations = []corev1.Toleration{tol}
		r.NodeSelector = map[string]string{"disk": "ssd"}
		r.PodLabels = map[string]string{"team": "shop"}
		r.PodAnnotations = map[string]string{"example.com/scrape": "true"}
		r.ServiceAnnotations = map[string]string{"example.com/lb": "internal"}
		r.PriorityClassName = "high"
		r.TerminationGracePeriodSeconds = ptr.To[int64](45)
		r.ServiceAccountName = "redis"
		r.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "pull"}}
		r.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{}}
		r.SecurityContext = &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](1000)}
	})
	set := mustRender(t, rf)
	sts := set.RedisStatefulSet
	pod := sts.Spec.Template.Spec
	redis := container(t, pod.Containers, ContainerRedis)
	if *sts.Spec.Replicas != 5 || redis.Image != "redis:7.2" || redis.ImagePullPolicy != corev1.PullAlways ||
		redis.Ports[0].ContainerPort != 7000 || !redis.Resources.Limits.Memory().Equal(resource.MustParse("1Gi")) {
		t.Errorf("replicas/image/pull policy/port/resources not carried: %+v", redis)
	}
	if len(pod.Tolerations) != 1 || pod.Tolerations[0] != tol || pod.NodeSelector["disk"] != "ssd" ||
		pod.PriorityClassName != "high" || *pod.TerminationGracePeriodSeconds != 45 || pod.ServiceAccountName != "redis" ||
		pod.ImagePullSecrets[0].Name != "pull" || pod.Affinity.PodAntiAffinity != nil || *pod.SecurityContext.RunAsUser != 1000 {
		t.Errorf("pod settings not carried: %+v", pod)
	}
	tmpl := sts.Spec.Template
	if tmpl.Labels["team"] != "shop" || tmpl.Labels[redisv1alpha1.LabelInstance] != "cache" || tmpl.Annotations["example.com/scrape"] != "true" {
		t.Errorf("pod labels %v annotations %v", tmpl.Labels, tmpl.Annotations)
	}
	if set.MasterService.Annotations["example.com/lb"] != "internal" || set.MasterService.Spec.Ports[0].Port != 7000 {
		t.Errorf("master Service annotations %v port %d", set.MasterService.Annotations, set.MasterService.Spec.Ports[0].Port)
	}
	if !strings.Contains(set.RedisConfigMap.Data[redisConfKey], "\nport 7000\n") {
		t.Errorf("redis.conf does not set port 7000:\n%s", set.RedisConfigMap.Data[redisConfKey])
	}
}

func TestRedisStoragePersistentVolumeClaim(t *testing.T) {
	for _, keep := range []bool{false, true} {
		rf := newRF(func(rf *redisv1alpha1.RedisFailover) {
			rf.Spec.Redis.Storage = redisv1alpha1.RedisStorage{
				KeepAfterDeletion: keep,
				PersistentVolumeClaim: &redisv1alpha1.EmbeddedPersistentVolumeClaim{
					EmbeddedObjectMetadata: redisv1alpha1.EmbeddedObjectMetadata{Name: "redisdata"},
					Spec: corev1.PersistentVolumeClaimSpec{
						AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
						Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("2Gi")}},
					},
				},
			}
		})
		sts := mustRender(t, rf).RedisStatefulSet
		if len(sts.Spec.VolumeClaimTemplates) != 1 || sts.Spec.VolumeClaimTemplates[0].Name != "redisdata" {
			t.Fatalf("volumeClaimTemplates = %+v", sts.Spec.VolumeClaimTemplates)
		}
		redis := container(t, sts.Spec.Template.Spec.Containers, ContainerRedis)
		if m := mount(t, redis.VolumeMounts, "/data"); m.Name != "redisdata" {
			t.Errorf("/data is mounted from %q, want the claim redisdata", m.Name)
		}
		for _, v := range sts.Spec.Template.Spec.Volumes {
			if v.Name == volumeData {
				t.Errorf("an emptyDir data volume is rendered next to the claim template")
			}
		}
		want := appsv1.DeletePersistentVolumeClaimRetentionPolicyType
		if keep {
			want = appsv1.RetainPersistentVolumeClaimRetentionPolicyType
		}
		p := sts.Spec.PersistentVolumeClaimRetentionPolicy
		if p.WhenDeleted != want || p.WhenScaled != appsv1.RetainPersistentVolumeClaimRetentionPolicyType {
			t.Errorf("keepAfterDeletion=%v: retention = %+v, want whenDeleted %s, whenScaled Retain", keep, p, want)
		}
	}
}

func TestAuthPasswordOnlyThroughFiles(t *testing.T) {
	rf := newRF(func(rf *redisv1alpha1.RedisFailover) {
		rf.Spec.Auth = redisv1alpha1.AuthSettings{SecretPath: "cache-auth", SecretKey: "pw"}
		rf.Spec.Redis.Exporter.Enabled = true
	})
	set := mustRender(t, rf)
	for _, pod := range []corev1.PodSpec{set.RedisStatefulSet.Spec.Template.Spec, set.SentinelDeployment.Spec.Template.Spec} {
		auth := volume(t, pod.Volumes, volumeAuth)
		if auth.Secret == nil || auth.Secret.SecretName != "cache-auth" || auth.Secret.Items[0].Key != "pw" || auth.Secret.Items[0].Path != "password" {
			t.Errorf("auth volume = %+v, want Secret cache-auth key pw as file password", auth.Secret)
		}
		if rt := pod.Volumes; !hasMemoryEmptyDir(rt) {
			t.Error("no memory-backed emptyDir for the file that holds the password")
		}
		init := container(t, pod.InitContainers, containerInit)
		if !strings.Contains(strings.Join(init.Command, " "), "/password ") {
			t.Errorf("init command %q does not read the password file", init.Command)
		}
		for _, c := range append(pod.InitContainers, pod.Containers...) {
			for _, e := range c.Env {
				if e.ValueFrom == nil && strings.Contains(strings.ToLower(e.Name), "pass") {
					t.Errorf("container %s has a plain env value %s", c.Name, e.Name)
				}
			}
		}
	}
	exporter := container(t, set.RedisStatefulSet.Spec.Template.Spec.Containers, "redis-exporter")
	if p := exporter.Ports[0]; p.Name != "http-metrics" || p.ContainerPort != 9121 {
		t.Errorf("exporter port = %+v, want spotahome's http-metrics 9121 so existing PodMonitors match", p)
	}
	var ref *corev1.SecretKeySelector
	for _, e := range exporter.Env {
		if e.Name == "REDIS_PASSWORD" && e.ValueFrom != nil {
			ref = e.ValueFrom.SecretKeyRef
		}
	}
	if ref == nil || ref.Name != "cache-auth" || ref.Key != "pw" {
		t.Errorf("exporter REDIS_PASSWORD = %+v, want secretKeyRef cache-auth/pw", ref)
	}
	for _, cm := range []*corev1.ConfigMap{set.RedisConfigMap, set.SentinelConfigMap} {
		for key, text := range cm.Data {
			if strings.Contains(text, "requirepass \"") && key != initScriptKey {
				t.Errorf("ConfigMap %s key %s sets requirepass", cm.Name, key)
			}
		}
	}
}

func TestSentinelDeployment(t *testing.T) {
	rf := newRF(func(rf *redisv1alpha1.RedisFailover) {
		rf.Spec.Sentinel.Replicas = 5
		rf.Spec.Sentinel.PodLabels = map[string]string{"tier": "control"}
	})
	dep := mustRender(t, rf).SentinelDeployment
	if *dep.Spec.Replicas != 5 {
		t.Errorf("replicas = %d, want 5", *dep.Spec.Replicas)
	}
	if ru := dep.Spec.Strategy.RollingUpdate; ru.MaxSurge.IntValue() != 0 || ru.MaxUnavailable.IntValue() != 1 {
		t.Errorf("rolling update = %+v, want maxSurge 0 maxUnavailable 1", ru)
	}
	s := container(t, dep.Spec.Template.Spec.Containers, ContainerSentinel)
	if s.Image != testSentinelImage {
		t.Errorf("sentinel image = %q, want the operator's default %q", s.Image, testSentinelImage)
	}
	if got := strings.Join(s.Command, " "); got != "redis-failover sentinel /data/sentinel.conf"+discoveryFlags {
		t.Errorf("command = %q", got)
	}
	if dep.Spec.Template.Labels["tier"] != "control" {
		t.Errorf("pod labels = %v", dep.Spec.Template.Labels)
	}

	// The init container runs the Redis image, so its pull secrets come along.
	rf.Spec.Redis.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "redis-pull"}, {Name: "shared"}}
	rf.Spec.Sentinel.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "shared"}}
	got := mustRender(t, rf).SentinelDeployment.Spec.Template.Spec.ImagePullSecrets
	if want := []corev1.LocalObjectReference{{Name: "shared"}, {Name: "redis-pull"}}; !slices.Equal(got, want) {
		t.Errorf("sentinel imagePullSecrets = %v, want %v", got, want)
	}

	rf.Spec.Sentinel.Image = "example.com/sentinel:1"
	if got := container(t, mustRender(t, rf).SentinelDeployment.Spec.Template.Spec.Containers, ContainerSentinel).Image; got != "example.com/sentinel:1" {
		t.Errorf("spec.sentinel.image not used: %q", got)
	}
}

func TestObjectsNeedsASentinelImage(t *testing.T) {
	_, err := Objects(newRF(), Options{})
	if err == nil || !strings.Contains(err.Error(), "spec.sentinel.image") {
		t.Errorf("err = %v, want one naming spec.sentinel.image", err)
	}
}

func TestObjectsRefusesAnUnsafeMasterName(t *testing.T) {
	for _, name := range []string{"my master", "m\nsentinel monitor x", "-m", strings.Repeat("m", 129)} {
		_, err := Objects(newRF(func(rf *redisv1alpha1.RedisFailover) { rf.Spec.Sentinel.MasterName = name }), Options{SentinelImage: testSentinelImage})
		if err == nil || !strings.Contains(err.Error(), "spec.sentinel.masterName") {
			t.Errorf("masterName %q: err = %v, want a refusal naming spec.sentinel.masterName", name, err)
		}
	}
}

func TestConfigChangeChangesPodTemplateHash(t *testing.T) {
	a := mustRender(t, newRF()).RedisStatefulSet.Spec.Template.Annotations[AnnotationConfigHash]
	b := mustRender(t, newRF(func(rf *redisv1alpha1.RedisFailover) {
		rf.Spec.Redis.CustomConfig = []redisv1alpha1.RedisConfigLine{"databases 32"}
	})).RedisStatefulSet.Spec.Template.Annotations[AnnotationConfigHash]
	if a == b {
		t.Errorf("config hash %s did not change with a setting that needs a restart", a)
	}
	if again := mustRender(t, newRF()).RedisStatefulSet.Spec.Template.Annotations[AnnotationConfigHash]; again != a {
		t.Errorf("config hash not deterministic: %s then %s", a, again)
	}
}

// Settings Redis applies live (CONFIG SET) reach the ConfigMap, for pods that start later, but
// not the pod template: otherwise changing them would restart every pod anyway.
func TestLiveSettingsLeavePodTemplateAlone(t *testing.T) {
	base := mustRender(t, newRF())
	live := mustRender(t, newRF(func(rf *redisv1alpha1.RedisFailover) {
		rf.Spec.Redis.CustomConfig = []redisv1alpha1.RedisConfigLine{"maxmemory 100mb", "maxmemory-policy allkeys-lru", "timeout 30"}
		rf.Spec.Redis.MinReplicasToWrite = ptr.To[int32](1)
		rf.Spec.Redis.MinReplicasMaxLag = 5
	}))
	if diff := cmp.Diff(base.RedisStatefulSet.Spec.Template, live.RedisStatefulSet.Spec.Template); diff != "" {
		t.Errorf("live settings changed the pod template (-before +after):\n%s", diff)
	}
	if !strings.Contains(live.RedisConfigMap.Data[redisConfKey], "\nmaxmemory 100mb\n") {
		t.Errorf("redis.conf lacks the live setting:\n%s", live.RedisConfigMap.Data[redisConfKey])
	}
}

func TestRedisLiveSettings(t *testing.T) {
	rf := newRF(func(rf *redisv1alpha1.RedisFailover) {
		rf.Spec.Redis.CustomConfig = []redisv1alpha1.RedisConfigLine{"maxmemory 1mb", "databases 4", "maxmemory 2mb", "appendonly YES"}
		rf.Spec.Redis.MinReplicasToWrite = ptr.To[int32](1)
	}).WithDefaults()
	got, err := RedisLiveSettings(rf)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]DesiredSetting{}
	for _, d := range got {
		byName[d.Directive] = d
	}
	if len(got) != len(LiveSettings) {
		t.Errorf("%d desired settings, want one per live setting (%d)", len(got), len(LiveSettings))
	}
	want := map[string]DesiredSetting{
		// The last entry wins, as when Redis reads redis.conf.
		"maxmemory":             {Directive: "maxmemory", Value: "2097152", Field: "spec.redis.customConfig[2]"},
		"appendonly":            {Directive: "appendonly", Value: "yes", Field: "spec.redis.customConfig[3]"},
		"min-replicas-to-write": {Directive: "min-replicas-to-write", Value: "1", Field: "spec.redis.minReplicasToWrite"},
		"repl-backlog-size":     {Directive: "repl-backlog-size", Value: "16777216", Field: "spec.redis.replBacklogSize"},
		// Unset: Redis's default, so that removing an entry undoes it.
		"timeout": {Directive: "timeout", Value: "0"},
	}
	for name, w := range want {
		if byName[name] != w {
			t.Errorf("%s: got %+v, want %+v", name, byName[name], w)
		}
	}
	if _, ok := byName["databases"]; ok {
		t.Error("databases needs a restart but is among the live settings")
	}

	// spotahome's spec.redis.command arguments come after customConfig in redis.conf and win
	// there, so they win here too: the operator must never CONFIG SET them back.
	withCommand := newRF(func(rf *redisv1alpha1.RedisFailover) {
		rf.Spec.Redis.CustomConfig = []redisv1alpha1.RedisConfigLine{"maxmemory 1mb"}
		rf.Spec.Redis.Command = []redisv1alpha1.RedisCommandArg{"redis-server", "/redis/redis.conf", "--maxmemory", "3mb", "--timeout", "30"}
	}).WithDefaults()
	got, err = RedisLiveSettings(withCommand)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range got {
		switch d.Directive {
		case "maxmemory":
			if d.Value != "3145728" || d.Field != "spec.redis.command[2]" {
				t.Errorf("maxmemory from the command: %+v", d)
			}
		case "timeout":
			if d.Value != "30" || d.Field != "spec.redis.command[4]" {
				t.Errorf("timeout from the command: %+v", d)
			}
		}
	}

	for entry, field := range map[string]string{
		"maxmemory lots": "spec.redis.customConfig[0]",
		"timeout 1.5":    "spec.redis.customConfig[0]",
		"appendonly on":  "spec.redis.customConfig[0]",
		"maxmemory 1 2":  "spec.redis.customConfig[0]",
	} {
		bad := newRF(func(rf *redisv1alpha1.RedisFailover) {
			rf.Spec.Redis.CustomConfig = []redisv1alpha1.RedisConfigLine{redisv1alpha1.RedisConfigLine(entry)}
		})
		if _, err := Objects(bad, Options{SentinelImage: testSentinelImage}); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%q: err = %v, want a refusal naming %s", entry, err, field)
		}
	}
}

func TestObjectsAreDeterministic(t *testing.T) {
	rf := newRF(func(rf *redisv1alpha1.RedisFailover) {
		rf.Spec.Redis.PodAnnotations = map[string]string{"a": "1", "b": "2", "c": "3"}
		rf.Spec.Redis.CustomConfig = []redisv1alpha1.RedisConfigLine{"maxmemory 1mb", "save 900 1"}
	})
	first, _ := json.Marshal(mustRender(t, rf).All())
	for range 5 {
		again, _ := json.Marshal(mustRender(t, rf).All())
		if string(again) != string(first) {
			t.Fatal("two renders of the same spec differ")
		}
	}
}

func TestRenderDoesNotModifyItsInput(t *testing.T) {
	rf := newRF()
	before := rf.DeepCopy()
	mustRender(t, rf)
	if rf.Spec.Redis.Replicas != before.Spec.Redis.Replicas || rf.Spec.Redis.Image != "" {
		t.Errorf("Objects changed its input: %+v", rf.Spec.Redis)
	}
}

func container(t *testing.T, cs []corev1.Container, name string) corev1.Container {
	t.Helper()
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no container %q", name)
	return corev1.Container{}
}

func volume(t *testing.T, vs []corev1.Volume, name string) corev1.Volume {
	t.Helper()
	for _, v := range vs {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no volume %q", name)
	return corev1.Volume{}
}

func mount(t *testing.T, ms []corev1.VolumeMount, path string) corev1.VolumeMount {
	t.Helper()
	for _, m := range ms {
		if m.MountPath == path {
			return m
		}
	}
	t.Fatalf("nothing mounted at %s", path)
	return corev1.VolumeMount{}
}

func hasMemoryEmptyDir(vs []corev1.Volume) bool {
	for _, v := range vs {
		if v.EmptyDir != nil && v.EmptyDir.Medium == corev1.StorageMediumMemory {
			return true
		}
	}
	return false
}

func TestSentinelImplementation(t *testing.T) {
	rf := newRF(func(rf *redisv1alpha1.RedisFailover) {
		rf.Spec.Redis.Image = "example.com/redis:7.0.15"
		rf.Spec.Redis.ImagePullPolicy = corev1.PullNever
		rf.Spec.Sentinel.Image = "example.com/sentinel:1"
	})
	cases := []struct {
		impl             SentinelImplementation
		metrics          bool
		image, command   string
		pullPolicy       corev1.PullPolicy
		wantErrSubstring string
	}{
		{impl: "", image: "example.com/sentinel:1", command: "redis-failover sentinel /data/sentinel.conf" + discoveryFlags},
		{impl: "", metrics: true, image: "example.com/sentinel:1", command: "redis-failover sentinel /data/sentinel.conf" + discoveryFlags + " --metrics-addr :9355"},
		{impl: SentinelImplementationRedisFailover, metrics: true, image: "example.com/sentinel:1", command: "redis-failover sentinel /data/sentinel.conf" + discoveryFlags + " --metrics-addr :9355"},
		// redis-server has no metrics endpoint: refused, naming both operator flags.
		{impl: SentinelImplementationRedisSentinel, metrics: true, wantErrSubstring: "--sentinel-metrics cannot be used with --sentinel-implementation=redis-sentinel"},
		{impl: SentinelImplementationRedisFailover, image: "example.com/sentinel:1", command: "redis-failover sentinel /data/sentinel.conf" + discoveryFlags},
		// Stock Redis Sentinel comes from the Redis image, with its pull policy.
		{impl: SentinelImplementationRedisSentinel, image: "example.com/redis:7.0.15", command: "redis-server /data/sentinel.conf --sentinel", pullPolicy: corev1.PullNever},
		{impl: "keydb", wantErrSubstring: `sentinel implementation "keydb" is not known: use "redis-failover"`},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s metrics=%t", tc.impl, tc.metrics), func(t *testing.T) {
			opts := Options{SentinelImage: testSentinelImage, SentinelImplementation: tc.impl, SentinelMetrics: tc.metrics}
			if err := opts.Validate(); (err != nil) != (tc.wantErrSubstring != "") {
				t.Errorf("Validate() = %v, want an error: %t", err, tc.wantErrSubstring != "")
			}
			set, err := Objects(rf, opts)
			if tc.wantErrSubstring != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErrSubstring) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErrSubstring)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s := container(t, set.SentinelDeployment.Spec.Template.Spec.Containers, ContainerSentinel)
			if s.Image != tc.image || strings.Join(s.Command, " ") != tc.command {
				t.Errorf("sentinel container runs %q %q, want %q %q", s.Image, strings.Join(s.Command, " "), tc.image, tc.command)
			}
			if tc.pullPolicy != "" && s.ImagePullPolicy != tc.pullPolicy {
				t.Errorf("pull policy %q, want %q", s.ImagePullPolicy, tc.pullPolicy)
			}
		})
	}
	for _, ok := range []string{"redis-failover", "redis-sentinel"} {
		if got, err := ParseSentinelImplementation(ok); err != nil || string(got) != ok {
			t.Errorf("ParseSentinelImplementation(%q) = %q, %v", ok, got, err)
		}
	}
	if _, err := ParseSentinelImplementation(""); err == nil {
		t.Error("ParseSentinelImplementation(\"\") accepted an empty value")
	}
}

// While status.master names a pod on an ordinal that spec.redis.replicas no longer has, the
// StatefulSet keeps that pod; once the master is on a node that stays, it shrinks to the spec.
func TestStatefulSetKeepsTheMastersOrdinalUntilItMoves(t *testing.T) {
	for _, tc := range []struct {
		name     string
		replicas int32
		master   string
		want     int32
	}{
		{"no master known yet: the spec", 2, "", 2},
		{"master on an ordinal that stays: the spec", 2, "rfr-cache-1", 2},
		{"master on the highest ordinal, 5 to 2: kept at 5", 2, "rfr-cache-4", 5},
		{"master on ordinal 3, 5 to 2: kept at 4, ordinal 4 goes at once", 2, "rfr-cache-3", 4},
		{"scaling up is never held back", 5, "rfr-cache-2", 5},
		{"a master name of another StatefulSet is ignored", 2, "other-4", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rf := newRF(func(rf *redisv1alpha1.RedisFailover) {
				rf.Spec.Redis.Replicas = tc.replicas
				if tc.master != "" {
					rf.Status.Master = &redisv1alpha1.MasterStatus{Pod: tc.master}
				}
			})
			got := *mustRender(t, rf).RedisStatefulSet.Spec.Replicas
			if got != tc.want {
				t.Errorf("StatefulSet replicas = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestSentinelDiscoveryWiring(t *testing.T) {
	rf := newRF(func(rf *redisv1alpha1.RedisFailover) {
		rf.Spec.Auth = redisv1alpha1.AuthSettings{SecretPath: "cache-auth"}
		rf.Spec.Sentinel.DownAfterMilliseconds = 2500
		rf.Spec.Redis.CustomCommandRenames = []redisv1alpha1.RedisCommandRename{{From: "CONFIG", To: "c0nf1g"}}
	})
	set := mustRender(t, rf)

	// Peers are found through a headless Service that lists not-ready sentinels too.
	svc := set.SentinelHeadlessService
	if svc.Name != "rfs-cache-headless" || svc.Spec.ClusterIP != corev1.ClusterIPNone || !svc.Spec.PublishNotReadyAddresses ||
		!maps.Equal(svc.Spec.Selector, SentinelSelector(rf)) {
		t.Errorf("sentinel headless Service = %s %+v", svc.Name, svc.Spec)
	}

	// The settings a sentinel applies to a master it finds are the controller's.
	conf := set.SentinelConfigMap.Data[sentinelDiscoveryKey]
	for _, line := range []string{"quorum 2\n", "down-after-milliseconds 2500\n", "rename-command config c0nf1g\n"} {
		if !strings.Contains(conf, line) {
			t.Errorf("discovery.conf lacks %q:\n%s", line, conf)
		}
	}
	if strings.Contains(conf, "auth-pass") {
		t.Errorf("discovery.conf holds the password:\n%s", conf)
	}

	s := container(t, set.SentinelDeployment.Spec.Template.Spec.Containers, ContainerSentinel)
	if got := strings.Join(s.Command, " "); !strings.HasSuffix(got, " --discover-auth-file /etc/sentinel-secret/password") {
		t.Errorf("command = %q, want the password file last", got)
	}
	mounts := map[string]string{}
	for _, m := range s.VolumeMounts {
		if m.Name != volumeData && !m.ReadOnly {
			t.Errorf("mount %s is writable", m.Name)
		}
		mounts[m.Name] = m.MountPath
	}
	if mounts[volumeConfig] != sentinelTemplateDir || mounts[volumeAuth] != sentinelSecretDir {
		t.Errorf("sentinel mounts = %v, want the ConfigMap and the Secret", mounts)
	}

	// A new timing reaches running sentinels by SENTINEL SET and the mounted file: no restart.
	faster := newRF(func(r *redisv1alpha1.RedisFailover) {
		r.Spec.Auth, r.Spec.Redis.CustomCommandRenames = rf.Spec.Auth, rf.Spec.Redis.CustomCommandRenames
		r.Spec.Sentinel.DownAfterMilliseconds = 1500
	})
	other := mustRender(t, faster)
	hash := func(s *ObjectSet) string { return s.SentinelDeployment.Spec.Template.Annotations[AnnotationConfigHash] }
	if other.SentinelConfigMap.Data[sentinelDiscoveryKey] == conf || hash(other) != hash(set) {
		t.Errorf("a new down-after: discovery.conf changed %t, pod template hash changed %t; want true, false",
			other.SentinelConfigMap.Data[sentinelDiscoveryKey] != conf, hash(other) != hash(set))
	}
}

func TestOurContainersTellWhyTheyFailed(t *testing.T) {
	extra := corev1.Container{Name: "sidecar", Image: "example.com/sidecar:1"}
	set := mustRender(t, newRF(func(rf *redisv1alpha1.RedisFailover) {
		rf.Spec.Redis.ExtraContainers = []corev1.Container{extra}
		rf.Spec.Redis.Exporter.Enabled = true
	}))
	for _, spec := range []corev1.PodSpec{set.RedisStatefulSet.Spec.Template.Spec, set.SentinelDeployment.Spec.Template.Spec} {
		for _, c := range append(slices.Clone(spec.InitContainers), spec.Containers...) {
			want := corev1.TerminationMessageFallbackToLogsOnError
			if c.Name == extra.Name {
				want = "" // the user's container keeps its own policy
			}
			if c.TerminationMessagePolicy != want {
				t.Errorf("container %s: terminationMessagePolicy %q, want %q", c.Name, c.TerminationMessagePolicy, want)
			}
		}
	}
}
