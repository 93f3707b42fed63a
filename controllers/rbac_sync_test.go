package controllers_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// The Helm chart cannot read config/rbac (outside the chart), so it carries a copy of the
// generated rules. A marker change without the copy would leave chart users with an operator
// that is forbidden what it needs.
func TestChartRBACMatchesGeneratedRole(t *testing.T) {
	var generated rbacv1.ClusterRole
	readYAML(t, filepath.Join("..", "config", "rbac", "role.yaml"), &generated)
	var chart []rbacv1.PolicyRule
	readYAML(t, filepath.Join("..", "charts", "redis-failover-operator", "files", "operator-rules.yaml"), &chart)
	if diff := cmp.Diff(generated.Rules, chart); diff != "" {
		t.Errorf("charts/redis-failover-operator/files/operator-rules.yaml differs from config/rbac/role.yaml (-generated +chart); copy the rules over:\n%s", diff)
	}
}

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
}
