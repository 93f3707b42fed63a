package framework

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/streaming/pkg/httpstream"
)

// ExecResult is what a command run in a container printed.
type ExecResult struct {
	Stdout string
	Stderr string
}

// Exec runs cmd in a container of a pod (container "" = the pod's only or first container) and
// returns its output. A command that exits non-zero returns an error carrying its stderr.
func (f *Framework) Exec(ctx context.Context, namespace, pod, container string, cmd ...string) (ExecResult, error) {
	req := f.Clientset.CoreV1().RESTClient().Post().
		Resource("pods").Namespace(namespace).Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: container,
			Command:   cmd,
			Stdout:    true,
			Stderr:    true,
		}, scheme.ParameterCodec)

	// WebSocket is the current protocol; SPDY stays as the fallback the API server still serves.
	wsExec, err := remotecommand.NewWebSocketExecutor(f.RESTConfig, "GET", req.URL().String())
	if err != nil {
		return ExecResult{}, fmt.Errorf("creating websocket executor for %s/%s: %w", namespace, pod, err)
	}
	spdyExec, err := remotecommand.NewSPDYExecutor(f.RESTConfig, "POST", req.URL())
	if err != nil {
		return ExecResult{}, fmt.Errorf("creating SPDY executor for %s/%s: %w", namespace, pod, err)
	}
	// Fall back only when the upgrade itself was refused, as kubectl does: retrying after a
	// started stream would run the command twice.
	exec, err := remotecommand.NewFallbackExecutor(wsExec, spdyExec, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		return ExecResult{}, fmt.Errorf("creating executor for %s/%s: %w", namespace, pod, err)
	}

	var stdout, stderr bytes.Buffer
	err = exec.StreamWithContext(ctx, remotecommand.StreamOptions{Stdout: &stdout, Stderr: &stderr})
	res := ExecResult{Stdout: stdout.String(), Stderr: stderr.String()}
	if err != nil {
		return res, fmt.Errorf("exec %q in %s/%s: %w (stderr: %s)", strings.Join(cmd, " "), namespace, pod, err, strings.TrimSpace(res.Stderr))
	}
	return res, nil
}
