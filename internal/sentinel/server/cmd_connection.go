package server

import (
	"crypto/subtle"
	"strconv"
	"strings"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// helloChannel is the only channel a sentinel accepts PUBLISH on: other sentinels deliver their
// hello gossip straight to it this way.
const helloChannel = "__sentinel__:hello"

// authenticate checks a user/password pair like redis's ACLAuthenticateUser for the users this
// server knows: "default" (no password unless RequirePass is set or ACL SETUSER default gave
// it some) and Options.Users.
func (s *Server) authenticate(user, pass string) bool {
	if user == "default" {
		return s.defaultUser().accepts(pass) // with "nopass" any password works, as in redis
	}
	for _, u := range s.opts.Users {
		if u.Name == user {
			return subtle.ConstantTimeCompare([]byte(pass), []byte(u.Password)) == 1
		}
	}
	return false
}

// login authenticates the connection or logs the failure (redis records it in ACL LOG).
func (c *conn) login(user, pass string) bool {
	if !c.s.authenticate(user, pass) {
		c.s.log.Info("Client failed to authenticate", "id", c.id, "addr", c.addr, "user", user)
		return false
	}
	c.authed = true
	c.mu.Lock()
	c.user = user
	c.mu.Unlock()
	return true
}

// cmdAuth: AUTH <password> | AUTH <username> <password>.
func (c *conn) cmdAuth(args []string) {
	if len(args) > 3 {
		c.reply(errSyntax)
		return
	}
	user, pass := "default", args[1]
	if len(args) == 3 {
		user, pass = args[1], args[2]
	} else if c.s.defaultUser().nopass {
		c.reply(resp.Err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"))
		return
	}
	if !c.login(user, pass) {
		c.reply(errWrongPass)
		return
	}
	c.reply(resp.OK())
}

// cmdHello: HELLO [protover [AUTH username password] [SETNAME clientname]].
func (c *conn) cmdHello(args []string) {
	var version int64
	next := 1
	if len(args) >= 2 {
		v, ok := parseInt64(args[1])
		if !ok {
			c.reply(resp.Err("ERR Protocol version is not an integer or out of range"))
			return
		}
		if v < 2 || v > 3 {
			c.reply(resp.Err("NOPROTO unsupported protocol version"))
			return
		}
		version = v
		next = 2
	}
	var user, pass, name string
	var haveAuth, haveName bool
	for j := next; j < len(args); j++ {
		more := len(args) - 1 - j
		switch {
		case strings.EqualFold(args[j], "AUTH") && more >= 2:
			user, pass, haveAuth = args[j+1], args[j+2], true
			j += 2
		case strings.EqualFold(args[j], "SETNAME") && more >= 1:
			name, haveName = args[j+1], true
			j++
		default:
			c.reply(resp.Err("ERR Syntax error in HELLO option '" + args[j] + "'"))
			return
		}
	}
	if haveAuth && !c.login(user, pass) {
		c.reply(errWrongPass)
		return
	}
	if c.authRequired() {
		c.reply(resp.Err("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"))
		return
	}
	if haveName {
		if !validClientName(name) {
			c.reply(errBadClientName)
			return
		}
		c.setName(name)
	}
	if version != 0 {
		c.proto.Store(int32(version))
	}
	// Sentinel mode: six fields, no "role" (redis adds it only outside sentinel mode).
	c.reply(resp.Map(
		resp.Bulk("server"), resp.Bulk("redis"),
		resp.Bulk("version"), resp.Bulk(Version),
		resp.Bulk("proto"), resp.Int(int64(c.proto.Load())),
		resp.Bulk("id"), resp.Int(c.id),
		resp.Bulk("mode"), resp.Bulk("sentinel"),
		resp.Bulk("modules"), resp.Array(),
	))
}

// cmdPing: PING [message]. A RESP2 client in subscribed mode gets ["pong", message], since a
// plain status reply could not be told apart from a published message there.
func (c *conn) cmdPing(args []string) {
	if len(args) > 2 {
		c.reply(resp.Err("ERR wrong number of arguments for 'ping' command"))
		return
	}
	msg := ""
	if len(args) == 2 {
		msg = args[1]
	}
	switch {
	case c.proto.Load() == 2 && c.inPubSub():
		c.reply(resp.Array(resp.Bulk("pong"), resp.Bulk(msg)))
	case len(args) == 1:
		c.reply(resp.Simple("PONG"))
	default:
		c.reply(resp.Bulk(msg))
	}
}

// cmdRole: ["sentinel", [monitored master names]].
func (c *conn) cmdRole(_ []string) {
	c.reply(resp.Array(resp.Bulk("sentinel"), resp.BulkStrings(c.s.getBackend().MasterNames()...)))
}

// cmdSentinel hands every SENTINEL subcommand to the engine.
func (c *conn) cmdSentinel(args []string) {
	c.reply(c.s.getBackend().Sentinel(c.clientInfo(), args[1:]))
}

// cmdPublish: sentinels accept PUBLISH only for hello messages, which feed the engine; nothing is
// delivered to local subscribers.
func (c *conn) cmdPublish(args []string) {
	if args[1] != helloChannel {
		c.reply(resp.Err("ERR Only HELLO messages are accepted by Sentinel instances."))
		return
	}
	c.s.getBackend().Hello(args[2])
	c.reply(resp.Int(1))
}

// cmdShutdown: SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. The options only matter to a data
// server; a sentinel persists its state through the backend and exits.
func (c *conn) cmdShutdown(args []string) {
	var save, nosave, abort, other bool
	for _, a := range args[1:] {
		switch strings.ToLower(a) {
		case "nosave":
			nosave = true
		case "save":
			save = true
		case "now", "force":
			other = true
		case "abort":
			abort = true
		default:
			c.reply(errSyntax)
			return
		}
	}
	if (abort && (save || nosave || other)) || (save && nosave) {
		c.reply(errSyntax)
		return
	}
	if abort {
		c.reply(resp.Err("ERR No shutdown in progress."))
		return
	}
	c.s.log.Info("User requested shutdown...", "id", c.id, "addr", c.addr)
	if err := c.s.getBackend().Shutdown(); err != nil {
		c.s.log.Error(err, "Errors trying to shut down the sentinel; not exiting")
		c.reply(resp.Err("ERR Errors trying to SHUTDOWN. Check logs."))
		return
	}
	// Redis exits without replying: the client sees the connection close.
	c.closeAfterReply()
	c.s.requestShutdown()
}

// parseInt64 accepts what redis's string2ll accepts (no '+', no leading zeros or spaces).
func parseInt64(s string) (int64, bool) {
	if s == "" || len(s) > 20 || s[0] == '+' || (len(s) > 1 && s[0] == '0') ||
		(len(s) > 2 && s[0] == '-' && s[1] == '0') || s == "-" || s == "-0" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
