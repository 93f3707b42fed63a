// Package sentinel is the failover engine of the Redis-Sentinel-compatible server.
//
// State holds everything one sentinel knows (its id, the epochs, and per monitored master the
// replicas, the other sentinels, votes and the failover in progress). It is a pure state
// machine: every input — a timer tick, a reply from Redis or from another sentinel, a hello, a
// SENTINEL command — is applied with an explicit time and returns Effects: commands to send,
// events to publish, and whether the state must be persisted. It never touches the network, the
// clock or the disk, so its rules are unit-tested with a fake clock.
//
// Engine is the thin runtime around State: a clock, links to Redis instances and to other
// sentinels (internal/resp over TCP), the publisher for events and the config store. It
// implements server.Backend for the network front.
//
// The semantics follow redis-sentinel 7.0.15 (sentinel.c), with these deliberate improvements:
// the promoted replica is polled right after the promotion transaction instead of waiting for
// the next periodic INFO; the master entry switches to the promoted replica (and +switch-master
// is published, a hello forced) as soon as the promotion is seen, while the other replicas are
// still being reconfigured; the peers' master-down flags are cleared whenever a master address
// changes, so stale down-votes about an old master never count against the new one; and a
// forced failover (SENTINEL FAILOVER) with a reachable master pauses writes on it and waits for
// the chosen replica to catch up before promoting, so no acknowledged write is lost. Every
// difference from stock that clients, scripts or monitoring can observe is listed, with its
// reason, in docs/sentinel-differences.md.
package sentinel
