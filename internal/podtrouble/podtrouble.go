// Package podtrouble says, from a pod's own status, why it does not run: an image that cannot
// be pulled, a container that keeps crashing (with the last lines it wrote, which
// terminationMessagePolicy FallbackToLogsOnError puts in its termination message), a pod the
// scheduler cannot place, a claim that is not bound. "0 of 3 Redis nodes answer" tells a user
// nothing they can fix; Redis's own "FATAL CONFIG FILE ERROR" line does.
package podtrouble

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Trouble is why one pod does not run, in the words of the kubelet, the scheduler or the
// container itself.
type Trouble struct {
	Pod string
	// Container is the container concerned ("" for the pod as a whole, e.g. unschedulable).
	Container string
	// Reason is the kubelet's or scheduler's reason (ImagePullBackOff, CrashLoopBackOff,
	// Unschedulable, ...), usable as a condition reason.
	Reason string
	// Message is what it said, with a crashed container's last lines.
	Message string
}

func (t Trouble) String() string {
	where := t.Pod
	if t.Container != "" {
		where += " (container " + t.Container + ")"
	}
	if t.Message == "" {
		return where + ": " + t.Reason
	}
	return where + ": " + t.Reason + ": " + t.Message
}

// waitingTroubles are the waiting reasons that mean the container will not start by itself.
var waitingTroubles = map[string]bool{
	"ErrImagePull": true, "ImagePullBackOff": true, "InvalidImageName": true, "ErrImageNeverPull": true,
	"CreateContainerConfigError": true, "CreateContainerError": true, "RunContainerError": true,
	"CrashLoopBackOff": true,
}

// maxLines and maxMessage bound a crashed container's lines in a condition message.
const (
	maxLines   = 4
	maxMessage = 600
)

// Explain finds why p does not run, if it is in trouble: the scheduler's verdict first, then
// the init containers in order, then the containers. A pod that is merely starting is not.
func Explain(p *corev1.Pod) (Trouble, bool) {
	if p.DeletionTimestamp != nil {
		return Trouble{}, false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return Trouble{Pod: p.Name, Reason: c.Reason, Message: c.Message}, true
		}
	}
	for _, statuses := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for _, s := range statuses {
			if t, ok := explainContainer(p.Name, s); ok {
				return t, true
			}
		}
	}
	return Trouble{}, false
}

func explainContainer(pod string, s corev1.ContainerStatus) (Trouble, bool) {
	if term := s.State.Terminated; term != nil && term.ExitCode != 0 && s.RestartCount > 0 {
		// Between a crash and the back-off: the same crash loop, told the same way, so that
		// the condition does not flap between two messages.
		return Trouble{Pod: pod, Container: s.Name, Reason: "CrashLoopBackOff", Message: crashed(term)}, true
	}
	w := s.State.Waiting
	if w == nil || !waitingTroubles[w.Reason] {
		return Trouble{}, false
	}
	t := Trouble{Pod: pod, Container: s.Name, Reason: w.Reason, Message: w.Message}
	if last := s.LastTerminationState.Terminated; last != nil && w.Reason == "CrashLoopBackOff" {
		// The kubelet's message is only "back-off 40s restarting failed container"; the
		// container's own last words say why.
		t.Message = crashed(last)
	}
	return t, true
}

// crashed describes a container's last exit: the code, the kernel's or runtime's reason
// (OOMKilled) and its last lines. No restart count: the message is the same from one crash to
// the next, so that the condition and its Event do not change with every restart.
func crashed(term *corev1.ContainerStateTerminated) string {
	msg := fmt.Sprintf("exit code %d", term.ExitCode)
	if term.Reason != "" && term.Reason != "Error" {
		msg += " (" + term.Reason + ")"
	}
	if lines := lastLines(term.Message); lines != "" {
		msg += ": " + lines
	}
	return msg
}

// lastLines is the last few non-empty lines of a container's termination message, joined: four,
// redis-server's whole FATAL CONFIG FILE ERROR block.
func lastLines(msg string) string {
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > maxLines {
		lines = lines[len(lines)-maxLines:]
	}
	out := strings.Join(lines, " | ")
	if len(out) > maxMessage {
		out = "..." + out[len(out)-maxMessage:]
	}
	return out
}

// Summary lists the troubles for a condition message, the first ones in full.
func Summary(troubles []Trouble) string {
	const shown = 3
	var parts []string
	for i, t := range troubles {
		if i == shown {
			parts = append(parts, fmt.Sprintf("and %d more", len(troubles)-shown))
			break
		}
		parts = append(parts, t.String())
	}
	return strings.Join(parts, "; ")
}
