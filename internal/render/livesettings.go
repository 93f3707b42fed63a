package render

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// Which redis.conf settings Redis applies live and which need a restart: the one table. A live
// setting is applied with CONFIG SET on every node and is left out of the pod template's
// checksum, so that changing it restarts no pod; every other directive is part of the checksum
// and rolls out (replicas first, then a switchover, then the old master). The table follows
// Redis 7.0.15's config.c (MODIFIABLE_CONFIG vs IMMUTABLE_CONFIG); TestLiveSettingsAgainstRedis
// checks every row against a real redis-server 7.0.15, and docs/operations.md is checked against
// it by TestLiveSettingsDocumented. A directive not in the table restarts: when unsure, restart.

// ValueKind is how Redis reads a live setting's value, which is also how CONFIG GET answers it:
// the desired value is normalised the same way before it is compared with what a node reports.
type ValueKind string

const (
	// KindInteger is a whole number; CONFIG GET answers it in decimal.
	KindInteger ValueKind = "integer"
	// KindMemory is a byte count with an optional unit (k, kb, m, mb, g, gb; k=1000, kb=1024),
	// answered in bytes.
	KindMemory ValueKind = "memory"
	// KindBool is yes or no.
	KindBool ValueKind = "yes/no"
	// KindEnum is one of a fixed set of words, answered in lowercase.
	KindEnum ValueKind = "enum"
)

// LiveSetting is one row of the table of settings Redis applies without a restart.
type LiveSetting struct {
	Directive string
	Kind      ValueKind
	// Default is Redis 7.0.15's default, normalised: what a node gets back to when the entry is
	// removed from spec.redis.customConfig.
	Default string
}

// RestartSetting is a directive that is known to need a restart, and why.
type RestartSetting struct {
	Directive string
	Why       string
}

// LiveSettings are the settings applied with CONFIG SET, without restarting any pod.
var LiveSettings = []LiveSetting{
	{"maxmemory", KindMemory, "0"},
	{"maxmemory-policy", KindEnum, "noeviction"},
	{"maxmemory-samples", KindInteger, "5"},
	{"maxmemory-eviction-tenacity", KindInteger, "10"},
	{"timeout", KindInteger, "0"},
	{"tcp-keepalive", KindInteger, "300"},
	{"maxclients", KindInteger, "10000"},
	{"hz", KindInteger, "10"},
	{"loglevel", KindEnum, "notice"},
	{"slowlog-log-slower-than", KindInteger, "10000"},
	{"slowlog-max-len", KindInteger, "128"},
	{"latency-monitor-threshold", KindInteger, "0"},
	{"lazyfree-lazy-eviction", KindBool, "no"},
	{"lazyfree-lazy-expire", KindBool, "no"},
	{"lazyfree-lazy-server-del", KindBool, "no"},
	{"lazyfree-lazy-user-del", KindBool, "no"},
	{"lazyfree-lazy-user-flush", KindBool, "no"},
	{"replica-lazy-flush", KindBool, "no"},
	{"appendonly", KindBool, "no"},
	{"appendfsync", KindEnum, "everysec"},
	{"no-appendfsync-on-rewrite", KindBool, "no"},
	{"auto-aof-rewrite-percentage", KindInteger, "100"},
	{"auto-aof-rewrite-min-size", KindMemory, "67108864"},
	{"repl-timeout", KindInteger, "60"},
	{"repl-ping-replica-period", KindInteger, "10"},
	{"repl-diskless-sync", KindBool, "yes"},
	{"repl-diskless-sync-delay", KindInteger, "5"},
	{"repl-backlog-ttl", KindInteger, "3600"},
	{"client-query-buffer-limit", KindMemory, "1073741824"},
	{"proto-max-bulk-len", KindMemory, "536870912"},
	{"active-expire-effort", KindInteger, "1"},
	{"busy-reply-threshold", KindInteger, "5000"},
	{"hash-max-listpack-entries", KindInteger, "512"},
	{"hash-max-listpack-value", KindMemory, "64"},
	{"list-max-listpack-size", KindInteger, "-2"},
	{"set-max-intset-entries", KindInteger, "512"},
	{"zset-max-listpack-entries", KindInteger, "128"},
	{"zset-max-listpack-value", KindMemory, "64"},
	{"stream-node-max-bytes", KindMemory, "4096"},
	{"stream-node-max-entries", KindInteger, "100"},
	{"lfu-log-factor", KindInteger, "10"},
	{"lfu-decay-time", KindInteger, "1"},
	// Owned by the operator through typed fields (spec.redis.replBacklogSize,
	// minReplicasToWrite, minReplicasMaxLag): changing those fields restarts no pod either.
	{"repl-backlog-size", KindMemory, "1048576"},
	{"min-replicas-to-write", KindInteger, "0"},
	{"min-replicas-max-lag", KindInteger, "10"},
}

