package render

import (
	"sort"
	"strings"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// Renamed commands (spec.redis.customCommandRenames) reach everything that talks to Redis: the
// rename-command lines of redis.conf, the sentinels (SENTINEL SET <master> rename-command, which
// both this project's sentinel and stock Redis Sentinel understand), the operator's own client
// (controllers pass CommandRenames to internal/redis) and the pods' scripts (the RENAMED_COMMANDS
// environment variable, read by readiness.sh and prestop.sh).

// EnvRenamedCommands carries the renames to the Redis pod's scripts: space-separated
// "from=to" pairs, lowercase from, e.g. "info=xinfo replicaof=xreplicaof".
const EnvRenamedCommands = "RENAMED_COMMANDS"

// CommandRenames maps each renamed command (lowercase) to its new name ("" means disabled).
func CommandRenames(rf *redisv1alpha1.RedisFailover) map[string]string {
	renames := rf.Spec.Redis.CustomCommandRenames
	if len(renames) == 0 {
		return nil
	}
	m := make(map[string]string, len(renames))
	for _, r := range renames {
		m[strings.ToLower(r.From)] = r.To
	}
	return m
}

// renamedCommandsEnv is the value of EnvRenamedCommands: the renames to a non-empty name, in
// command order (a disabled command is never one the scripts send; the API refuses that).
func renamedCommandsEnv(rf *redisv1alpha1.RedisFailover) string {
	var pairs []string
	for from, to := range CommandRenames(rf) {
		if to != "" {
			pairs = append(pairs, from+"="+to)
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, " ")
}

// renameCommandLines are the redis.conf rename-command lines, in command order.
func renameCommandLines(rf *redisv1alpha1.RedisFailover) []configLine {
	renames := CommandRenames(rf)
	froms := make([]string, 0, len(renames))
	for from := range renames {
		froms = append(froms, from)
	}
	sort.Strings(froms)
	lines := make([]configLine, 0, len(froms))
	for _, from := range froms {
		lines = append(lines, configLine{directive: "rename-command", args: []string{from, renames[from]}})
	}
	return lines
}

// sentinelRenameOptions are the SENTINEL SET rename-command options, in command order: the
// sentinels send CONFIG, SLAVEOF, INFO, CLIENT, ... to the nodes under their new names.
func sentinelRenameOptions(rf *redisv1alpha1.RedisFailover) []SentinelOption {
	var opts []SentinelOption
	for _, l := range renameCommandLines(rf) {
		if l.args[1] == "" {
			// A disabled command is one the sentinels never send (the API refuses disabling
			// the ones they do); stock Sentinel cannot be told an empty name either.
			continue
		}
		opts = append(opts, SentinelOption{Name: "rename-command", Value: l.args[0] + " " + l.args[1]})
	}
	return opts
}
