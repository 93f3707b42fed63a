package v1alpha1_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// The default Redis image is the one the local cluster serves without a registry.
func TestDefaultRedisImageMatchesVersionsEnv(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "hack", "versions.env"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "REDIS_IMAGE="); ok {
			if v != redisv1alpha1.DefaultRedisImage {
				t.Errorf("DefaultRedisImage = %q, hack/versions.env REDIS_IMAGE = %q: keep them equal (and the +kubebuilder:default on spec.redis.image)", redisv1alpha1.DefaultRedisImage, v)
			}
			return
		}
	}
	t.Fatal("REDIS_IMAGE not found in hack/versions.env")
}

func TestEffectiveQuorum(t *testing.T) {
	for _, c := range []struct {
		replicas int32
		quorum   *int32
		want     int32
	}{
		{1, nil, 1}, {2, nil, 2}, {3, nil, 2}, {4, nil, 3}, {5, nil, 3}, {15, nil, 8},
		{5, ptr.To[int32](2), 2}, {3, ptr.To[int32](3), 3},
	} {
		s := redisv1alpha1.SentinelSettings{Replicas: c.replicas, Quorum: c.quorum}
		if got := s.EffectiveQuorum(); got != c.want {
			t.Errorf("replicas %d quorum %v: EffectiveQuorum = %d, want %d", c.replicas, c.quorum, got, c.want)
		}
	}
}

func TestMasterNameIsTheSpecTheStoredOneOrNamespaced(t *testing.T) {
	for _, c := range []struct {
		name, masterName, stored, want string
	}{
		{"cache", "", "", "ns.cache"},
		{"cache", "mymaster", "", "mymaster"},
		{"cache", "cache", "", "cache"},
		// Created before the namespaced default: status keeps the name in force.
		{"cache", "", "cache", "cache"},
		{"cache", "", "ns.cache", "ns.cache"},
	} {
		rf := &redisv1alpha1.RedisFailover{ObjectMeta: metav1.ObjectMeta{Name: c.name, Namespace: "ns"}}
		rf.Spec.Sentinel.MasterName = c.masterName
		rf.Status.MasterName = c.stored
		if got := rf.MasterName(); got != c.want {
			t.Errorf("name %q masterName %q: MasterName() = %q, want %q", c.name, c.masterName, got, c.want)
		}
		// Defaulting must not fill the field in: unset has to stay distinguishable from a name
		// spelled out, and the effective name must not change through WithDefaults.
		d := rf.WithDefaults()
		if d.Spec.Sentinel.MasterName != c.masterName || d.MasterName() != c.want {
			t.Errorf("name %q masterName %q: WithDefaults gives masterName %q, MasterName() %q", c.name, c.masterName, d.Spec.Sentinel.MasterName, d.MasterName())
		}
	}
}

func TestAuthKeyDefault(t *testing.T) {
	if got := (redisv1alpha1.AuthSettings{SecretPath: "s"}).Key(); got != "password" {
		t.Errorf("Key() = %q, want spotahome's password", got)
	}
	if (redisv1alpha1.AuthSettings{}).Enabled() {
		t.Error("empty auth is enabled")
	}
}

func TestMinReplicasToWriteIsOneFromThreeNodesUnlessSet(t *testing.T) {
	for _, c := range []struct {
		replicas int32
		set      *int32
		want     int32
	}{
		{1, nil, 0}, {2, nil, 0}, {3, nil, 1}, {5, nil, 1},
		{3, ptr.To[int32](0), 0}, {5, ptr.To[int32](2), 2}, {2, ptr.To[int32](1), 1},
	} {
		r := redisv1alpha1.RedisSettings{Replicas: c.replicas, MinReplicasToWrite: c.set}
		if got := r.EffectiveMinReplicasToWrite(); got != c.want {
			t.Errorf("replicas %d, minReplicasToWrite %v: effective %d, want %d", c.replicas, c.set, got, c.want)
		}
	}
}
