package render

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestSentinelMetricsPortOnlyWhenEnabled(t *testing.T) {
	for _, enabled := range []bool{false, true} {
		set, err := Objects(newRF(), Options{SentinelImage: testSentinelImage, SentinelMetrics: enabled})
		if err != nil {
			t.Fatal(err)
		}
		s := container(t, set.SentinelDeployment.Spec.Template.Spec.Containers, ContainerSentinel)
		var port *corev1.ContainerPort
		for i := range s.Ports {
			if s.Ports[i].Name == PortNameMetrics {
				port = &s.Ports[i]
			}
		}
		cmd := strings.Join(s.Command, " ")
		hasFlag := strings.Contains(cmd, "--metrics-addr :9355")
		if !enabled {
			if port != nil || hasFlag {
				t.Errorf("metrics off: port %v, command %q", port, cmd)
			}
			continue
		}
		if port == nil || port.ContainerPort != SentinelMetricsPort || !hasFlag {
			t.Errorf("metrics on: port %v, command %q, want port %s %d and --metrics-addr :%d",
				port, cmd, PortNameMetrics, SentinelMetricsPort, SentinelMetricsPort)
		}
	}
}
