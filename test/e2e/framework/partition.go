package framework

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// PartitionPod cuts a pod off from every other pod and Service of the cluster, the way a network
// partition between machines looks to it, while the node itself (this test process, the
// kubelet's probes) still reaches it: iptables rules inside the pod's network namespace on the
// node, entered through the PID of one of its containers. It returns when the partition took
// effect (just before its first blocking rule, so that what happened before it really happened
// before the partition) and the function that heals it by removing the rules.
func PartitionPod(ctx context.Context, ctrAddress string, pod *corev1.Pod, container string) (cut time.Time, heal func(context.Context) error, err error) {
	pid, err := containerPID(ctx, ctrAddress, pod, container)
	if err != nil {
		return cut, nil, err
	}
	node, err := nodeAddressTowards(ctx, pod.Status.PodIP)
	if err != nil {
		return cut, nil, err
	}
	// A chain of our own, so that healing removes exactly what was added.
	const chain = "E2E-PARTITION"
	script := []string{
		"-N " + chain,
		"-A " + chain + " -s " + node + " -j RETURN",
		"-A " + chain + " -d " + node + " -j RETURN",
		"-A " + chain + " -i lo -j RETURN",
		"-A " + chain + " -o lo -j RETURN",
		"-A " + chain + " -j DROP",
		"-I INPUT 1 -j " + chain,
		"-I OUTPUT 1 -j " + chain,
	}
	for _, rule := range script {
		if strings.HasPrefix(rule, "-I INPUT") {
			cut = time.Now()
		}
		if err := iptablesIn(ctx, pid, rule); err != nil {
			return cut, nil, fmt.Errorf("partitioning pod %s: %w", pod.Name, err)
		}
	}
	return cut, func(ctx context.Context) error {
		for _, rule := range []string{"-D INPUT -j " + chain, "-D OUTPUT -j " + chain, "-F " + chain, "-X " + chain} {
			if err := iptablesIn(ctx, pid, rule); err != nil {
				return fmt.Errorf("healing the partition of pod %s: %w", pod.Name, err)
			}
		}
		return nil
	}, nil
}

func iptablesIn(ctx context.Context, pid int, rule string) error {
	args := append([]string{"-t", fmt.Sprint(pid), "-n", "iptables", "-w"}, strings.Fields(rule)...)
	out, err := exec.CommandContext(ctx, "nsenter", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("nsenter %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// nodeAddressTowards is the node's own address on its route to ip (the pod bridge's address).
func nodeAddressTowards(ctx context.Context, ip string) (string, error) {
	out, err := exec.CommandContext(ctx, "ip", "-o", "route", "get", ip).Output()
	if err != nil {
		return "", fmt.Errorf("ip route get %s: %w", ip, err)
	}
	f := strings.Fields(string(out))
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "src" {
			return f[i+1], nil
		}
	}
	return "", fmt.Errorf("ip route get %s names no source address: %s", ip, out)
}

// containerPID is the node PID of a pod's running container (ctr task ls).
func containerPID(ctx context.Context, ctrAddress string, pod *corev1.Pod, container string) (int, error) {
	id := ""
	for _, s := range pod.Status.ContainerStatuses {
		if s.Name == container && s.State.Running != nil {
			id = strings.TrimPrefix(s.ContainerID, "containerd://")
		}
	}
	if id == "" {
		return 0, fmt.Errorf("pod %s has no running %s container", pod.Name, container)
	}
	out, err := exec.CommandContext(ctx, "ctr", "--address", ctrAddress, "--namespace", "k8s.io", "task", "ls").Output()
	if err != nil {
		return 0, fmt.Errorf("ctr task ls: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == id {
			var pid int
			if _, err := fmt.Sscan(f[1], &pid); err != nil || pid <= 0 {
				return 0, fmt.Errorf("ctr task ls: bad PID %q for %s", f[1], id)
			}
			return pid, nil
		}
	}
	return 0, fmt.Errorf("ctr task ls lists no task %s (pod %s, container %s)", id, pod.Name, container)
}
