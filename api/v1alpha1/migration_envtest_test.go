//go:build envtest

package v1alpha1_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// The promise to spotahome users: fields that mean the same keep their name and shape, so a
// manifest migrates by changing apiVersion. Strict field validation makes any field this API
// lacks an error, so acceptance here means every field was understood.
func TestSpotahomeManifestMigratesByChangingAPIVersion(t *testing.T) {
	ctx := context.Background()
	data, err := os.ReadFile(filepath.Join("testdata", "spotahome-v1.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(data, &u.Object); err != nil {
		t.Fatal(err)
	}
	if u.GetAPIVersion() != "databases.spotahome.com/v1" {
		t.Fatalf("fixture apiVersion = %s", u.GetAPIVersion())
	}
	u.SetAPIVersion(redisv1alpha1.GroupVersion.String())
	u.SetNamespace(newNamespace(t))
	if err := k8s.Create(ctx, u, client.FieldValidation("Strict")); err != nil {
		t.Fatalf("the spotahome manifest with only apiVersion changed was refused: %v", err)
	}

	got := &redisv1alpha1.RedisFailover{}
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(u), got); err != nil {
		t.Fatal(err)
	}
	r, s := got.Spec.Redis, got.Spec.Sentinel
	checks := map[string]bool{
		"auth.secretPath":                         got.Spec.Auth.SecretPath == "legacy-auth" && got.Spec.Auth.Key() == "password",
		"redis.image":                             r.Image == "redis:6.2.6-alpine",
		"redis.customConfig":                      len(r.CustomConfig) == 4 && r.CustomConfig[1] == "hz 50",
		"redis.storage.keepAfterDeletion":         r.Storage.KeepAfterDeletion,
		"redis.storage.persistentVolumeClaim":     r.Storage.PersistentVolumeClaim != nil && r.Storage.PersistentVolumeClaim.Name == "legacy-data",
		"redis.exporter":                          r.Exporter.Enabled && r.Exporter.Image == "oliver006/redis_exporter:v1.43.0" && len(r.Exporter.Args) == 2 && len(r.Exporter.Env) == 1,
		"redis.affinity":                          r.Affinity != nil && r.Affinity.PodAntiAffinity != nil,
		"redis.securityContext":                   r.SecurityContext != nil && *r.SecurityContext.RunAsUser == 1000,
		"redis.containerSecurityContext":          r.ContainerSecurityContext != nil && *r.ContainerSecurityContext.ReadOnlyRootFilesystem,
		"redis.tolerations":                       len(r.Tolerations) == 1,
		"redis.nodeSelector":                      r.NodeSelector["kubernetes.io/os"] == "linux",
		"redis.topologySpreadConstraints":         len(r.TopologySpreadConstraints) == 1,
		"redis.podAnnotations":                    r.PodAnnotations["prometheus.io/scrape"] == "true",
		"redis.serviceAnnotations":                r.ServiceAnnotations["service.example.com/internal"] == "true",
		"redis.priorityClassName":                 r.PriorityClassName == "redis-critical",
		"redis.terminationGracePeriod":            r.TerminationGracePeriodSeconds != nil && *r.TerminationGracePeriodSeconds == 30,
		"redis.imagePullSecrets":                  len(r.ImagePullSecrets) == 1,
		"redis.serviceAccountName":                r.ServiceAccountName == "redis",
		"sentinel.replicas":                       s.Replicas == 3,
		"sentinel.resources":                      !s.Resources.Limits.Memory().IsZero(),
		"sentinel.affinity":                       s.Affinity != nil,
		"sentinel.tolerations and nodeSelector":   len(s.Tolerations) == 1 && s.NodeSelector["kubernetes.io/os"] == "linux",
		"sentinel.serviceAccountName":             s.ServiceAccountName == "sentinel",
		"sentinel master name is namespaced":      s.MasterName == "" && got.MasterName() == got.Namespace+"."+got.Name,
		"sentinel timings default to typed field": s.EffectiveDownAfterMilliseconds() == 3000 && s.EffectiveFailoverTimeout() == 10000,
	}
	for field, ok := range checks {
		if !ok {
			t.Errorf("%s did not keep its spotahome meaning: %+v", field, got.Spec)
		}
	}

	// Clients that ask for spotahome's fixed "mymaster" keep working when the manifest spells it
	// out (the default is now "<namespace>.<name>").
	keep := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(data, &keep.Object); err != nil {
		t.Fatal(err)
	}
	keep.SetAPIVersion(redisv1alpha1.GroupVersion.String())
	keep.SetNamespace(u.GetNamespace())
	keep.SetName("legacy-mymaster")
	if err := unstructured.SetNestedField(keep.Object, "mymaster", "spec", "sentinel", "masterName"); err != nil {
		t.Fatal(err)
	}
	if err := k8s.Create(ctx, keep, client.FieldValidation("Strict")); err != nil {
		t.Fatalf("the spotahome manifest with masterName: mymaster was refused: %v", err)
	}
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(keep), got); err != nil {
		t.Fatal(err)
	}
	if got.MasterName() != "mymaster" {
		t.Errorf("masterName: mymaster gives master name %q", got.MasterName())
	}
}
