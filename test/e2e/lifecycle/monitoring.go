package lifecycle

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// monitoringKinds are the Prometheus Operator kinds the chart can render.
var monitoringKinds = []string{"servicemonitors", "podmonitors", "prometheusrules"}

// monitoringCRDs generates the CRDs of the Prometheus Operator kinds the chart renders, with
// controller-gen (the generator the Prometheus Operator itself uses) from its API module at
// PROMETHEUS_OPERATOR_APIS_VERSION, which the Go module proxy serves: so the chart's
// ServiceMonitor, PodMonitor and PrometheusRule meet the real schemas, with no copy of them
// kept in this repository. It returns a directory holding those three CRDs only.
func monitoringCRDs(t *testing.T, sh shell) string {
	t.Helper()
	module := "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring@" + framework.Setting(t, "PROMETHEUS_OPERATOR_APIS_VERSION")
	out, err := exec.CommandContext(t.Context(), "go", "mod", "download", "-json", module).Output()
	if err != nil {
		t.Fatalf("go mod download %s: %v\n%s", module, err, out)
	}
	var dl struct{ Dir, Error string }
	if err := json.Unmarshal(out, &dl); err != nil || dl.Dir == "" {
		t.Fatalf("go mod download %s: %v %s", module, err, dl.Error)
	}
	all := t.TempDir()
	gen := exec.CommandContext(t.Context(), filepath.Join(sh.root, "bin", "controller-gen"),
		"crd:crdVersions=v1", "paths=./v1/...", "output:crd:dir="+all)
	gen.Dir = dl.Dir
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("controller-gen on %s: %v\n%s", module, err, out)
	}
	dir := t.TempDir()
	for _, kind := range monitoringKinds {
		name := "monitoring.coreos.com_" + kind + ".yaml"
		data, err := os.ReadFile(filepath.Join(all, name))
		if err != nil {
			t.Fatalf("controller-gen made no %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
