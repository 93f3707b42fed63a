package docs

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// TestQuickstartManifestDecodes checks, without a cluster, that the RedisFailover the quick start
// applies decodes strictly into the API types and names the Secret the quick start creates.
func TestQuickstartManifestDecodes(t *testing.T) {
	blocks, err := Blocks("../../docs/quickstart.md", "sh", "quickstart")
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) < 4 {
		t.Fatalf("%d quickstart blocks, want install, create, wait, connect and clean-up steps", len(blocks))
	}
	var manifest string
	for _, b := range blocks {
		if _, rest, ok := strings.Cut(b.Body, "apply -f - <<'EOF'\n"); ok {
			manifest, _, ok = strings.Cut(rest, "\nEOF\n")
			if !ok {
				t.Fatalf("docs/quickstart.md:%d: heredoc not closed by EOF", b.Line)
			}
		}
	}
	if manifest == "" {
		t.Fatal("no `kubectl apply -f - <<'EOF'` manifest in the quick start")
	}
	var rf redisv1alpha1.RedisFailover
	if err := yaml.UnmarshalStrict([]byte(manifest), &rf); err != nil {
		t.Fatalf("quick start manifest: %v", err)
	}
	if rf.Kind != "RedisFailover" || rf.APIVersion != redisv1alpha1.GroupVersion.String() {
		t.Errorf("kind %q apiVersion %q", rf.Kind, rf.APIVersion)
	}
	all := ""
	for _, b := range blocks {
		all += b.Body
	}
	if !strings.Contains(all, "create secret generic "+rf.Spec.Auth.SecretPath+" ") {
		t.Errorf("the quick start does not create the Secret %q that spec.auth.secretPath names", rf.Spec.Auth.SecretPath)
	}
}