// RestartSettings are directives known to need a restart. Most are IMMUTABLE in Redis; the rest
// Redis could change live, but their value cannot be compared with what CONFIG GET answers, so a
// level-triggered CONFIG SET would never settle: they roll out instead.
var RestartSettings = []RestartSetting{
	{"databases", "immutable in Redis"},
	{"io-threads", "immutable in Redis"},
	{"io-threads-do-reads", "immutable in Redis"},
	{"tcp-backlog", "immutable in Redis"},
	{"appendfilename", "immutable in Redis"},
	{"appenddirname", "immutable in Redis"},
	{"always-show-logo", "immutable in Redis"},
	{"syslog-enabled", "immutable in Redis"},
	{"syslog-ident", "immutable in Redis"},
	{"disable-thp", "immutable in Redis"},
	{"set-proc-title", "immutable in Redis"},
	{"enable-protected-configs", "immutable in Redis"},
	{"enable-debug-command", "immutable in Redis"},
	{"enable-module-command", "immutable in Redis"},
	{"save", "several lines combine into one value; applied on restart"},
	{"client-output-buffer-limit", "one line per client class, combined into one value; applied on restart"},
	{"notify-keyspace-events", "Redis reorders the flags it answers with; applied on restart"},
}

// liveSetting returns the table row of directive.
func liveSetting(directive string) (LiveSetting, bool) {
	i := slices.IndexFunc(LiveSettings, func(s LiveSetting) bool { return s.Directive == directive })
	if i < 0 {
		return LiveSetting{}, false
	}
	return LiveSettings[i], true
}

// IsLive reports whether Redis applies directive without a restart.
func IsLive(directive string) bool {
	_, ok := liveSetting(directive)
	return ok
}

// DesiredSetting is the value one live setting must have on every node, and the field it comes
// from, for the Event or error that names it.
type DesiredSetting struct {
	Directive string
	// Value is normalised: what CONFIG GET answers once it is applied.
	Value string
	// Field is where the value comes from, e.g. "spec.redis.customConfig[2]", or "" for Redis's
	// default.
	Field string
}

