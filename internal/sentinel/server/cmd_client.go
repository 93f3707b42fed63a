package server

import (
	"fmt"
	"strings"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

var errBadClientName = resp.Err("ERR Client names cannot contain spaces, newlines or special characters.")

// validClientName is redis's rule: printable ASCII without spaces.
func validClientName(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] < '!' || name[i] > '~' {
			return false
		}
	}
	return true
}

// clientHelp is CLIENT HELP as redis 7.0 prints it.
var clientHelp = []string{
	"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CACHING (YES|NO)",
	"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
	"GETREDIR",
	"    Return the client ID we are redirecting to when tracking is enabled.",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"KILL <ip:port>",
	"    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]",
	"    Kill connections. Options are:",
	"    * ADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made from the specified address",
	"    * LADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made to specified local address",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Kill connections by type.",
	"    * USER <username>",
	"      Kill connections authenticated by <username>.",
	"    * SKIPME (YES|NO)",
	"      Skip killing current connection (default: yes).",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Return clients of specified type.",
	"UNPAUSE",
	"    Stop the current client pause, resuming traffic.",
	"PAUSE <timeout> [WRITE|ALL]",
	"    Suspend all, or just write, clients for <timeout> milliseconds.",
	"REPLY (ON|OFF|SKIP)",
	"    Control the replies sent to the current connection.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"UNBLOCK <clientid> [TIMEOUT|ERROR]",
	"    Unblock the specified blocked client.",
	"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
	"         [OPTIN] [OPTOUT] [NOLOOP]",
	"    Control server assisted client side caching.",
	"TRACKINGINFO",
	"    Report tracking status for the current connection.",
	"NO-EVICT (ON|OFF)",
	"    Protect current client connection from eviction.",
	"HELP",
	"    Prints this help.",
}

func helpReply(lines []string) resp.Value {
	elems := make([]resp.Value, len(lines))
	for i, l := range lines {
		elems[i] = resp.Simple(l)
	}
	return resp.Array(elems...)
}

// cmdClient dispatches CLIENT subcommands; the dispatcher has checked the subcommand exists and
// its arity.
func (c *conn) cmdClient(args []string) {
	switch strings.ToLower(args[1]) {
	case "id":
		c.reply(resp.Int(c.id))
	case "getname":
		if name := c.getName(); name != "" {
			c.reply(resp.Bulk(name))
		} else {
			c.reply(resp.Null())
		}
	case "setname":
		if !validClientName(args[2]) {
			c.reply(errBadClientName)
			return
		}
		c.setName(args[2])
		c.reply(resp.OK())
	case "info":
		c.reply(resp.Verbatim("txt", c.infoLine()+"\n"))
	case "list":
		c.clientList(args)
	case "kill":
		c.clientKill(args)
	case "reply":
		switch strings.ToLower(args[2]) {
		case "on":
			c.replyMode = replyOn
			c.reply(resp.OK())
		case "off":
			c.replyMode = replyOff
		case "skip":
			if c.replyMode == replyOn {
				c.replyMode = replySkip
			}
		default:
			c.reply(errSyntax)
		}
	case "getredir":
		c.reply(resp.Int(-1))
	case "trackinginfo":
		// Redis reports redirect 0 (none) while tracking and -1 when off.
		flags, redirect := resp.Bulk("off"), int64(-1)
		if c.tracking {
			flags, redirect = resp.Bulk("on"), 0
		}
		c.reply(resp.Map(
			resp.Bulk("flags"), resp.Set(flags),
			resp.Bulk("redirect"), resp.Int(redirect),
			resp.Bulk("prefixes"), resp.Array(),
		))
	case "tracking":
		// A sentinel has no keys, so tracking never produces an invalidation; the mode is only
		// recorded for TRACKINGINFO.
		switch strings.ToLower(args[2]) {
		case "on":
			c.tracking = true
		case "off":
			c.tracking = false
		default:
			c.reply(errSyntax)
			return
		}
		c.reply(resp.OK())
	case "caching":
		c.reply(resp.Err("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"))
	case "pause":
		if _, ok := parseInt64(args[2]); !ok {
			c.reply(resp.Err("ERR timeout is not an integer or out of range"))
			return
		}
		if len(args) > 4 || (len(args) == 4 && !strings.EqualFold(args[3], "write") && !strings.EqualFold(args[3], "all")) {
			c.reply(resp.Err("ERR CLIENT PAUSE mode must be WRITE or ALL"))
			return
		}
		// Nothing a sentinel does is paused: clients only read from it.
		c.reply(resp.OK())
	case "unpause":
		c.reply(resp.OK())
	case "no-evict":
		if !strings.EqualFold(args[2], "on") && !strings.EqualFold(args[2], "off") {
			c.reply(errSyntax)
			return
		}
		c.reply(resp.OK()) // clients are never evicted for memory here
	case "unblock":
		if _, ok := parseInt64(args[2]); !ok {
			c.reply(resp.Err("ERR value is not an integer or out of range"))
			return
		}
		if len(args) > 4 || (len(args) == 4 && !strings.EqualFold(args[3], "timeout") && !strings.EqualFold(args[3], "error")) {
			c.reply(resp.Err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"))
			return
		}
		c.reply(resp.Int(0)) // nothing ever blocks on a sentinel
	case "help":
		c.reply(helpReply(clientHelp))
	}
}

// infoLine is one CLIENT LIST / CLIENT INFO line, with redis 7.0's fields in redis's order.
// Memory fields report this server's fixed per-connection buffers; the query buffer is owned by
// the connection's goroutine and is not inspected from others.
func (c *conn) infoLine() string {
	now := time.Now()
	c.mu.Lock()
	name, user, cmd := c.name, c.user, c.lastCmd
	c.mu.Unlock()
	if cmd == "" {
		cmd = "NULL"
	}
	flags := "N"
	if c.inPubSub() {
		flags = "P"
	}
	return fmt.Sprintf("id=%d addr=%s laddr=%s fd=%d name=%s age=%d idle=%d flags=%s db=0 sub=%d psub=%d ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=%d rbp=0 obl=0 oll=0 omem=0 tot-mem=%d events=r cmd=%s user=%s redir=-1 resp=%d",
		c.id, c.addr, c.laddr, c.fd, name,
		int64(now.Sub(c.created)/time.Second), int64(now.Sub(time.Unix(0, c.lastActive.Load()))/time.Second),
		flags, c.nSubs.Load(), c.nPSubs.Load(),
		readBufferSize, readBufferSize+512,
		cmd, user, c.proto.Load())
}

// clientType is redis's client class for CLIENT LIST/KILL TYPE.
func (c *conn) clientType() string {
	if c.inPubSub() {
		return "pubsub"
	}
	return "normal"
}

// parseClientType accepts redis's type names; ok is false for unknown ones.
func parseClientType(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "normal", "pubsub", "master":
		return strings.ToLower(s), true
	case "slave", "replica":
		return "replica", true
	}
	return "", false
}

