package framework

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// ContainerdAddressEnv names the environment variable with the local cluster's containerd
// socket; `make test-e2e` sets it.
const ContainerdAddressEnv = "E2E_CONTAINERD_ADDRESS"

// ContainerdAddress is the containerd socket of the local cluster's node, from the environment.
func ContainerdAddress() (string, error) {
	a := os.Getenv(ContainerdAddressEnv)
	if a == "" {
		return "", fmt.Errorf("%s is not set: run through make test-e2e (it points it at the local cluster's containerd socket)", ContainerdAddressEnv)
	}
	return a, nil
}

// KillContainer sends SIGKILL to the main process of a pod's container through containerd on
// the node, the way the kernel's OOM killer or a crash ends it: from outside the container
// (PID 1 of a container ignores a SIGKILL sent from inside it) and with no shutdown of its
// own (redis-server's SHUTDOWN, even NOSAVE, first waits for lagging replicas).
func KillContainer(ctx context.Context, ctrAddress string, pod *corev1.Pod, container string) error {
	return SignalContainer(ctx, ctrAddress, pod, container, "SIGKILL")
}

// SignalContainer sends signal (SIGKILL, SIGSTOP, SIGCONT) to the main process of a pod's
// container through containerd on the node. SIGSTOP freezes a process the way a stalled disk
// or a paused VM does: its sockets stay open and nothing answers.
func SignalContainer(ctx context.Context, ctrAddress string, pod *corev1.Pod, container, signal string) error {
	id := ""
	for _, s := range pod.Status.ContainerStatuses {
		if s.Name == container && s.State.Running != nil {
			id = strings.TrimPrefix(s.ContainerID, "containerd://")
		}
	}
	if id == "" {
		return fmt.Errorf("pod %s has no running %s container", pod.Name, container)
	}
	out, err := exec.CommandContext(ctx, "ctr", "--address", ctrAddress, "--namespace", "k8s.io",
		"task", "kill", "--signal", signal, id).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ctr task kill --signal %s %s (pod %s, container %s): %w: %s", signal, id, pod.Name, container, err, out)
	}
	return nil
}

// ContainerRestarts is the restart count of a pod's container.
func ContainerRestarts(p *corev1.Pod, container string) int32 {
	for _, s := range p.Status.ContainerStatuses {
		if s.Name == container {
			return s.RestartCount
		}
	}
	return 0
}
