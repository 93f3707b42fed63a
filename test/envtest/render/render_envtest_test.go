//go:build envtest

// Package render_test applies what internal/render produces to a real kube-apiserver (envtest),
// so that the API server's own validation of StatefulSets, Deployments, Services, PDBs and
// ConfigMaps checks the rendered objects, and the RedisFailover they come from is the one the API
// server defaulted, not one built in code.
package render_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/envtestenv"
	"github.com/failover-dev/redis-failover-operator/internal/render"
)

var k8s client.Client

func TestMain(m *testing.M) {
	envtestenv.Main(m, func(env *envtestenv.Env) (func() error, error) {
		k8s = env.Client
		return nil, nil
	})
}

func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "rf-render-"}}
	if err := k8s.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

// Specs from minimal to every field, as users write them.
var specs = map[string]string{
	"minimal": "",
	"auth and pvc": `
auth: {secretPath: cache-auth}
redis:
  storage:
    keepAfterDeletion: true
    persistentVolumeClaim:
      metadata: {name: redisdata}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`,
	"everything": `
auth: {secretPath: cache-auth, secretKey: pw}
redis:
  replicas: 5
  port: 7000
  image: redis:7.2-alpine
  imagePullPolicy: IfNotPresent
  resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}
  customConfig: ["maxmemory 100mb", "save 900 1 300 10", "client-output-buffer-limit 'pubsub 32mb 8mb 60'"]
  replBacklogSize: 64Mi
  minReplicasToWrite: 1
  storage: {emptyDir: {medium: Memory, sizeLimit: 1Gi}}
  exporter: {enabled: true, args: [--include-system-metrics], env: [{name: REDIS_EXPORTER_LOG_FORMAT, value: json}], resources: {limits: {memory: 64Mi}}}
  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: disk, operator: In, values: [ssd]}]}]}}}
  tolerations: [{key: dedicated, operator: Equal, value: redis, effect: NoSchedule}]
  nodeSelector: {disk: ssd}
  topologySpreadConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app.kubernetes.io/instance: full}}}]
  podLabels: {team: shop}
  podAnnotations: {example.com/scrape: "true"}
  serviceAnnotations: {example.com/lb: internal}
  securityContext: {runAsUser: 999, runAsNonRoot: true, fsGroup: 999}
  containerSecurityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}
  priorityClassName: high
  terminationGracePeriod: 60
  imagePullSecrets: [{name: pull}]
  serviceAccountName: redis
sentinel:
  replicas: 5
  quorum: 3
  masterName: shop-cache
  customConfig: ["master-reboot-down-after-period 60000"]
  resources: {requests: {cpu: 50m, memory: 32Mi}}
  tolerations: [{operator: Exists}]
  podLabels: {team: shop}
  terminationGracePeriod: 10
`,
}

func TestRenderedObjectsAreAcceptedByTheAPIServer(t *testing.T) {
	ctx := context.Background()
	for name, specYAML := range specs {
		t.Run(name, func(t *testing.T) {
			ns := newNamespace(t)
			spec := map[string]any{}
			if err := yaml.Unmarshal([]byte(specYAML), &spec); err != nil {
				t.Fatal(err)
			}
			u := &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": redisv1alpha1.GroupVersion.String(), "kind": "RedisFailover",
				"metadata": map[string]any{"name": "full", "namespace": ns},
				"spec":     spec,
			}}
			if err := k8s.Create(ctx, u, client.FieldValidation("Strict")); err != nil {
				t.Fatalf("creating the RedisFailover: %v", err)
			}
			// Render what the API server stored, defaults and all.
			rf := &redisv1alpha1.RedisFailover{}
			if err := k8s.Get(ctx, client.ObjectKeyFromObject(u), rf); err != nil {
				t.Fatal(err)
			}
			set, err := render.Objects(rf, render.Options{SentinelImage: "localhost/redis-failover-operator:test"})
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			for _, obj := range set.All() {
				if err := k8s.Create(ctx, obj, client.FieldValidation("Strict")); err != nil {
					t.Errorf("the API server refused %T %s: %v", obj, obj.GetName(), err)
				}
			}

			// What was stored is what was rendered where it matters.
			sts := &appsv1.StatefulSet{}
			if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: render.RedisName(rf)}, sts); err != nil {
				t.Fatal(err)
			}
			if *sts.Spec.Replicas != rf.Spec.Redis.Replicas || sts.Spec.UpdateStrategy.Type != appsv1.OnDeleteStatefulSetStrategyType {
				t.Errorf("stored StatefulSet: replicas %d strategy %s", *sts.Spec.Replicas, sts.Spec.UpdateStrategy.Type)
			}
			wantRetention := appsv1.DeletePersistentVolumeClaimRetentionPolicyType
			if rf.Spec.Redis.Storage.KeepAfterDeletion {
				wantRetention = appsv1.RetainPersistentVolumeClaimRetentionPolicyType
			}
			if p := sts.Spec.PersistentVolumeClaimRetentionPolicy; p == nil || p.WhenDeleted != wantRetention {
				t.Errorf("stored PVC retention policy = %+v, want whenDeleted %s", p, wantRetention)
			}
			cm := &corev1.ConfigMap{}
			if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: render.RedisName(rf)}, cm); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(cm.Data["redis.conf"], fmt.Sprintf("\nport %d\n", rf.Spec.Redis.Port)) {
				t.Errorf("stored redis.conf:\n%s", cm.Data["redis.conf"])
			}
		})
	}
}
