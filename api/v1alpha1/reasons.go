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

// Reasons, the one place for every reason a user reads: the reason of a status condition
// (`kubectl get rf -o yaml`), the reason of an Event (`kubectl events`, `kubectl describe rf`),
// and status.lastFailover.reason. They are part of the API: alerts and scripts match on them.
// Where a condition and an Event report the same thing they share one reason.

// Condition reasons (status.conditions[].reason). The Ready condition carries the reason of the
// first thing that is wrong, so each of these can be Ready's reason too.
const (
	// ReasonReady: everything is in place. Also the Event when Ready turns True.
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
	// customConfig quoting); the message says which field. Also a Warning Event.
	ReasonInvalidSpec = "InvalidSpec"
	// ReasonMasterNameConflict: an older RedisFailover in the namespace has the same master name
	// (spec.sentinel.masterName, or the default when unset), so the operator creates nothing for
	// this one; the message names the other and the fix. Also a Warning Event, once per conflict.
	ReasonMasterNameConflict = "MasterNameConflict"
	// ReasonPodsRunning: every Redis and sentinel pod runs (condition PodsRunning True).
	ReasonPodsRunning = "PodsRunning"
	// ReasonRolloutHalted: the pod restarted with a new pod template does not run, so the
	// rollout went no further: the other pods still run the previous template, untouched. The
	// message names the pod and its trouble; revert or fix the change. Also a Warning Event.
	ReasonRolloutHalted = "RolloutHalted"
	// ReasonMasterNameChanged: spec.sentinel.masterName names another name than the one in force
	// (status.masterName), which the sentinels monitor and clients ask for; nothing is applied
	// until it is set back or removed. Also a Warning Event.
	ReasonMasterNameChanged = "MasterNameChanged"
	// ReasonSecretUnreadable: spec.auth's Secret cannot be read; the pods cannot start without it
	// either. Also a Warning Event.
	ReasonSecretUnreadable = "SecretUnreadable"
	// ReasonObjectOwnedElsewhere: an object this RedisFailover would create (rfr-<name>,
	// rfs-<name>, ...) exists and another controller controls it, such as spotahome's operator
	// for its RedisFailover of the same name; nothing is applied. Also the Warning Event.
	ReasonObjectOwnedElsewhere = "ObjectOwnedElsewhere"
	// ReasonFieldsIgnored: the IgnoredFields condition is True; the message lists the fields.
	ReasonFieldsIgnored = "FieldsIgnored"
	// ReasonNoFieldsIgnored: the IgnoredFields condition is False: every field set has its effect.
	ReasonNoFieldsIgnored = "NoFieldsIgnored"
)

// Event reasons that are no condition's reason: what the operator did, or a change a user
// should hear about.
const (
	// ReasonNotReady: Ready turned False (Warning); the note is Ready's message.
	ReasonNotReady = "NotReady"
	// ReasonMasterChanged: the master moved to another pod (Warning).
	ReasonMasterChanged = "MasterChanged"
	// ReasonActionFailed: an action of the plan failed (Warning); the note says which and why.
	ReasonActionFailed = "ActionFailed"
	// ReasonPromoted: the operator promoted a node, only when no sentinel could (bootstrap).
	ReasonPromoted = "Promoted"
	// ReasonReplicaRewired: a node was pointed at the master.
	ReasonReplicaRewired = "ReplicaRewired"
	// ReasonSentinelMonitoring: a sentinel was told to monitor the master.
	ReasonSentinelMonitoring = "SentinelMonitoring"
	// ReasonSentinelRepointed: a sentinel stuck on a stale master was re-pointed (Warning).
	ReasonSentinelRepointed = "SentinelRepointed"
	// ReasonSentinelOptionsSet: drifted sentinel options were set back to the spec.
	ReasonSentinelOptionsSet = "SentinelOptionsSet"
	// ReasonFailoverRequested: the sentinels were asked to fail over a master that cannot be
	// trusted (restarted fenced) or whose pod is gone (deleted without a grace period) (Warning).
	ReasonFailoverRequested = "FailoverRequested"
	// ReasonRollingRestart: a Redis pod was deleted to restart it on the new pod template.
	ReasonRollingRestart = "RollingRestart"
	// ReasonSwitchoverRequested: a sentinel was asked for the switchover in status.switchover
	// (SENTINEL FAILOVER), requested with the annotation or by a rollout.
	ReasonSwitchoverRequested = "SwitchoverRequested"
	// ReasonConfigApplied: settings Redis applies live were set on a node with CONFIG SET,
	// without a restart; the note names each setting, its value and its spec field.
	ReasonConfigApplied = "ConfigApplied"
	// ReasonConfigRefused: a node refused a live setting (Warning); the note names the spec
	// field and Redis's reason. Retried with the reconcile's backoff, not in a loop.
	ReasonConfigRefused = "ConfigRefused"
	// ReasonSwitchoverAccepted: a switchover request passed validation and is recorded in
	// status.switchover.
	ReasonSwitchoverAccepted = "SwitchoverAccepted"
	// ReasonMasterStopsWithoutHandover: the master's pod is terminating (delete, eviction, drain)
	// and no replica can take over, so its preStop hook cannot hand over (Warning).
	ReasonMasterStopsWithoutHandover = "MasterStopsWithoutHandover"
	// ReasonNotificationFailed: a notification for spec.notifications.webhook was given up on
	// after its retries, or refused by the receiver; the message says which and why (Warning).
	ReasonNotificationFailed = "NotificationFailed"
)

// Switchover condition reasons, also the reasons of the Events that report the same outcome.
const (
	// ReasonSwitchoverInProgress: the switchover in status.switchover runs (condition Unknown).
	ReasonSwitchoverInProgress = "SwitchoverInProgress"
	// ReasonSwitchoverSucceeded: the master moved as requested.
	ReasonSwitchoverSucceeded = "SwitchoverSucceeded"
	// ReasonSwitchoverFailed: attempted and not completed; the message says why (Warning).
	ReasonSwitchoverFailed = "SwitchoverFailed"
	// ReasonSwitchoverRejected: invalid or unsafe request, or one made while another runs;
	// nothing was done; the message says why and what to fix (Warning).
	ReasonSwitchoverRejected = "SwitchoverRejected"
)

// Failover record reasons (status.lastFailover.reason).
const (
	// FailoverReasonFailover: the sentinels promoted a replica after the master failed.
	FailoverReasonFailover = "Failover"
	// FailoverReasonSwitchover: the operator moved the master on purpose (rollout, request).
	FailoverReasonSwitchover = "Switchover"
)
