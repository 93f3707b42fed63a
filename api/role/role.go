// Package role is the one vocabulary for a Redis node's replication role: the values of the
// redis.failover.dev/role pod label (which the master and replica Services select on), of
// status.nodes[].role, and of the roles the decision code reasons about.
//
// It imports nothing on purpose. The API package (api/v1alpha1) pulls in Kubernetes, and the
// pure decision code (internal/topology) must not; both import this package, so that a role
// is spelled in exactly one place. Redis itself calls a replica "slave" on the wire
// (INFO role:slave); the Redis client maps that word to Replica when it parses INFO.
package role

// Role is a Redis node's replication role.
// +kubebuilder:validation:Enum=master;replica;unknown
type Role string

const (
	// Master is the node that accepts writes.
	Master Role = "master"
	// Replica is a node that follows the master.
	Replica Role = "replica"
	// Unknown is a node whose role could not be learned (it did not answer). Status only: no
	// pod is ever labelled with it.
	Unknown Role = "unknown"
)
