package spotahome

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	sigsjson "sigs.k8s.io/json"
	sigsyaml "sigs.k8s.io/yaml"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// fixtures holds one file per example manifest of spotahome/redis-operator's
// example/redisfailover/, written in the same shapes (see its README).
const fixtures = "../../testdata/spotahome-examples"

// converted runs Convert on a fixture and decodes every RedisFailover of the output strictly
// into this API's types: what `kubectl apply` with strict field validation would accept.
func converted(t *testing.T, file string, opts Options) ([]*redisv1alpha1.RedisFailover, string, error) {
	t.Helper()
	in, err := os.ReadFile(filepath.Join(fixtures, file))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Convert(in, opts)
	if err != nil {
		return nil, "", err
	}
	return decodeAll(t, out), string(out), nil
}

func decodeAll(t *testing.T, out []byte) []*redisv1alpha1.RedisFailover {
	t.Helper()
	var rfs []*redisv1alpha1.RedisFailover
	dec := yaml.NewDecoder(bytes.NewReader(out))
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("output is not YAML: %v\n%s", err, out)
		}
		if doc["kind"] != "RedisFailover" {
			continue
		}
		if doc["apiVersion"] != redisv1alpha1.GroupVersion.String() {
			t.Fatalf("output apiVersion = %v", doc["apiVersion"])
		}
		data, err := yaml.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		js, err := sigsyaml.YAMLToJSON(data)
		if err != nil {
			t.Fatal(err)
		}
		rf := &redisv1alpha1.RedisFailover{}
		strict, err := sigsjson.UnmarshalStrict(js, rf)
		if err != nil || len(strict) > 0 {
			t.Fatalf("output does not decode strictly: %v %v\n%s", err, strict, out)
		}
		rfs = append(rfs, rf)
	}
	return rfs
}

