package render

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// The spotahome fields the example shapes do not exercise.
func TestSpotahomeFieldsRender(t *testing.T) {
	pvc := func(rf *redisv1alpha1.RedisFailover) {
		rf.Spec.Redis.Storage.PersistentVolumeClaim = &redisv1alpha1.EmbeddedPersistentVolumeClaim{Spec: corev1.PersistentVolumeClaimSpec{
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		}}
	}
	tcp := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(26379)}}, PeriodSeconds: 7}
	rows := []struct {
		name    string
		mutate  func(*redisv1alpha1.RedisFailover)
		wantErr string
		check   func(t *testing.T, set *ObjectSet)
	}{
		{name: "startupConfigMap is the startup probe, with the password for the script",
			mutate: func(rf *redisv1alpha1.RedisFailover) {
				rf.Spec.Redis.StartupConfigMap = "warm-up"
				rf.Spec.Auth.SecretPath = "pw"
			},
			check: func(t *testing.T, set *ObjectSet) {
				spec := set.RedisStatefulSet.Spec.Template.Spec
				c := podContainer(spec, ContainerRedis)
				if p := c.StartupProbe; p == nil || !slices.Equal(p.Exec.Command, []string{"sh", "/redis-startup/startup.sh"}) || p.PeriodSeconds != 15 {
					t.Errorf("startup probe = %+v", c.StartupProbe)
				}
				if v := podVolume(spec, volumeStartup); v == nil || v.ConfigMap.Name != "warm-up" || mountedAt(c, startupDir) != volumeStartup {
					t.Errorf("startup ConfigMap not mounted")
				}
				if !slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool {
					return e.Name == "REDIS_PASSWORD" && e.ValueFrom.SecretKeyRef.Name == "pw" && e.Value == ""
				}) {
					t.Errorf("env = %+v", c.Env)
				}
				if c.Lifecycle.PreStop.Exec.Command[1] != "/etc/redis/prestop.sh" {
					t.Errorf("preStop changed without shutdownConfigMap: %v", c.Lifecycle.PreStop.Exec.Command)
				}
			}},
		{name: "without user scripts no password env and no service links",
			mutate: func(rf *redisv1alpha1.RedisFailover) { rf.Spec.Auth.SecretPath = "pw" },
			check: func(t *testing.T, set *ObjectSet) {
				spec := set.RedisStatefulSet.Spec.Template.Spec
				if slices.ContainsFunc(podContainer(spec, ContainerRedis).Env, func(e corev1.EnvVar) bool { return e.Name == "REDIS_PASSWORD" }) || *spec.EnableServiceLinks {
					t.Errorf("password env or service links without a user script")
				}
			}},
		{name: "disablePodDisruptionBudget: no budget, the old one to delete",
			mutate: func(rf *redisv1alpha1.RedisFailover) {
				pvc(rf)
				rf.Spec.Redis.DisablePodDisruptionBudget = true
				rf.Spec.Sentinel.DisablePodDisruptionBudget = true
			},
			check: func(t *testing.T, set *ObjectSet) {
				if set.RedisPDB != nil || set.SentinelPDB != nil || len(set.Absent) != 2 || set.Absent[0].GetName() != "rfr-cache" || set.Absent[1].GetName() != "rfs-cache" {
					t.Errorf("PDBs %v %v, absent %v", set.RedisPDB, set.SentinelPDB, set.Absent)
				}
				for _, o := range set.All() {
					if o == nil {
						t.Error("All() lists a nil object")
					}
				}
			}},
		{name: "disablePodDisruptionBudget with emptyDir is refused", mutate: func(rf *redisv1alpha1.RedisFailover) { rf.Spec.Redis.DisablePodDisruptionBudget = true },
			wantErr: "spec.redis.disablePodDisruptionBudget needs spec.redis.storage.persistentVolumeClaim"},
		{name: "dnsPolicy and sentinel probes",
			mutate: func(rf *redisv1alpha1.RedisFailover) {
				rf.Spec.Redis.DNSPolicy = corev1.DNSDefault
				rf.Spec.Sentinel.CustomLivenessProbe = tcp
				rf.Spec.Sentinel.CustomReadinessProbe = tcp
				rf.Spec.Sentinel.CustomStartupProbe = tcp
				rf.Spec.Redis.CustomLivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"redis-cli", "ping"}}}}
			},
			check: func(t *testing.T, set *ObjectSet) {
				redis, sentinel := set.RedisStatefulSet.Spec.Template.Spec, set.SentinelDeployment.Spec.Template.Spec
				if redis.DNSPolicy != corev1.DNSDefault || sentinel.DNSPolicy != "" {
					t.Errorf("dnsPolicy = %q / %q", redis.DNSPolicy, sentinel.DNSPolicy)
				}
				s := podContainer(sentinel, ContainerSentinel)
				if s.LivenessProbe.PeriodSeconds != 7 || s.ReadinessProbe.PeriodSeconds != 7 || s.StartupProbe.PeriodSeconds != 7 {
					t.Errorf("sentinel probes = %+v %+v %+v", s.LivenessProbe, s.ReadinessProbe, s.StartupProbe)
				}
				r := podContainer(redis, ContainerRedis)
				if r.LivenessProbe.Exec == nil || r.ReadinessProbe.Exec.Command[1] != "/etc/redis/readiness.sh" {
					t.Errorf("redis probes = %+v %+v", r.LivenessProbe, r.ReadinessProbe)
				}
			}},
		{name: "configCopy's security context is the sentinel init container's",
			mutate: func(rf *redisv1alpha1.RedisFailover) {
				rf.Spec.Sentinel.ConfigCopy.ContainerSecurityContext = &corev1.SecurityContext{RunAsUser: ptr.To[int64](4242)}
			},
			check: func(t *testing.T, set *ObjectSet) {
				spec := set.SentinelDeployment.Spec.Template.Spec
				if *spec.InitContainers[0].SecurityContext.RunAsUser != 4242 || podContainer(spec, ContainerSentinel).SecurityContext.RunAsUser != nil {
					t.Errorf("security contexts = %+v / %+v", spec.InitContainers[0].SecurityContext, podContainer(spec, ContainerSentinel).SecurityContext)
				}
			}},
		{name: "a mount of a volume that is not there", mutate: func(rf *redisv1alpha1.RedisFailover) {
			rf.Spec.Sentinel.ExtraVolumeMounts = []corev1.VolumeMount{{Name: "missing", MountPath: "/x"}}
		}, wantErr: `spec.sentinel.extraVolumeMounts[0] mounts volume "missing", which is not in spec.sentinel.extraVolumes`},
		{name: "labelWhitelist never copies the operator's labels nor reaches the claims",
			mutate: func(rf *redisv1alpha1.RedisFailover) {
				pvc(rf)
				rf.Labels = map[string]string{"app.kubernetes.io/instance": "other", "redis.failover.dev/role": "master", "team": "a"}
				rf.Spec.LabelWhitelist = []redisv1alpha1.LabelPattern{".*"}
			},
			check: func(t *testing.T, set *ObjectSet) {
				l := set.RedisStatefulSet.Spec.Template.Labels
				if l["team"] != "a" || l["app.kubernetes.io/instance"] != "cache" || l["redis.failover.dev/role"] != "" {
					t.Errorf("pod labels = %v", l)
				}
				if _, ok := set.RedisStatefulSet.Spec.VolumeClaimTemplates[0].Labels["team"]; ok {
					t.Errorf("claim template labels = %v", set.RedisStatefulSet.Spec.VolumeClaimTemplates[0].Labels)
				}
			}},
		{name: "labels are not copied without a whitelist", mutate: func(rf *redisv1alpha1.RedisFailover) { rf.Labels = map[string]string{"team": "a"} },
			check: func(t *testing.T, set *ObjectSet) {
				if _, ok := set.RedisStatefulSet.Labels["team"]; ok {
					t.Errorf("labels = %v", set.RedisStatefulSet.Labels)
				}
			}},
		{name: "a bad expression", mutate: func(rf *redisv1alpha1.RedisFailover) { rf.Spec.LabelWhitelist = []redisv1alpha1.LabelPattern{"(["} },
			wantErr: `spec.labelWhitelist[0] "([" is not a valid regular expression`},
		{name: "renamed INFO and REPLICAOF reach the scripts", mutate: func(rf *redisv1alpha1.RedisFailover) {
			rf.Spec.Redis.CustomCommandRenames = []redisv1alpha1.RedisCommandRename{{From: "INFO", To: "i-7"}, {From: "replicaof", To: "r-7"}}
		}, check: func(t *testing.T, set *ObjectSet) {
			env := podContainer(set.RedisStatefulSet.Spec.Template.Spec, ContainerRedis).Env
			if !slices.Contains(env, corev1.EnvVar{Name: EnvRenamedCommands, Value: "info=i-7 replicaof=r-7"}) {
				t.Errorf("env = %v", env)
			}
			if !strings.Contains(set.SentinelConfigMap.Data[sentinelConfKey], "info i-7") {
				t.Errorf("sentinel.conf does not change with the renames:\n%s", set.SentinelConfigMap.Data[sentinelConfKey])
			}
		}},
		{name: "bootstrapNode", mutate: func(rf *redisv1alpha1.RedisFailover) {
			rf.Spec.BootstrapNode = &redisv1alpha1.BootstrapSettings{Host: "10.0.0.1"}
		}, wantErr: "spec.bootstrapNode"},
		{name: "hostNetwork", mutate: func(rf *redisv1alpha1.RedisFailover) { rf.Spec.Sentinel.HostNetwork = true }, wantErr: "hostNetwork: true is not supported"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			set, err := Objects(newRF(row.mutate), Options{SentinelImage: testSentinelImage})
			if row.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), row.wantErr) {
					t.Fatalf("err = %v, want %q", err, row.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			row.check(t, set)
		})
	}
}

