/*
Copyright 2026 The redis-failover-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AnnotationSwitchover on a RedisFailover asks for a planned switchover: the value is
// SwitchoverToAny (the sentinels choose the replica) or the name of a replica pod of this
// RedisFailover. The operator validates the request, records it in status.switchover, removes
// the annotation and carries it out; `kubectl rf switchover NAME [--to POD]` sets it.
//
// CRD validation rules cannot read annotations (only metadata.name), so the operator validates
// the value and reports a bad one with an Event and the Switchover condition naming the fix.
const AnnotationSwitchover = "redis.failover.dev/switchover"

// SwitchoverToAny is the AnnotationSwitchover value that lets the sentinels pick the replica.
const SwitchoverToAny = "any"

// SwitchoverPhase is where a requested switchover stands.
// +kubebuilder:validation:Enum=InProgress;Succeeded;Failed;Rejected
type SwitchoverPhase string

const (
	// SwitchoverInProgress: accepted and being carried out; an operator restarted in this phase
	// resumes it from status.
	SwitchoverInProgress SwitchoverPhase = "InProgress"
	// SwitchoverSucceeded: the master moved as requested and the sentinels agree on it.
	SwitchoverSucceeded SwitchoverPhase = "Succeeded"
	// SwitchoverFailed: the switchover was attempted and did not complete; result says why.
	SwitchoverFailed SwitchoverPhase = "Failed"
	// SwitchoverRejected: the request was invalid or unsafe; nothing was done; result says why.
	SwitchoverRejected SwitchoverPhase = "Rejected"
)

// Finished reports whether the phase is final.
func (p SwitchoverPhase) Finished() bool { return p != "" && p != SwitchoverInProgress }

// SwitchoverStatus is the intent and progress of the last requested switchover. It is written
// before anything is done and read back on every reconcile, so the operator never keeps a
// switchover only in memory.
type SwitchoverStatus struct {
	// requested is the annotation value the request came from: "any" or a pod name.
	// +kubebuilder:validation:MaxLength=253
	Requested string `json:"requested"`
	// target is the pod that is to become master; empty when the sentinels choose ("any").
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Target string `json:"target,omitempty"`
	// from is the master when the switchover was accepted.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	From string `json:"from,omitempty"`
	// phase: InProgress, Succeeded, Failed or Rejected.
	Phase SwitchoverPhase `json:"phase"`
	// started is when the request was accepted (or rejected).
	// +optional
	Started *metav1.Time `json:"started,omitempty"`
	// asked is when the sentinel was last asked for the failover (SENTINEL FAILOVER).
	// +optional
	Asked *metav1.Time `json:"asked,omitempty"`
	// attempts counts the SENTINEL FAILOVER requests sent for this switchover.
	// +optional
	Attempts int32 `json:"attempts,omitempty"`
	// sentinel is the sentinel pod asked. One sentinel is asked throughout: two sentinels asked
	// at once could each start a failover of their own.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Sentinel string `json:"sentinel,omitempty"`
	// targetPriority is the target's replica-priority before the operator lowered it to make
	// the sentinels prefer the target; it is restored when the switchover ends.
	// +optional
	TargetPriority *int32 `json:"targetPriority,omitempty"`
	// finished is when the switchover reached a final phase.
	// +optional
	Finished *metav1.Time `json:"finished,omitempty"`
	// result says how it ended, or what the operator is waiting for.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Result string `json:"result,omitempty"`
}
