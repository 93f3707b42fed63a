// Package render turns a RedisFailover into the Kubernetes objects that run it. It is pure: no
// client, no clock, no randomness; the same spec and Options always give the same objects, so
// the controller can compare and apply them, and the rules are unit-tested without a cluster.
//
// What it renders (names follow spotahome's, so clients of a migrated cluster keep their
// addresses):
//
//	ConfigMap   rfr-<name>   redis.conf (no password), init.sh, readiness.sh
//	ConfigMap   rfs-<name>   sentinel.conf template (no password, no monitor line), init.sh
//	Service     rfr-<name>   headless, every Redis pod, the StatefulSet's serviceName
//	Service     rfrm-<name>  the pod labelled redis.failover.dev/role=master
//	Service     rfrs-<name>  the pods labelled redis.failover.dev/role=replica (read-only)
//	Service     rfs-<name>   the sentinels, port 26379
//	StatefulSet rfr-<name>   Redis nodes; updateStrategy OnDelete: the controller rolls them
//	Deployment  rfs-<name>   sentinels
//	PDB         rfr-<name>, rfs-<name>   maxUnavailable 1
//
// The password reaches the processes only through files: the Secret is mounted into an init
// container that writes, on a memory-backed emptyDir, the file redis-server or the sentinel is
// started with (requirepass, masterauth, with every byte hex-escaped). Neither the ConfigMaps, the
// arguments nor plain env values carry it.
//
// What render does not do, because it needs the live cluster: owner references, the role label
// on pods, and the sentinels' monitor line. Sentinels start monitoring nothing; the controller
// sends SENTINEL MONITOR <RedisFailover.MasterName()> <ip> <port> <quorum> and then SENTINEL SET with
// SentinelMasterOptions once it knows the master.
package render