// Every fixture, the expected outcome, and where its fields land after conversion.
func TestConvertSpotahomeExamples(t *testing.T) {
	type check func(t *testing.T, rf *redisv1alpha1.RedisFailover, out string)
	has := func(parts ...string) check {
		return func(t *testing.T, _ *redisv1alpha1.RedisFailover, out string) {
			for _, p := range parts {
				if !strings.Contains(out, p) {
					t.Errorf("output lacks %q:\n%s", p, out)
				}
			}
		}
	}
	spotahomeTimings := func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
		if s := rf.Spec.Sentinel; s.DownAfterMilliseconds != 5000 || s.FailoverTimeout != 0 || s.EffectiveFailoverTimeout() != 10000 {
			t.Errorf("sentinel timings = %d/%d, want spotahome's 5000/10000", s.DownAfterMilliseconds, s.EffectiveFailoverTimeout())
		}
	}
	rows := map[string]struct {
		wantErr string
		checks  []check
	}{
		"basic.yaml": {checks: []check{spotahomeTimings, func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			if rf.Spec.Redis.Resources.Limits.Memory().String() != "256Mi" || rf.Spec.Sentinel.Resources.Requests.Cpu().String() != "50m" {
				t.Errorf("resources = %+v / %+v", rf.Spec.Redis.Resources, rf.Spec.Sentinel.Resources)
			}
		}}},
		"bootstrapping.yaml":                {wantErr: "spec.bootstrapNode cannot be converted"},
		"bootstrapping-with-port.yaml":      {wantErr: "spec.bootstrapNode cannot be converted"},
		"bootstrapping-with-sentinels.yaml": {wantErr: "spec.bootstrapNode cannot be converted"},
		"container-security-context.yaml": {checks: []check{func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			r := rf.Spec.Redis
			if *r.SecurityContext.RunAsUser != 2000 || *r.ContainerSecurityContext.ReadOnlyRootFilesystem {
				t.Errorf("security contexts = %+v %+v", r.SecurityContext, r.ContainerSecurityContext)
			}
		}}},
		"control-label-propagation.yaml": {checks: []check{has("Same meaning: labels of this resource"), func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			if len(rf.Spec.LabelWhitelist) != 1 || rf.Spec.LabelWhitelist[0] != "^team.example.org/.*" {
				t.Errorf("labelWhitelist = %v", rf.Spec.LabelWhitelist)
			}
		}}},
		"custom-annotations.yaml": {checks: []check{func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			if rf.Spec.Redis.PodAnnotations["example.org/scrape"] != "redis" || rf.Spec.Sentinel.ServiceAnnotations["example.org/dns"] != "sentinels.internal" {
				t.Errorf("annotations = %+v", rf.Spec)
			}
		}}},
		"custom-command.yaml": {checks: []check{has("command removed: the sentinels run this project's server", `"--directive value" argument becomes the redis.conf line`),
			func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
				if len(rf.Spec.Redis.Command) != 6 || len(rf.Spec.Sentinel.Command) != 0 {
					t.Errorf("commands = %v / %v", rf.Spec.Redis.Command, rf.Spec.Sentinel.Command)
				}
			}}},
		"custom-config.yaml": {checks: []check{has(`was spec.sentinel.customConfig "down-after-milliseconds 2500"`), func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			s := rf.Spec.Sentinel
			if s.DownAfterMilliseconds != 2500 || s.FailoverTimeout != 4000 || len(s.CustomConfig) != 0 || len(rf.Spec.Redis.CustomConfig) != 7 {
				t.Errorf("sentinel = %+v, redis customConfig = %v", s, rf.Spec.Redis.CustomConfig)
			}
		}}},
		"custom-image.yaml": {checks: []check{has("image: redis:6.0-alpine removed: the sentinels run this project's server"), func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			if rf.Spec.Sentinel.Image != "" || rf.Spec.Redis.Image != "redis:6.0-alpine" || rf.Spec.Sentinel.ImagePullPolicy != corev1.PullIfNotPresent {
				t.Errorf("images = %q / %q", rf.Spec.Redis.Image, rf.Spec.Sentinel.Image)
			}
		}}},
		"custom-port.yaml": {checks: []check{has("kind: Namespace", "No sidecar: enabled turns on the sentinel's own Prometheus metrics"), func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			if rf.Spec.Redis.Port != 7001 || !rf.Spec.Redis.Exporter.Enabled || !rf.Spec.Sentinel.Exporter.Enabled || rf.Namespace != "other-port" {
				t.Errorf("spec = %+v", rf.Spec)
			}
		}}},
		"custom-renames.yaml": {checks: []check{has("the redis_exporter does not know them"), func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			if r := rf.Spec.Redis.CustomCommandRenames; len(r) != 3 || r[0].From != "debug" || r[0].To != "" || r[1].To != "wipe-all-7f3a" {
				t.Errorf("renames = %+v", r)
			}
		}}},
		"custom-shutdown.yaml": {checks: []check{has("kind: ConfigMap", "shutdown.sh runs after the operator's own handover"), func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			if rf.Spec.Redis.ShutdownConfigMap != "stopping-shutdown" {
				t.Errorf("shutdownConfigMap = %q", rf.Spec.Redis.ShutdownConfigMap)
			}
		}}},
		"enable-exporter.yaml": {checks: []check{has("image removed: they configured spotahome's exporter sidecar"), func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			e := rf.Spec.Redis.Exporter
			if !e.Enabled || e.Image != "example.org/redis-exporter:1.50.0" || len(e.Args) != 2 || e.Env[0].Value != "json" {
				t.Errorf("redis exporter = %+v", e)
			}
			if s := rf.Spec.Sentinel.Exporter; !s.Enabled || s.Image != "" {
				t.Errorf("sentinel exporter = %+v", s)
			}
		}}},
		"extravolumes-mounts.yaml": {checks: []check{has("kind: Secret"), func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			for _, x := range []redisv1alpha1.PodExtensions{rf.Spec.Redis.PodExtensions, rf.Spec.Sentinel.PodExtensions} {
				if len(x.ExtraVolumes) != 1 || x.ExtraVolumes[0].Secret.SecretName != "tls-files" || x.ExtraVolumeMounts[0].MountPath != "/etc/tls" {
					t.Errorf("extras = %+v", x)
				}
			}
		}}},
		"minimum.yaml": {checks: []check{spotahomeTimings, has("name the master after metadata.name")}},
		"node-affinity.yaml": {checks: []check{func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			if rf.Spec.Redis.Affinity.NodeAffinity == nil || rf.Spec.Sentinel.Affinity.NodeAffinity == nil {
				t.Errorf("affinity = %+v", rf.Spec)
			}
		}}},
		"persistent-storage.yaml": {checks: []check{func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			if p := rf.Spec.Redis.Storage.PersistentVolumeClaim; p == nil || p.Name != "durable-data" || rf.Spec.Redis.Storage.KeepAfterDeletion {
				t.Errorf("storage = %+v", rf.Spec.Redis.Storage)
			}
		}}},
		"persistent-storage-no-pvc-deletion.yaml": {checks: []check{func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			if !rf.Spec.Redis.Storage.KeepAfterDeletion {
				t.Errorf("storage = %+v", rf.Spec.Redis.Storage)
			}
		}}},
		"pmem.yaml": {checks: []check{func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			r := rf.Spec.Redis
			if *r.SecurityContext.RunAsNonRoot || r.Image != "example.org/pmem-redis:6" || len(r.Command) != 7 || *r.Storage.PersistentVolumeClaim.Spec.StorageClassName != "pmem-ext4" {
				t.Errorf("redis = %+v", r)
			}
		}}},
		"pod-anti-affinity.yaml": {checks: []check{func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			if a := rf.Spec.Redis.Affinity; a == nil || a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution[0].Weight != 80 {
				t.Errorf("affinity = %+v", a)
			}
		}}},
		"security-context.yaml": {checks: []check{func(t *testing.T, rf *redisv1alpha1.RedisFailover, out string) {
			if *rf.Spec.Redis.SecurityContext.FSGroup != 3000 || strings.Contains(out, "securityContext is unset") {
				t.Errorf("securityContext = %+v", rf.Spec.Redis.SecurityContext)
			}
		}}},
		"sidecars.yaml": {checks: []check{func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			for _, x := range []redisv1alpha1.PodExtensions{rf.Spec.Redis.PodExtensions, rf.Spec.Sentinel.PodExtensions} {
				if len(x.InitContainers) != 1 || len(x.ExtraContainers) != 1 || x.ExtraContainers[0].Name != "logger" {
					t.Errorf("extras = %+v", x)
				}
			}
			if rf.Spec.Auth.SecretPath != "sidecar-auth" {
				t.Errorf("auth = %+v", rf.Spec.Auth)
			}
		}}},
		"tolerations.yaml": {checks: []check{func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			if len(rf.Spec.Redis.Tolerations) != 1 || len(rf.Spec.Sentinel.Tolerations) != 1 {
				t.Errorf("tolerations = %+v", rf.Spec)
			}
		}}},
		"topology-spread-contraints.yaml": {checks: []check{func(t *testing.T, rf *redisv1alpha1.RedisFailover, _ string) {
			if len(rf.Spec.Redis.TopologySpreadConstraints) != 2 || len(rf.Spec.Sentinel.TopologySpreadConstraints) != 2 {
				t.Errorf("constraints = %+v", rf.Spec)
			}
		}}},
	}
	files, err := filepath.Glob(filepath.Join(fixtures, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 25 || len(rows) != 25 {
		t.Fatalf("%d fixtures and %d rows, want spotahome's 25 examples each", len(files), len(rows))
	}
	for _, path := range files {
		file := filepath.Base(path)
		row, ok := rows[file]
		if !ok {
			t.Errorf("no expectation for %s", file)
			continue
		}
		t.Run(file, func(t *testing.T) {
			rfs, out, err := converted(t, file, Options{})
			if row.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), row.wantErr) {
					t.Fatalf("err = %v, want %q", err, row.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rfs) != 1 {
				t.Fatalf("%d RedisFailovers in the output, want 1", len(rfs))
			}
			if !strings.Contains(out, "# Converted from databases.spotahome.com/v1 by kubectl rf convert") {
				t.Errorf("output lacks the conversion comment:\n%s", out)
			}
			for _, c := range row.checks {
				c(t, rfs[0], out)
			}
		})
	}
}