// clientList: CLIENT LIST [TYPE type] [ID id [id ...]].
func (c *conn) clientList(args []string) {
	var typ string
	var ids map[int64]bool
	switch {
	case len(args) == 4 && strings.EqualFold(args[2], "type"):
		t, ok := parseClientType(args[3])
		if !ok {
			c.reply(resp.Err("ERR Unknown client type '" + args[3] + "'"))
			return
		}
		typ = t
	case len(args) > 3 && strings.EqualFold(args[2], "id"):
		ids = make(map[int64]bool)
		for _, a := range args[3:] {
			id, ok := parseInt64(a)
			if !ok || id <= 0 {
				c.reply(resp.Err("ERR Invalid client ID"))
				return
			}
			ids[id] = true
		}
	case len(args) != 2:
		c.reply(errSyntax)
		return
	}
	var b strings.Builder
	for _, other := range c.s.clientsSnapshot() {
		if typ != "" && other.clientType() != typ {
			continue
		}
		if ids != nil && !ids[other.id] {
			continue
		}
		b.WriteString(other.infoLine())
		b.WriteByte('\n')
	}
	c.reply(resp.Verbatim("txt", b.String()))
}

// clientKill: CLIENT KILL ip:port (old form) or CLIENT KILL <filter> <value> ... (new form).
func (c *conn) clientKill(args []string) {
	if len(args) == 3 {
		for _, other := range c.s.clientsSnapshot() {
			if other.addr == args[2] {
				c.reply(resp.OK())
				c.killOther(other)
				return
			}
		}
		c.reply(resp.Err("ERR No such client"))
		return
	}
	var (
		id               int64
		typ, addr, laddr string
		user             string
		skipMe           = true
	)
	for i := 2; i < len(args); i += 2 {
		if i+1 >= len(args) {
			c.reply(errSyntax)
			return
		}
		opt, val := strings.ToLower(args[i]), args[i+1]
		switch opt {
		case "id":
			n, ok := parseInt64(val)
			if !ok || n < 1 {
				c.reply(resp.Err("ERR client-id should be greater than 0"))
				return
			}
			id = n
		case "type":
			t, ok := parseClientType(val)
			if !ok {
				c.reply(resp.Err("ERR Unknown client type '" + val + "'"))
				return
			}
			typ = t
		case "addr":
			addr = val
		case "laddr":
			laddr = val
		case "user":
			if !c.s.userExists(val) {
				c.reply(resp.Err("ERR No such user '" + val + "'"))
				return
			}
			user = val
		case "skipme":
			switch strings.ToLower(val) {
			case "yes":
				skipMe = true
			case "no":
				skipMe = false
			default:
				c.reply(errSyntax)
				return
			}
		default:
			c.reply(errSyntax)
			return
		}
	}
	var victims []*conn
	for _, other := range c.s.clientsSnapshot() {
		switch {
		case id != 0 && other.id != id,
			typ != "" && other.clientType() != typ,
			addr != "" && other.addr != addr,
			laddr != "" && other.laddr != laddr,
			user != "" && other.userName() != user,
			skipMe && other == c:
			continue
		}
		victims = append(victims, other)
	}
	c.reply(resp.Int(int64(len(victims))))
	for _, v := range victims {
		c.killOther(v)
	}
}

// killOther disconnects another client, or this one after its reply has been sent.
func (c *conn) killOther(other *conn) {
	if other == c {
		c.closeAfterReply()
		return
	}
	c.s.log.Info("Client killed by CLIENT KILL", "id", other.id, "addr", other.addr, "by", c.addr)
	other.kill()
}

func (c *conn) userName() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.user
}

func (s *Server) userExists(name string) bool {
	if name == "default" {
		return true
	}
	for _, u := range s.opts.Users {
		if u.Name == name {
			return true
		}
	}
	return false
}