// RedisLiveSettings is the value of every live setting for rf: the last customConfig entry or
// spec.redis.command argument of each directive (as Redis reads redis.conf), the typed fields the
// operator owns, or Redis's default. A value Redis would not read gives an error naming the field. rf must have its
// defaults applied.
func RedisLiveSettings(rf *redisv1alpha1.RedisFailover) ([]DesiredSetting, error) {
	r := rf.Spec.Redis
	values := map[string]DesiredSetting{}
	set := func(field, directive, raw string) error {
		s, ok := liveSetting(directive)
		if !ok {
			return nil
		}
		v, err := s.Normalize(raw)
		if err != nil {
			return fmt.Errorf("%s: %s %q: %w: fix the value", field, directive, raw, err)
		}
		values[directive] = DesiredSetting{Directive: directive, Value: v, Field: field}
		return nil
	}
	for i, raw := range r.CustomConfig {
		field := fmt.Sprintf("spec.redis.customConfig[%d]", i)
		line, err := parseConfigLine(field, string(raw))
		if err != nil {
			return nil, err
		}
		if !IsLive(line.directive) {
			continue
		}
		if len(line.args) != 1 {
			return nil, fmt.Errorf("%s: %s takes one value, got %d: fix the entry", field, line.directive, len(line.args))
		}
		if err := set(field, line.directive, line.args[0]); err != nil {
			return nil, err
		}
	}
	// spec.redis.command's arguments follow customConfig in redis.conf, so they win, as there.
	lines, fields, err := commandConfigLines(r.Command)
	if err != nil {
		return nil, err
	}
	for i, line := range lines {
		if !IsLive(line.directive) {
			continue
		}
		if len(line.args) != 1 {
			return nil, fmt.Errorf("%s: --%s takes one value, got %d: fix the arguments", fields[i], line.directive, len(line.args))
		}
		if err := set(fields[i], line.directive, line.args[0]); err != nil {
			return nil, err
		}
	}
	if backlog, ok := r.ReplBacklogSize.AsInt64(); ok {
		if err := set("spec.redis.replBacklogSize", "repl-backlog-size", strconv.FormatInt(backlog, 10)); err != nil {
			return nil, err
		}
	}
	if err := set("spec.redis.minReplicasToWrite", "min-replicas-to-write", strconv.Itoa(int(r.EffectiveMinReplicasToWrite()))); err != nil {
		return nil, err
	}
	if err := set("spec.redis.minReplicasMaxLag", "min-replicas-max-lag", strconv.Itoa(int(r.MinReplicasMaxLag))); err != nil {
		return nil, err
	}
	out := make([]DesiredSetting, 0, len(LiveSettings))
	for _, s := range LiveSettings {
		d, ok := values[s.Directive]
		if !ok {
			d = DesiredSetting{Directive: s.Directive, Value: s.Default}
		}
		out = append(out, d)
	}
	return out, nil
}

// Normalize turns a redis.conf value into the form CONFIG GET answers, or says why Redis would
// refuse it.
func (s LiveSetting) Normalize(raw string) (string, error) {
	switch s.Kind {
	case KindInteger:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return "", fmt.Errorf("not a whole number")
		}
		return strconv.FormatInt(n, 10), nil
	case KindMemory:
		n, err := memoryBytes(raw)
		if err != nil {
			return "", err
		}
		return strconv.FormatUint(n, 10), nil
	case KindBool:
		switch strings.ToLower(raw) {
		case "yes":
			return "yes", nil
		case "no":
			return "no", nil
		}
		return "", fmt.Errorf("must be yes or no")
	case KindEnum:
		return strings.ToLower(raw), nil
	}
	return "", fmt.Errorf("unknown kind %q", s.Kind)
}

// memoryBytes reads a memory value as Redis's memtoull does: a number with an optional unit,
// case-insensitive, k/m/g in powers of 1000 and kb/mb/gb in powers of 1024.
func memoryBytes(raw string) (uint64, error) {
	lower := strings.ToLower(raw)
	units := []struct {
		suffix string
		mul    uint64
	}{{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1000}, {"m", 1000 * 1000}, {"g", 1000 * 1000 * 1000}, {"b", 1}}
	mul := uint64(1)
	for _, u := range units {
		if strings.HasSuffix(lower, u.suffix) {
			lower, mul = strings.TrimSuffix(lower, u.suffix), u.mul
			break
		}
	}
	n, err := strconv.ParseUint(lower, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("not a byte count (a whole number with an optional k, kb, m, mb, g or gb)")
	}
	if n != 0 && n*mul/mul != n {
		return 0, fmt.Errorf("too large")
	}
	return n * mul, nil
}

// restartRelevant is the part of a rendered redis.conf that needs a restart to take effect: the
// text without the lines of live settings, comments and blank lines. The pod template's checksum
// covers only this part.
func restartRelevant(conf string) string {
	var b strings.Builder
	for line := range strings.Lines(conf) {
		trimmed := strings.TrimSpace(line)
		directive, _, _ := strings.Cut(trimmed, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || IsLive(directive) {
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}
