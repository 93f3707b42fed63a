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

	"github.com/failover-dev/redis-failover-operator/api/role"
)

// RedisFailoverStatus is what the operator last observed. Written only by the operator.
type RedisFailoverStatus struct {
	// observedGeneration is the metadata.generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready, and MasterAvailable, ReplicasInSync and SentinelsAgree saying what is wrong.
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// masterName is the name clients ask the sentinels for (spec.sentinel.masterName).
	// +optional
	MasterName string `json:"masterName,omitempty"`

	// master is the writable master, if there is exactly one.
	// +optional
	Master *MasterStatus `json:"master,omitempty"`

	// nodes are the Redis nodes as last observed, by pod name.
	// +listType=map
	// +listMapKey=pod
	// +optional
	Nodes []NodeStatus `json:"nodes,omitempty"`

	// sentinels summarises how many sentinels run and agree on the master.
	// +optional
	Sentinels SentinelsStatus `json:"sentinels,omitempty"`

	// lastFailover is the most recent change of master.
	// +optional
	LastFailover *FailoverRecord `json:"lastFailover,omitempty"`

	// switchover is the last switchover requested with the redis.failover.dev/switchover
	// annotation: what was asked, how far it got and how it ended.
	// +optional
	Switchover *SwitchoverStatus `json:"switchover,omitempty"`
}

// MasterStatus identifies the master.
type MasterStatus struct {
	// pod is the master's pod name.
	Pod string `json:"pod"`
	// ip is the master's pod IP.
	// +optional
	IP string `json:"ip,omitempty"`
	// port is the master's Redis port.
	// +optional
	Port int32 `json:"port,omitempty"`
}

// NodeStatus is one Redis node as last observed.
type NodeStatus struct {
	// pod is the node's pod name.
	Pod string `json:"pod"`
	// role the node reports.
	Role role.Role `json:"role"`
	// ip is the pod IP.
	// +optional
	IP string `json:"ip,omitempty"`
	// masterLinkStatus is a replica's link to its master: "up" or "down".
	// +optional
	MasterLinkStatus string `json:"masterLinkStatus,omitempty"`
	// replicationOffset is the node's replication offset in bytes.
	// +optional
	ReplicationOffset int64 `json:"replicationOffset,omitempty"`
	// lagBytes is how far a replica is behind the master's offset.
	// +optional
	LagBytes int64 `json:"lagBytes,omitempty"`
}

// SentinelsStatus summarises the sentinels.
type SentinelsStatus struct {
	// expected is spec.sentinel.replicas.
	// +optional
	Expected int32 `json:"expected,omitempty"`
	// ready is how many sentinel pods are ready.
	// +optional
	Ready int32 `json:"ready,omitempty"`
	// agreeing is how many sentinels name status.master as the master.
	// +optional
	Agreeing int32 `json:"agreeing,omitempty"`
	// quorum in effect (spec.sentinel.quorum or the majority default).
	// +optional
	Quorum int32 `json:"quorum,omitempty"`
	// summary is "agreeing/expected", for the SENTINELS printer column.
	// +optional
	Summary string `json:"summary,omitempty"`
}

// FailoverRecord is one change of master.
type FailoverRecord struct {
	// time the new master was observed.
	Time metav1.Time `json:"time"`
	// from is the previous master's pod.
	// +optional
	From string `json:"from,omitempty"`
	// to is the new master's pod.
	To string `json:"to"`
	// reason is why: e.g. "Failover" (sentinels, unplanned) or "Switchover" (planned by the operator).
	// +optional
	Reason string `json:"reason,omitempty"`
}
