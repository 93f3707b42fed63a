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

// Condition types on status.conditions. Ready summarises; the others say what is wrong.
const (
	// ConditionReady is True when there is exactly one master, every replica follows it with its
	// link up, and a quorum of sentinels agrees on it.
	ConditionReady = "Ready"
	// ConditionMasterAvailable is True when exactly one writable master exists.
	ConditionMasterAvailable = "MasterAvailable"
	// ConditionReplicasInSync is True when every replica follows the master with its link up.
	ConditionReplicasInSync = "ReplicasInSync"
	// ConditionSentinelsAgree is True when at least a quorum of sentinels names the master.
	ConditionSentinelsAgree = "SentinelsAgree"
	// ConditionSwitchover reports the last requested switchover: Unknown while it runs, True
	// when it succeeded, False when it was rejected or failed (the message says why and what
	// to fix). Absent until a switchover is requested. It does not affect Ready.
	ConditionSwitchover = "Switchover"
	// ConditionIgnoredFields is True when the spec sets fields that are accepted for
	// compatibility with spotahome's RedisFailover but have no effect (spec.sentinel.image of a
	// Redis image, spec.sentinel.command, the sentinel exporter's sidecar settings); the message
	// lists them. It does not affect Ready.
	ConditionIgnoredFields = "IgnoredFields"
	// ConditionPodsRunning is False when a Redis or sentinel pod does not run, with the cause in
	// the pods' own words: the kubelet's reason as the condition's (ImagePullBackOff,
	// CrashLoopBackOff with the container's last lines, Unschedulable with the scheduler's
	// message, ...), or RolloutHalted when the pod of a new template is the one in trouble. While
	// it is False, Ready carries the same reason and message.
	ConditionPodsRunning = "PodsRunning"
)

// The reasons of these conditions are in reasons.go, with every Event reason.
