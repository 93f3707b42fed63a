package server

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// aclCategories is ACL CAT's list in redis 7.0.
var aclCategories = []string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
	"hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
	"connection", "transaction", "scripting",
}

// cmdACL implements the read-only part of ACL. Users come from the server's Options (sentinel.conf
// requirepass and users); changing them at run time is not supported, and the commands that
// would do so say so instead of pretending to succeed.
func (c *conn) cmdACL(args []string) {
	switch sub := strings.ToLower(args[1]); sub {
	case "whoami":
		c.reply(resp.Bulk(c.userName()))
	case "users":
		names := []string{"default"}
		for _, u := range c.s.opts.Users {
			names = append(names, u.Name)
		}
		c.reply(resp.BulkStrings(names...))
	case "cat":
		if len(args) == 2 {
			c.reply(resp.BulkStrings(aclCategories...))
			return
		}
		var names []string
		for _, spec := range allCommandNames() {
			if hasFlag(spec.aclCats, "@"+strings.ToLower(args[2])) {
				names = append(names, spec.fullName)
			}
		}
		c.reply(resp.BulkStrings(names...))
	case "genpass":
		bits := int64(256)
		if len(args) > 2 {
			n, ok := parseInt64(args[2])
			if !ok {
				c.reply(resp.Err("ERR value is not an integer or out of range"))
				return
			}
			if n <= 0 || n > 4096 {
				c.reply(resp.Err("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096"))
				return
			}
			bits = n
		}
		buf := make([]byte, (bits+7)/8)
		if _, err := rand.Read(buf); err != nil {
			c.reply(resp.Err("ERR generating a password: " + err.Error()))
			return
		}
		c.reply(resp.Bulk(hex.EncodeToString(buf)[:(bits+3)/4]))
	case "help":
		c.reply(helpReply([]string{
			"ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"CAT [<category>]",
			"    List all commands that belong to <category>, or all command categories",
			"    when no category is specified.",
			"GENPASS [<bits>]",
			"    Generate a secure 256-bit user password. The optional `bits` argument can",
			"    be used to specify a different size.",
			"USERS",
			"    List all the registered usernames.",
			"WHOAMI",
			"    Return the current connection username.",
			"HELP",
			"    Prints this help.",
		}))
	default:
		c.reply(resp.Err("ERR ACL " + strings.ToUpper(sub) + " is not supported by this sentinel: users are configured with requirepass and user lines in sentinel.conf"))
	}
}
