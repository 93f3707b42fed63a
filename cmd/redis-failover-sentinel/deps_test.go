package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The sentinel's idle RSS must stay within stock redis-sentinel's, and Go runs the init of,
// and maps the code of, every linked package: so the binary links neither Kubernetes nor
// net/http, the Prometheus client library or protobuf (its metrics are written by
// internal/promtext).
func TestLinksNoHeavyPackages(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, heavy := range []string{"k8s.io/", "sigs.k8s.io/", "net/http", "github.com/prometheus/", "google.golang.org/protobuf/"} {
			if strings.HasPrefix(pkg, heavy) {
				t.Errorf("redis-failover-sentinel links %s", pkg)
			}
		}
	}
}
