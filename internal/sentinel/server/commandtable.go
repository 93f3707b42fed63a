package server

import "strings"

// commandSpec is one entry of redis-sentinel 7.0.15's command table: what COMMAND reports and
// what the dispatcher checks (existence, arity, auth, RESP2 pub/sub context) before running it.
type commandSpec struct {
	fullName string // "client|setname" for subcommands, as in redis's error texts
	arity    int    // redis convention: n = exactly n args, -n = at least n (command name included)
	flags    []string
	aclCats  []string
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

// Flag sets and ACL categories shared by many entries, as redis 7.0's command JSON files give them.
var (
	flagsConnFast  = []string{"noscript", "loading", "stale", "fast", "no_auth", "sentinel", "allow_busy"}
	flagsPubSub    = []string{"pubsub", "noscript", "loading", "stale", "sentinel"}
	flagsAdmin     = []string{"admin", "noscript", "loading", "stale", "sentinel"}
	flagsPlain     = []string{"noscript", "loading", "stale", "sentinel"}
	flagsSentinel  = []string{"admin", "sentinel", "only_sentinel"}
	flagsIntrospec = []string{"loading", "stale", "sentinel"}
	catsConnFast   = []string{"@fast", "@connection"}
	catsPubSub     = []string{"@pubsub", "@slow"}
	catsDangerous  = []string{"@admin", "@slow", "@dangerous"}
	catsSlowConn   = []string{"@slow", "@connection"}
	catsSlow       = []string{"@slow"}
)

func subcommands(container string, flags, cats []string, nameArity ...any) []*commandSpec {
	subs := make([]*commandSpec, 0, len(nameArity)/2)
	for i := 0; i < len(nameArity); i += 2 {
		subs = append(subs, &commandSpec{
			fullName: container + "|" + nameArity[i].(string),
			arity:    nameArity[i+1].(int),
			flags:    flags,
			aclCats:  cats,
		})
	}
	return subs
}

// commandTable is redis-sentinel 7.0.15's table: 15 commands (COMMAND COUNT) and, with their
// subcommands, the 72 names of COMMAND LIST, in the order a real 7.0.15 listed them (see
// sentinel-golden-replies-7.0.15.txt). Clients and the redis test suite count both.
var commandTable = []*commandSpec{
	{fullName: "hello", arity: -1, flags: flagsConnFast, aclCats: catsConnFast},
	{fullName: "acl", arity: -2, flags: []string{"sentinel"}, aclCats: catsSlow,
		subs: subcommands("acl", flagsAdmin, catsDangerous,
			"dryrun", -4, "setuser", -3, "whoami", 2, "cat", -2, "deluser", -3, "list", 2, "save", 2,
			"getuser", 3, "genpass", -2, "help", 2, "load", 2, "users", 2, "log", -2)},
	{fullName: "publish", arity: 3, flags: []string{"pubsub", "loading", "stale", "fast", "may_replicate", "sentinel"},
		aclCats: []string{"@pubsub", "@fast"}},
	{fullName: "client", arity: -2, flags: []string{"sentinel"}, aclCats: catsSlow,
		subs: subcommands("client", flagsPlain, catsSlowConn,
			"reply", 3, "kill", -3, "getredir", 2, "tracking", -3, "getname", 2, "setname", 3, "list", -2,
			"pause", -3, "unpause", 2, "trackinginfo", 2, "help", 2, "id", 2, "caching", 3, "info", 2,
			"unblock", -3, "no-evict", 3)},
	{fullName: "punsubscribe", arity: -1, flags: flagsPubSub, aclCats: catsPubSub},
	{fullName: "subscribe", arity: -2, flags: flagsPubSub, aclCats: catsPubSub},
	{fullName: "unsubscribe", arity: -1, flags: flagsPubSub, aclCats: catsPubSub},
	{fullName: "auth", arity: -2, flags: flagsConnFast, aclCats: catsConnFast},
	{fullName: "sentinel", arity: -2, flags: flagsSentinel, aclCats: catsDangerous,
		subs: subcommands("sentinel", flagsSentinel, catsDangerous,
			"remove", 3, "is-master-down-by-addr", 6, "flushconfig", 2, "myid", 2, "monitor", 6,
			"config", -3, "replicas", 3, "help", 2, "get-master-addr-by-name", 3, "ckquorum", 3,
			"failover", 3, "pending-scripts", 2, "sentinels", 3, "debug", -2, "info-cache", -3,
			"reset", 3, "slaves", 3, "masters", 2, "set", -5, "master", 3, "simulate-failure", -3)},
	{fullName: "shutdown", arity: -1, flags: []string{"admin", "noscript", "loading", "stale", "no_multi", "sentinel", "allow_busy"},
		aclCats: catsDangerous},
	{fullName: "command", arity: -1, flags: flagsIntrospec, aclCats: catsSlowConn,
		subs: subcommands("command", flagsIntrospec, catsSlowConn,
			"count", 2, "list", -2, "getkeys", -3, "getkeysandflags", -3, "help", 2, "docs", -2, "info", -2)},
	{fullName: "role", arity: 1, flags: []string{"noscript", "loading", "stale", "fast", "sentinel"},
		aclCats: []string{"@admin", "@fast", "@dangerous"}},
	{fullName: "psubscribe", arity: -2, flags: flagsPubSub, aclCats: catsPubSub},
	{fullName: "info", arity: -1, flags: flagsIntrospec, aclCats: []string{"@slow", "@dangerous"}},
	{fullName: "ping", arity: -1, flags: []string{"fast", "sentinel"}, aclCats: catsConnFast},
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
