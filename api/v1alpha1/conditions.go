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
)

// Switchover condition reasons.
const (
	ReasonSwitchoverInProgress = "SwitchoverInProgress"
	ReasonSwitchoverSucceeded  = "SwitchoverSucceeded"
	ReasonSwitchoverFailed     = "SwitchoverFailed"
	ReasonSwitchoverRejected   = "SwitchoverRejected"
)

// Condition reasons.
const (
	// ReasonReady: everything is in place.
	ReasonReady = "Ready"
	// ReasonReconciling: objects are being created or rolled out.
	ReasonReconciling = "Reconciling"
	// ReasonMasterFound: exactly one master.
	ReasonMasterFound = "MasterFound"
	// ReasonNoMaster: no node is a writable master.
	ReasonNoMaster = "NoMaster"
	// ReasonMultipleMasters: more than one node accepts writes (split brain, being healed).
	ReasonMultipleMasters = "MultipleMasters"
	// ReasonReplicasInSync: every replica follows the master.
	ReasonReplicasInSync = "ReplicasInSync"
	// ReasonReplicasNotInSync: a replica is missing, follows another node or has its link down.
	ReasonReplicasNotInSync = "ReplicasNotInSync"
	// ReasonSentinelsAgree: a quorum of sentinels names the master.
	ReasonSentinelsAgree = "SentinelsAgree"
	// ReasonSentinelsDisagree: sentinels name different masters.
	ReasonSentinelsDisagree = "SentinelsDisagree"
	// ReasonQuorumUnreachable: fewer sentinels are reachable than the quorum, so no failover can start.
	ReasonQuorumUnreachable = "QuorumUnreachable"
	// ReasonInvalidSpec: the spec passed the schema but cannot be rendered (for example a bad
	// customConfig quoting); the message says which field.
	ReasonInvalidSpec = "InvalidSpec"
	// ReasonMasterNameConflict: an older RedisFailover in the namespace has the same master name
	// (spec.sentinel.masterName, or metadata.name when unset), so the operator creates nothing for
	// this one; the message names the other and the fix.
	ReasonMasterNameConflict = "MasterNameConflict"
)

// Failover record reasons.
const (
	// FailoverReasonFailover: the sentinels promoted a replica after the master failed.
	FailoverReasonFailover = "Failover"
	// FailoverReasonSwitchover: the operator moved the master on purpose (rollout, request).
	FailoverReasonSwitchover = "Switchover"
)