func TestConvertRules(t *testing.T) {
	rows := []struct {
		name    string
		in      string
		opts    Options
		wantErr string
		want    []string // substrings of the output
		check   func(t *testing.T, rf *redisv1alpha1.RedisFailover)
	}{
		{name: "empty input", in: "", wantErr: "holds no spotahome RedisFailover"},
		{name: "only other objects", in: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", wantErr: "holds no spotahome RedisFailover"},
		{name: "already this API", in: "apiVersion: redis.failover.dev/v1alpha1\nkind: RedisFailover\nmetadata: {name: x}\n", wantErr: "document 1: a RedisFailover of apiVersion \"redis.failover.dev/v1alpha1\" is not spotahome's databases.spotahome.com/v1: it is already this project's"},
		{name: "spotahome's older API", in: "apiVersion: storage.spotahome.com/v1alpha2\nkind: RedisFailover\nmetadata: {name: x}\n", wantErr: "spotahome's older API"},
		{name: "not YAML", in: "apiVersion: [\n", wantErr: "document 1 is not YAML"},
		{name: "a list, not an object", in: "- a\n- b\n", wantErr: "document 1 is not a Kubernetes object"},
		{name: "a field neither API has", in: rf("spec: {authV2: {enabled: true}}"), wantErr: `unknown field "spec.authV2"`},
		{name: "hostNetwork true", in: rf("spec: {redis: {hostNetwork: true}}"), wantErr: "spec.redis.hostNetwork: true cannot be converted"},
		{name: "hostNetwork false is dropped", in: rf("spec: {sentinel: {hostNetwork: false}}"), check: func(t *testing.T, rf *redisv1alpha1.RedisFailover) {
			if rf.Spec.Sentinel.HostNetwork {
				t.Error("hostNetwork kept")
			}
		}},
		{name: "keep mymaster", in: rf(""), opts: Options{KeepMasterName: true}, want: []string{"kept for clients that ask for it"}, check: func(t *testing.T, rf *redisv1alpha1.RedisFailover) {
			if rf.Spec.Sentinel.MasterName != "mymaster" {
				t.Errorf("masterName = %q", rf.Spec.Sentinel.MasterName)
			}
		}},
		{name: "labels without a whitelist were all copied", in: "apiVersion: databases.spotahome.com/v1\nkind: RedisFailover\nmetadata: {name: x, labels: {team: a}}\n",
			want: []string{`here unset copies none, so ".*" keeps spotahome's behaviour`}, check: func(t *testing.T, rf *redisv1alpha1.RedisFailover) {
				if len(rf.Spec.LabelWhitelist) != 1 || rf.Spec.LabelWhitelist[0] != ".*" {
					t.Errorf("labelWhitelist = %v", rf.Spec.LabelWhitelist)
				}
			}},
		{name: "a non-empty customConfig replaced spotahome's defaults", in: rf(`spec: {sentinel: {customConfig: ["parallel-syncs 2", "master-reboot-down-after-period 60000"]}}`),
			want: []string{"so down-after-milliseconds was stock Redis Sentinel's"}, check: func(t *testing.T, rf *redisv1alpha1.RedisFailover) {
				s := rf.Spec.Sentinel
				if s.ParallelSyncs != 2 || s.DownAfterMilliseconds != 30000 || s.FailoverTimeout != 180000 || len(s.CustomConfig) != 1 {
					t.Errorf("sentinel = %+v", s)
				}
			}},
		{name: "quorum line", in: rf(`spec: {sentinel: {replicas: 5, customConfig: ["quorum 3", "down-after-milliseconds 1000", "failover-timeout 5000"]}}`), check: func(t *testing.T, rf *redisv1alpha1.RedisFailover) {
			if q := rf.Spec.Sentinel.Quorum; q == nil || *q != 3 {
				t.Errorf("quorum = %v", q)
			}
		}},
		{name: "timing line not a number", in: rf(`spec: {sentinel: {customConfig: ["failover-timeout soon"]}}`), wantErr: `spec.sentinel.customConfig[0] "failover-timeout soon": failover-timeout takes a whole number`},
		{name: "sentinel exec probe", in: rf(`spec: {sentinel: {customLivenessProbe: {exec: {command: [redis-cli, ping]}}, customReadinessProbe: {tcpSocket: {port: 26379}}}}`),
			want: []string{"customLivenessProbe removed: an exec probe needs a shell"}, check: func(t *testing.T, rf *redisv1alpha1.RedisFailover) {
				if rf.Spec.Sentinel.CustomLivenessProbe != nil || rf.Spec.Sentinel.CustomReadinessProbe == nil {
					t.Errorf("probes = %+v %+v", rf.Spec.Sentinel.CustomLivenessProbe, rf.Spec.Sentinel.CustomReadinessProbe)
				}
			}},
		{name: "redis readiness probe and emptyDir PDB", in: rf(`spec: {redis: {customReadinessProbe: {tcpSocket: {port: 6379}}, disablePodDisruptionBudget: true}}`),
			want: []string{"customReadinessProbe removed", "disablePodDisruptionBudget removed: with emptyDir storage"}, check: func(t *testing.T, rf *redisv1alpha1.RedisFailover) {
				if rf.Spec.Redis.CustomReadinessProbe != nil || rf.Spec.Redis.DisablePodDisruptionBudget {
					t.Errorf("redis = %+v", rf.Spec.Redis)
				}
			}},
		{name: "PDB disabled with persistent storage is kept", in: rf(`spec: {redis: {disablePodDisruptionBudget: true, storage: {persistentVolumeClaim: {spec: {resources: {requests: {storage: 1Gi}}}}}}}`),
			check: func(t *testing.T, rf *redisv1alpha1.RedisFailover) {
				if !rf.Spec.Redis.DisablePodDisruptionBudget {
					t.Error("disablePodDisruptionBudget dropped")
				}
			}},
		{name: "the v1alpha2 version field", in: rf(`spec: {redis: {image: pmem/redis, version: latest}}`), want: []string{"version: latest removed"}},
		{name: "the sentinel startup script", in: rf(`spec: {sentinel: {startupConfigMap: s}}`), want: []string{"startupConfigMap removed"}},
		{name: "the operator's own sentinel image is kept", in: rf(`spec: {sentinel: {image: example.org/redis-failover-operator:1}}`), check: func(t *testing.T, rf *redisv1alpha1.RedisFailover) {
			if rf.Spec.Sentinel.Image != "example.org/redis-failover-operator:1" {
				t.Errorf("image = %q", rf.Spec.Sentinel.Image)
			}
		}},
		{name: "multi-document, with an empty one", in: "---\n" + rf("") + "---\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\n" + strings.Replace(rf(""), "name: x", "name: second", 1),
			want: []string{"kind: Secret", "name: x", "name: second"}},
		{name: "a bad second document names it", in: rf("") + "---\n" + rf("spec: {bootstrapNode: {host: h}}"), wantErr: "document 2 (RedisFailover x): spec.bootstrapNode cannot be converted"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			out, err := Convert([]byte(row.in), row.opts)
			if row.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), row.wantErr) {
					t.Fatalf("err = %v, want %q", err, row.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range row.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			rfs := decodeAll(t, out)
			if len(rfs) == 0 {
				t.Fatalf("no RedisFailover in the output:\n%s", out)
			}
			if row.check != nil {
				row.check(t, rfs[0])
			}
		})
	}
}

// rf is a spotahome RedisFailover named x with the given spec line.
func rf(spec string) string {
	return "apiVersion: databases.spotahome.com/v1\nkind: RedisFailover\nmetadata: {name: x}\n" + spec + "\n"
}