func TestCommandConfigLines(t *testing.T) {
	args := func(s ...string) []redisv1alpha1.RedisCommandArg {
		out := make([]redisv1alpha1.RedisCommandArg, len(s))
		for i, a := range s {
			out[i] = redisv1alpha1.RedisCommandArg(a)
		}
		return out
	}
	rows := []struct {
		name    string
		command []redisv1alpha1.RedisCommandArg
		want    []string
		wantErr string
	}{
		{name: "unset", command: nil},
		{name: "config file only", command: args("redis-server", "/redis/redis.conf")},
		{name: "groups", command: args("/usr/local/bin/redis-server", "/redis/redis.conf", "--save", "900", "1", "--appendonly", "yes"), want: []string{"save 900 1", "appendonly yes"}},
		{name: "protected-mode no is the operator's", command: args("redis-server", "/redis/redis.conf", "--protected-mode", "no"), want: nil},
		{name: "a value with a space is quoted", command: args("redis-server", "/r.conf", "--notify-keyspace-events", "K E"), want: []string{`notify-keyspace-events "K E"`}},
		{name: "protected-mode yes", command: args("redis-server", "/r.conf", "--protected-mode", "yes"), wantErr: `spec.redis.command[2]: "protected-mode" is managed by the operator`},
		{name: "an owned directive", command: args("redis-server", "/r.conf", "--replicaof", "10.0.0.1", "6379"), wantErr: `spec.redis.command[2]: "replicaof" is managed by the operator`},
		{name: "no value", command: args("redis-server", "/r.conf", "--appendonly"), wantErr: "spec.redis.command[2] --appendonly has no value"},
		{name: "not a directive", command: args("redis-server", "/r.conf", "yes"), wantErr: `spec.redis.command[2] "yes" must be a "--directive"`},
		{name: "another program", command: args("sh", "-c", "redis-server"), wantErr: "spec.redis.command must be redis-server, a config file"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			lines, fields, err := commandConfigLines(row.command)
			if row.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), row.wantErr) {
					t.Fatalf("err = %v, want %q", err, row.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := make([]string, len(lines))
			for i, l := range lines {
				got[i] = l.String()
			}
			if len(fields) != len(lines) {
				t.Errorf("%d lines but %d fields", len(lines), len(fields))
			}
			if !slices.Equal(got, row.want) && (len(got) != 0 || len(row.want) != 0) {
				t.Errorf("lines = %q, want %q", got, row.want)
			}
		})
	}
}
