package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// aclCategories is ACL CAT's list in redis 7.0.
var aclCategories = []string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
	"hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
	"connection", "transaction", "scripting",
}

// errNoACLFile is redis's reply to ACL SAVE/LOAD without an aclfile; a sentinel never has one.
var errNoACLFile = resp.Err("ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.")

// aclUser is one account as ACL reports it: every account may run every command.
type aclUser struct {
	name      string
	nopass    bool
	passwords []string
}

func (s *Server) aclUsers() []aclUser {
	d := s.defaultUser()
	users := []aclUser{{name: "default", nopass: d.nopass, passwords: d.passwords}}
	for _, u := range s.opts.Users {
		users = append(users, aclUser{name: u.Name, nopass: u.Password == "", passwords: []string{u.Password}})
	}
	return users
}

func (s *Server) aclUser(name string) (aclUser, bool) {
	for _, u := range s.aclUsers() {
		if u.name == name {
			return u, true
		}
	}
	return aclUser{}, false
}

func passwordHash(password string) string {
	sum := sha256.Sum256([]byte(password))
	return hex.EncodeToString(sum[:])
}

// aclRule is the user's line in ACL LIST, as redis prints it.
func (u aclUser) aclRule() string {
	rule := "user " + u.name + " on"
	if u.nopass {
		rule += " nopass"
	} else {
		for _, p := range u.passwords {
			rule += " #" + passwordHash(p)
		}
	}
	return rule + " ~* &* +@all"
}

// cmdACL implements ACL over the users configured in Options (sentinel.conf requirepass and
// users). Of the changes, only the default user's passwords (SETUSER default, for a password
// rotation) are supported; other SETUSER and DELUSER calls say so instead of pretending to
// succeed.
func (c *conn) cmdACL(args []string) {
	switch sub := strings.ToLower(args[1]); sub {
	case "whoami":
		c.reply(resp.Bulk(c.userName()))
	case "users":
		var names []string
		for _, u := range c.s.aclUsers() {
			names = append(names, u.name)
		}
		c.reply(resp.BulkStrings(names...))
	case "list":
		var rules []string
		for _, u := range c.s.aclUsers() {
			rules = append(rules, u.aclRule())
		}
		c.reply(resp.BulkStrings(rules...))
	case "getuser":
		u, ok := c.s.aclUser(args[2])
		if !ok {
			c.reply(resp.Null())
			return
		}
		flags, passwords := []resp.Value{resp.Bulk("on")}, []resp.Value{}
		if u.nopass {
			flags = append(flags, resp.Bulk("nopass"))
		} else {
			for _, p := range u.passwords {
				passwords = append(passwords, resp.Bulk(passwordHash(p)))
			}
		}
		c.reply(resp.Map(
			resp.Bulk("flags"), resp.Set(flags...),
			resp.Bulk("passwords"), resp.Array(passwords...),
			resp.Bulk("commands"), resp.Bulk("+@all"),
			resp.Bulk("keys"), resp.Bulk("~*"),
			resp.Bulk("channels"), resp.Bulk("&*"),
			resp.Bulk("selectors"), resp.Array(),
		))
	case "cat":
		if len(args) == 2 {
			c.reply(resp.BulkStrings(aclCategories...))
			return
		}
		category := strings.ToLower(args[2])
		if !slices.Contains(aclCategories, category) {
			c.reply(resp.Err("ERR Unknown category '" + args[2] + "'"))
			return
		}
		var names []string
		for _, spec := range allCommandNames() {
			if hasFlag(spec.aclCats, "@"+category) {
				names = append(names, spec.fullName)
			}
		}
		c.reply(resp.BulkStrings(names...))
	case "dryrun":
		switch {
		case !c.s.userExists(args[2]):
			c.reply(resp.Err("ERR User '" + args[2] + "' not found"))
		case lookupCommand(args[3]) == nil:
			c.reply(resp.Err("ERR Command '" + args[3] + "' not found"))
		default:
			c.reply(resp.OK()) // every user may run every command
		}
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
	case "save", "load":
		c.reply(errNoACLFile)
	case "deluser":
		for _, name := range args[2:] {
			if name == "default" {
				c.reply(resp.Err("ERR The 'default' user cannot be removed"))
				return
			}
			if c.s.userExists(name) {
				c.reply(resp.Err("ERR ACL DELUSER is not supported by this sentinel: users come from sentinel.conf"))
				return
			}
		}
		c.reply(resp.Int(0)) // none of them existed
	case "help":
		c.reply(helpReply([]string{
			"ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"CAT [<category>]",
			"    List all commands that belong to <category>, or all command categories",
			"    when no category is specified.",
			"DELUSER <username> [<username> ...]",
			"    Delete a list of users.",
			"DRYRUN <username> <command> [<arg> ...]",
			"    Returns whether the user can execute the given command without executing the command.",
			"GETUSER <username>",
			"    Get the user's details.",
			"GENPASS [<bits>]",
			"    Generate a secure 256-bit user password. The optional `bits` argument can",
			"    be used to specify a different size.",
			"LIST",
			"    Show users details in config file format.",
			"LOAD",
			"    Reload users from the ACL file.",
			"LOG [<count> | RESET]",
			"    Show the ACL log entries.",
			"SAVE",
			"    Save the current config to the ACL file.",
			"SETUSER <username> <attribute> [<attribute> ...]",
			"    Create or modify a user with the specified attributes.",
			"USERS",
			"    List all the registered usernames.",
			"WHOAMI",
			"    Return the current connection username.",
			"HELP",
			"    Prints this help.",
		}))
	case "setuser":
		if !strings.EqualFold(args[2], "default") {
			c.reply(resp.Err("ERR ACL SETUSER is not supported by this sentinel for users other than default: users come from sentinel.conf"))
			return
		}
		if msg := c.s.setUserDefault(args[3:]); msg != "" {
			c.reply(resp.Err(msg))
			return
		}
		c.reply(resp.OK())
	default: // log
		c.reply(resp.Err("ERR ACL " + strings.ToUpper(sub) + " is not supported by this sentinel: users are configured with requirepass and user lines in sentinel.conf"))
	}
}
