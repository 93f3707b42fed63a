package server

import "strings"

// commandSpec is one entry of redis-sentinel 7.0.15's command table: what COMMAND reports and
// what the dispatcher checks (existence, arity, auth, RESP2 pub/sub context) before running it.
type commandSpec struct {
	fullName string // "client|setname" for subcommands, as in redis's error texts
	arity    int    // redis convention: n = exactly n args, -n = at least n (command name included)
	flags    []string
	aclCats  []string
	tips     []string
	subs     []*commandSpec // in COMMAND LIST order
}

func (c *commandSpec) noAuth() bool { return hasFlag(c.flags, "no_auth") }

func (c *commandSpec) sub(name string) *commandSpec {
	for _, s := range c.subs {
		if strings.EqualFold(s.fullName[strings.IndexByte(s.fullName, '|')+1:], name) {
			return s
		}
	}
	return nil
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if x == f {
			return true
		}
	}
	return false
}

// commandTable is redis-sentinel 7.0.15's command table: 15 commands (COMMAND COUNT) and, with
// their subcommands, the 72 names of COMMAND LIST, in the order a real 7.0.15 listed them (see
// testdata/redis-sentinel-7.0.15/golden-replies.txt). Arity, flags, ACL categories and tips are what its
// COMMAND INFO reports; clients, the redis test suite and TestSameCommandTableAsRedisSentinel
// compare against them.
var commandTable = []*commandSpec{
	{fullName: "hello", arity: -1, flags: []string{"noscript", "loading", "stale", "fast", "no_auth", "allow_busy"}, aclCats: []string{"@fast", "@connection"}},
	{fullName: "acl", arity: -2, flags: nil, aclCats: []string{"@slow"}, subs: []*commandSpec{
		{fullName: "acl|dryrun", arity: -4, flags: []string{"admin", "noscript", "loading", "stale"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "acl|setuser", arity: -3, flags: []string{"admin", "noscript", "loading", "stale"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "acl|whoami", arity: 2, flags: []string{"noscript", "loading", "stale"}, aclCats: []string{"@slow"}},
		{fullName: "acl|cat", arity: -2, flags: []string{"noscript", "loading", "stale"}, aclCats: []string{"@slow"}},
		{fullName: "acl|deluser", arity: -3, flags: []string{"admin", "noscript", "loading", "stale"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "acl|list", arity: 2, flags: []string{"admin", "noscript", "loading", "stale"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "acl|save", arity: 2, flags: []string{"admin", "noscript", "loading", "stale"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "acl|getuser", arity: 3, flags: []string{"admin", "noscript", "loading", "stale"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "acl|genpass", arity: -2, flags: []string{"noscript", "loading", "stale"}, aclCats: []string{"@slow"}},
		{fullName: "acl|help", arity: 2, flags: []string{"loading", "stale"}, aclCats: []string{"@slow"}},
		{fullName: "acl|load", arity: 2, flags: []string{"admin", "noscript", "loading", "stale"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "acl|users", arity: 2, flags: []string{"admin", "noscript", "loading", "stale"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "acl|log", arity: -2, flags: []string{"admin", "noscript", "loading", "stale"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
	}},
	{fullName: "publish", arity: 3, flags: []string{"pubsub", "loading", "stale", "fast"}, aclCats: []string{"@pubsub", "@fast"}},
	{fullName: "client", arity: -2, flags: nil, aclCats: []string{"@slow"}, subs: []*commandSpec{
		{fullName: "client|reply", arity: 3, flags: []string{"noscript", "loading", "stale"}, aclCats: []string{"@slow", "@connection"}},
		{fullName: "client|kill", arity: -3, flags: []string{"admin", "noscript", "loading", "stale"}, aclCats: []string{"@admin", "@slow", "@dangerous", "@connection"}},
		{fullName: "client|getredir", arity: 2, flags: []string{"noscript", "loading", "stale"}, aclCats: []string{"@slow", "@connection"}},
		{fullName: "client|tracking", arity: -3, flags: []string{"noscript", "loading", "stale"}, aclCats: []string{"@slow", "@connection"}},
		{fullName: "client|getname", arity: 2, flags: []string{"noscript", "loading", "stale"}, aclCats: []string{"@slow", "@connection"}},
		{fullName: "client|setname", arity: 3, flags: []string{"noscript", "loading", "stale"}, aclCats: []string{"@slow", "@connection"}},
		{fullName: "client|list", arity: -2, flags: []string{"admin", "noscript", "loading", "stale"}, aclCats: []string{"@admin", "@slow", "@dangerous", "@connection"}, tips: []string{"nondeterministic_output"}},
		{fullName: "client|pause", arity: -3, flags: []string{"admin", "noscript", "loading", "stale"}, aclCats: []string{"@admin", "@slow", "@dangerous", "@connection"}},
		{fullName: "client|unpause", arity: 2, flags: []string{"admin", "noscript", "loading", "stale"}, aclCats: []string{"@admin", "@slow", "@dangerous", "@connection"}},
		{fullName: "client|trackinginfo", arity: 2, flags: []string{"noscript", "loading", "stale"}, aclCats: []string{"@slow", "@connection"}},
		{fullName: "client|help", arity: 2, flags: []string{"loading", "stale"}, aclCats: []string{"@slow", "@connection"}},
		{fullName: "client|id", arity: 2, flags: []string{"noscript", "loading", "stale"}, aclCats: []string{"@slow", "@connection"}},
		{fullName: "client|caching", arity: 3, flags: []string{"noscript", "loading", "stale"}, aclCats: []string{"@slow", "@connection"}},
		{fullName: "client|info", arity: 2, flags: []string{"noscript", "loading", "stale"}, aclCats: []string{"@slow", "@connection"}, tips: []string{"nondeterministic_output"}},
		{fullName: "client|unblock", arity: -3, flags: []string{"admin", "noscript", "loading", "stale"}, aclCats: []string{"@admin", "@slow", "@dangerous", "@connection"}},
		{fullName: "client|no-evict", arity: 3, flags: []string{"admin", "noscript", "loading", "stale"}, aclCats: []string{"@admin", "@slow", "@dangerous", "@connection"}},
	}},
	{fullName: "punsubscribe", arity: -1, flags: []string{"pubsub", "noscript", "loading", "stale"}, aclCats: []string{"@pubsub", "@slow"}},
	{fullName: "subscribe", arity: -2, flags: []string{"pubsub", "noscript", "loading", "stale"}, aclCats: []string{"@pubsub", "@slow"}},
	{fullName: "unsubscribe", arity: -1, flags: []string{"pubsub", "noscript", "loading", "stale"}, aclCats: []string{"@pubsub", "@slow"}},
	{fullName: "auth", arity: -2, flags: []string{"noscript", "loading", "stale", "fast", "no_auth", "allow_busy"}, aclCats: []string{"@fast", "@connection"}},
	{fullName: "sentinel", arity: -2, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}, subs: []*commandSpec{
		{fullName: "sentinel|remove", arity: 3, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|is-master-down-by-addr", arity: 6, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|flushconfig", arity: 2, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|myid", arity: 2, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|monitor", arity: 6, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|config", arity: -3, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|replicas", arity: 3, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|help", arity: 2, flags: []string{"loading", "stale"}, aclCats: []string{"@slow"}},
		{fullName: "sentinel|get-master-addr-by-name", arity: 3, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|ckquorum", arity: 3, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|failover", arity: 3, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|pending-scripts", arity: 2, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|sentinels", arity: 3, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|debug", arity: -2, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|info-cache", arity: -3, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|reset", arity: 3, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|slaves", arity: 3, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|masters", arity: 2, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|set", arity: -5, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|master", arity: 3, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
		{fullName: "sentinel|simulate-failure", arity: -3, flags: []string{"admin"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
	}},
	{fullName: "shutdown", arity: -1, flags: []string{"admin", "noscript", "loading", "stale", "no_multi", "allow_busy"}, aclCats: []string{"@admin", "@slow", "@dangerous"}},
	{fullName: "command", arity: -1, flags: []string{"loading", "stale"}, aclCats: []string{"@slow", "@connection"}, tips: []string{"nondeterministic_output_order"}, subs: []*commandSpec{
		{fullName: "command|count", arity: 2, flags: []string{"loading", "stale"}, aclCats: []string{"@slow", "@connection"}},
		{fullName: "command|list", arity: -2, flags: []string{"loading", "stale"}, aclCats: []string{"@slow", "@connection"}, tips: []string{"nondeterministic_output_order"}},
		{fullName: "command|getkeys", arity: -4, flags: []string{"loading", "stale"}, aclCats: []string{"@slow", "@connection"}},
		{fullName: "command|getkeysandflags", arity: -4, flags: []string{"loading", "stale"}, aclCats: []string{"@slow", "@connection"}},
		{fullName: "command|help", arity: 2, flags: []string{"loading", "stale"}, aclCats: []string{"@slow", "@connection"}},
		{fullName: "command|docs", arity: -2, flags: []string{"loading", "stale"}, aclCats: []string{"@slow", "@connection"}, tips: []string{"nondeterministic_output_order"}},
		{fullName: "command|info", arity: -2, flags: []string{"loading", "stale"}, aclCats: []string{"@slow", "@connection"}, tips: []string{"nondeterministic_output_order"}},
	}},
	{fullName: "role", arity: 1, flags: []string{"noscript", "loading", "stale", "fast"}, aclCats: []string{"@admin", "@fast", "@dangerous"}},
	{fullName: "psubscribe", arity: -2, flags: []string{"pubsub", "noscript", "loading", "stale"}, aclCats: []string{"@pubsub", "@slow"}},
	{fullName: "info", arity: -1, flags: []string{"loading", "stale"}, aclCats: []string{"@slow", "@dangerous"}, tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"}},
	{fullName: "ping", arity: -1, flags: []string{"fast"}, aclCats: []string{"@fast", "@connection"}, tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"}},
}

// lookupCommand finds the top-level command (any case).
func lookupCommand(name string) *commandSpec {
	for _, c := range commandTable {
		if strings.EqualFold(c.fullName, name) {
			return c
		}
	}
	return nil
}

// lookupFullName resolves "client|setname"-style names (COMMAND INFO/DOCS accept them).
func lookupFullName(name string) *commandSpec {
	top, sub, hasSub := strings.Cut(name, "|")
	c := lookupCommand(top)
	if c == nil || !hasSub {
		return c
	}
	return c.sub(sub)
}

// allCommandNames lists every command and subcommand, in COMMAND LIST order.
func allCommandNames() []*commandSpec {
	var all []*commandSpec
	for _, c := range commandTable {
		all = append(all, c)
		all = append(all, c.subs...)
	}
	return all
}
