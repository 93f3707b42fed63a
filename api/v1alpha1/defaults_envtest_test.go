//go:build envtest

package v1alpha1_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// The API server's defaults and WithDefaults (used for objects built in code) must agree, for a
// spec that is absent, empty or a typed zero value.
func TestAPIServerDefaultsMatchWithDefaults(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	noSpec := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": redisv1alpha1.GroupVersion.String(), "kind": "RedisFailover",
		"metadata": map[string]any{"name": "no-spec", "namespace": ns},
	}}
	objects := []client.Object{
		noSpec,
		fromYAML(t, ns, "empty-spec", ""),
		&redisv1alpha1.RedisFailover{ObjectMeta: metav1.ObjectMeta{Name: "typed-zero", Namespace: ns}},
	}
	want := (&redisv1alpha1.RedisFailover{}).WithDefaults().Spec
	for _, obj := range objects {
		if err := k8s.Create(ctx, obj); err != nil {
			t.Fatalf("creating %s: %v", obj.GetName(), err)
		}
		got := &redisv1alpha1.RedisFailover{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
			t.Fatal(err)
		}
		if !apiequality.Semantic.DeepEqual(got.Spec, want) {
			t.Errorf("%s: the API server defaulted the spec to\n%+v\nWithDefaults gives\n%+v", obj.GetName(), got.Spec, want)
		}
	}

	// The defaults the issue names, spelled out.
	got := &redisv1alpha1.RedisFailover{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "no-spec"}, got); err != nil {
		t.Fatal(err)
	}
	r, s := got.Spec.Redis, got.Spec.Sentinel
	if r.Replicas != 3 || r.Image != redisv1alpha1.DefaultRedisImage || r.Port != 6379 ||
		r.ReplBacklogSize.Cmp(resource.MustParse("16Mi")) != 0 || r.MinReplicasToWrite != nil || r.EffectiveMinReplicasToWrite() != 1 || r.MinReplicasMaxLag != 10 {
		t.Errorf("redis defaults = %+v", r)
	}
	if s.Replicas != 3 || s.Quorum != nil || s.EffectiveQuorum() != 2 ||
		s.DownAfterMilliseconds != 0 || s.EffectiveDownAfterMilliseconds() != 3000 ||
		s.FailoverTimeout != 0 || s.EffectiveFailoverTimeout() != 10000 ||
		s.ParallelSyncs != 0 || s.EffectiveParallelSyncs() != 1 || s.MasterName != "" || got.MasterName() != ns+".no-spec" || s.Image != "" {
		t.Errorf("sentinel defaults = %+v", s)
	}
	if got.Spec.Auth.Enabled() {
		t.Errorf("auth enabled by default: %+v", got.Spec.Auth)
	}
}

// The samples are what users copy: they must be accepted as they are.
func TestSamplesAreAccepted(t *testing.T) {
	ctx := context.Background()
	files, err := filepath.Glob(filepath.Join("..", "..", "config", "samples", "*.yaml"))
	if err != nil || len(files) < 2 {
		t.Fatalf("samples: %v %v", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			ns := newNamespace(t)
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
			created := 0
			for {
				doc, err := reader.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				u := &unstructured.Unstructured{}
				if err := utilyaml.Unmarshal(doc, &u.Object); err != nil {
					t.Fatal(err)
				}
				if len(u.Object) == 0 {
					continue
				}
				u.SetNamespace(ns)
				if err := k8s.Create(ctx, u, client.FieldValidation("Strict")); err != nil {
					t.Fatalf("%s %s refused: %v", u.GetKind(), u.GetName(), err)
				}
				created++
			}
			if created == 0 {
				t.Fatal("no objects in the sample")
			}
		})
	}
}

// A spec using every field at once is accepted, and the fields come back as sent.
func TestFullSpecIsAccepted(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	u := fromYAML(t, ns, "full", `
redis:
  replicas: 5
  image: redis:7.2
  imagePullPolicy: IfNotPresent
  port: 7000
  resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}
  customConfig: ["maxmemory 100mb", "save 900 1 300 10", "notify-keyspace-events \"Ex\""]
  replBacklogSize: 64Mi
  minReplicasToWrite: 1
  minReplicasMaxLag: 5
  storage:
    keepAfterDeletion: true
    persistentVolumeClaim:
      metadata: {name: data, labels: {a: b}, annotations: {c: d}}
      spec: {accessModes: [ReadWriteOnce], storageClassName: fast, resources: {requests: {storage: 1Gi}}}
  exporter: {enabled: true, image: exporter:1, args: [--include-system-metrics], env: [{name: X, value: "1"}]}
  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: disk, operator: In, values: [ssd]}]}]}}}
  tolerations: [{key: dedicated, operator: Equal, value: redis, effect: NoSchedule}]
  nodeSelector: {disk: ssd}
  topologySpreadConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway}]
  podLabels: {team: shop}
  podAnnotations: {example.com/scrape: "true"}
  serviceAnnotations: {example.com/lb: internal}
  securityContext: {runAsUser: 999, fsGroup: 999}
  containerSecurityContext: {readOnlyRootFilesystem: true}
  priorityClassName: high
  terminationGracePeriod: 60
  imagePullSecrets: [{name: pull}]
  serviceAccountName: redis
sentinel:
  replicas: 5
  quorum: 3
  downAfterMilliseconds: 2000
  failoverTimeout: 20000
  parallelSyncs: 2
  masterName: shop-cache
  image: example.com/sentinel:1
  imagePullPolicy: Always
  resources: {requests: {cpu: 50m, memory: 32Mi}}
  customConfig: ["master-reboot-down-after-period 60000"]
  tolerations: [{operator: Exists}]
  podLabels: {team: shop}
auth: {secretPath: cache-auth, secretKey: pw}
`)
	if err := k8s.Create(ctx, u, client.FieldValidation("Strict")); err != nil {
		t.Fatalf("full spec refused: %v", err)
	}
	got := &redisv1alpha1.RedisFailover{}
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(u), got); err != nil {
		t.Fatal(err)
	}
	r, s := got.Spec.Redis, got.Spec.Sentinel
	if r.Port != 7000 || *r.TerminationGracePeriodSeconds != 60 || !r.Storage.KeepAfterDeletion ||
		r.Storage.PersistentVolumeClaim == nil || r.Exporter.Image != "exporter:1" || len(r.CustomConfig) != 3 ||
		r.Tolerations[0].Value != "redis" || r.SecurityContext.FSGroup == nil {
		t.Errorf("redis fields not kept: %+v", r)
	}
	if *s.Quorum != 3 || s.MasterName != "shop-cache" || s.Tolerations[0].Operator != corev1.TolerationOpExists {
		t.Errorf("sentinel fields not kept: %+v", s)
	}
	if got.Spec.Auth.Key() != "pw" {
		t.Errorf("auth = %+v", got.Spec.Auth)
	}
}
