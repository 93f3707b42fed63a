package server

import (
	"strings"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

var commandHelp = []string{
	"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"(no subcommand)",
	"    Return details about all Redis commands.",
	"COUNT",
	"    Return the total number of commands in this Redis server.",
	"LIST",
	"    Return a list of all commands in this Redis server.",
	"INFO [<command-name> ...]",
	"    Return details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"DOCS [<command-name> ...]",
	"    Return documentation details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"GETKEYS <full-command>",
	"    Return the keys from a full Redis command.",
	"GETKEYSANDFLAGS <full-command>",
	"    Return the keys and the access flags from a full Redis command.",
	"HELP",
	"    Prints this help.",
}

// cmdCommand: COMMAND [COUNT | LIST [FILTERBY ...] | INFO [name ...] | DOCS [name ...] |
// GETKEYS ... | GETKEYSANDFLAGS ... | HELP].
func (c *conn) cmdCommand(args []string) {
	if len(args) == 1 {
		c.reply(commandInfoList(commandTable))
		return
	}
	switch strings.ToLower(args[1]) {
	case "count":
		c.reply(resp.Int(int64(len(commandTable))))
	case "list":
		c.commandList(args)
	case "info":
		if len(args) == 2 {
			c.reply(commandInfoList(commandTable))
			return
		}
		elems := make([]resp.Value, 0, len(args)-2)
		for _, name := range args[2:] {
			if spec := lookupFullName(name); spec != nil {
				elems = append(elems, commandInfo(spec))
			} else {
				elems = append(elems, resp.Null())
			}
		}
		c.reply(resp.Array(elems...))
	case "docs":
		specs := commandTable
		if len(args) > 2 {
			specs = nil
			for _, name := range args[2:] {
				if spec := lookupFullName(name); spec != nil {
					specs = append(specs, spec)
				}
			}
		}
		elems := make([]resp.Value, 0, 2*len(specs))
		for _, spec := range specs {
			elems = append(elems, resp.Bulk(spec.fullName), commandDocs(spec))
		}
		c.reply(resp.Map(elems...))
	case "getkeys", "getkeysandflags":
		// Redis checks existence, then whether the command takes keys at all, then its arity;
		// no sentinel command takes keys.
		if lookupCommand(args[2]) == nil {
			c.reply(resp.Err("ERR Invalid command specified"))
			return
		}
		c.reply(resp.Err("ERR The command has no key arguments"))
	case "help":
		c.reply(helpReply(commandHelp))
	}
}

// commandList: COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern].
func (c *conn) commandList(args []string) {
	var keep func(*commandSpec) bool
	switch {
	case len(args) == 2:
		keep = func(*commandSpec) bool { return true }
	case len(args) == 5 && strings.EqualFold(args[2], "filterby"):
		val := args[4]
		switch strings.ToLower(args[3]) {
		case "module":
			keep = func(*commandSpec) bool { return false } // no modules in a sentinel
		case "aclcat":
			keep = func(s *commandSpec) bool { return hasFlag(s.aclCats, "@"+strings.ToLower(val)) }
		case "pattern":
			keep = func(s *commandSpec) bool { return stringMatch(strings.ToLower(val), s.fullName) }
		default:
			c.reply(errSyntax)
			return
		}
	default:
		c.reply(errSyntax)
		return
	}
	var names []string
	for _, spec := range allCommandNames() {
		if keep(spec) {
			names = append(names, spec.fullName)
		}
	}
	c.reply(resp.BulkStrings(names...))
}

func commandInfoList(specs []*commandSpec) resp.Value {
	elems := make([]resp.Value, len(specs))
	for i, spec := range specs {
		elems[i] = commandInfo(spec)
	}
	return resp.Array(elems...)
}

// commandInfo is redis 7.0's 10-element COMMAND INFO entry: name, arity, flags, first key, last
// key, key step, ACL categories, tips, key specs, subcommands. Sentinel commands take no keys.
func commandInfo(spec *commandSpec) resp.Value {
	flags := make([]resp.Value, len(spec.flags))
	for i, f := range spec.flags {
		flags[i] = resp.Simple(f)
	}
	cats := make([]resp.Value, len(spec.aclCats))
	for i, cat := range spec.aclCats {
		cats[i] = resp.Simple(cat)
	}
	tips := make([]resp.Value, len(spec.tips))
	for i, tip := range spec.tips {
		tips[i] = resp.Bulk(tip)
	}
	subs := make([]resp.Value, len(spec.subs))
	for i, sub := range spec.subs {
		subs[i] = commandInfo(sub)
	}
	return resp.Array(
		resp.Bulk(spec.fullName),
		resp.Int(int64(spec.arity)),
		resp.Set(flags...),
		resp.Int(0), resp.Int(0), resp.Int(0),
		resp.Set(cats...),
		resp.Set(tips...),
		resp.Array(),
		resp.Array(subs...),
	)
}

// commandDocs is a minimal COMMAND DOCS entry: the group and, for containers, the subcommands.
func commandDocs(spec *commandSpec) resp.Value {
	group := "server"
	switch strings.SplitN(spec.fullName, "|", 2)[0] {
	case "sentinel":
		group = "sentinel"
	case "publish", "subscribe", "psubscribe", "unsubscribe", "punsubscribe":
		group = "pubsub"
	case "auth", "hello", "ping", "client":
		group = "connection"
	}
	fields := []resp.Value{resp.Bulk("group"), resp.Bulk(group)}
	if len(spec.subs) > 0 {
		subs := make([]resp.Value, 0, 2*len(spec.subs))
		for _, sub := range spec.subs {
			subs = append(subs, resp.Bulk(sub.fullName), commandDocs(sub))
		}
		fields = append(fields, resp.Bulk("subcommands"), resp.Map(subs...))
	}
	return resp.Map(fields...)
}
