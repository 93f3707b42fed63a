package server

import (
	"fmt"
	"strings"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// Replies redis shares between commands (server.c shared.*).
var (
	errSyntax = resp.Err("ERR syntax error")
	errNoAuth = resp.Err("NOAUTH Authentication required.")
	// errWrongPass is redis 7.0's reply to a failed AUTH or HELLO ... AUTH.
	errWrongPass = resp.Err("WRONGPASS invalid username-password pair or user is disabled.")
)

// handler runs one command whose existence, arity, authentication and pub/sub context the
// dispatcher has already checked, and writes its replies.
type handler func(c *conn, args []string)

// handlers maps command full names to their implementation. SENTINEL subcommands all go to the
// backend, so only "sentinel" itself is here.
var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		"auth":         (*conn).cmdAuth,
		"hello":        (*conn).cmdHello,
		"ping":         (*conn).cmdPing,
		"role":         (*conn).cmdRole,
		"info":         (*conn).cmdInfo,
		"shutdown":     (*conn).cmdShutdown,
		"publish":      (*conn).cmdPublish,
		"subscribe":    (*conn).cmdSubscribe,
		"psubscribe":   (*conn).cmdPSubscribe,
		"unsubscribe":  (*conn).cmdUnsubscribe,
		"punsubscribe": (*conn).cmdPUnsubscribe,
		"sentinel":     (*conn).cmdSentinel,
		"client":       (*conn).cmdClient,
		"command":      (*conn).cmdCommand,
		"acl":          (*conn).cmdACL,
	}
}

// allowedInRESP2PubSub are the commands redis 7.0 accepts from a RESP2 client in subscribed mode
// (QUIT and RESET are not sentinel commands, so they are already unknown).
var allowedInRESP2PubSub = map[string]bool{
	"ping": true, "subscribe": true, "psubscribe": true, "unsubscribe": true, "punsubscribe": true,
}

// execute runs one command with the checks of redis 7.0's processCommand, in redis's order:
// existence, arity, authentication, RESP2 pub/sub context.
func (c *conn) execute(args []string) {
	cmd := lookupCommand(args[0])
	if cmd == nil {
		c.reply(resp.Err(unknownCommandError(args)))
		return
	}
	spec := cmd
	if len(cmd.subs) > 0 && len(args) >= 2 {
		spec = cmd.sub(args[1])
		if spec == nil {
			c.reply(resp.Err(fmt.Sprintf("ERR unknown subcommand '%s'. Try %s HELP.",
				truncateC(args[1], 128), strings.ToUpper(cmd.fullName))))
			return
		}
	}
	if (spec.arity > 0 && len(args) != spec.arity) || len(args) < -spec.arity {
		c.reply(resp.Err(fmt.Sprintf("ERR wrong number of arguments for '%s' command", spec.fullName)))
		return
	}
	if c.authRequired() && !spec.noAuth() {
		c.reply(errNoAuth)
		return
	}
	if c.proto.Load() == 2 && c.inPubSub() && !allowedInRESP2PubSub[cmd.fullName] {
		c.reply(resp.Err(fmt.Sprintf("ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context", spec.fullName)))
		return
	}
	c.mu.Lock()
	c.lastCmd = spec.fullName
	c.mu.Unlock()
	handlers[cmd.fullName](c, args)
	// Counted after running, as redis's call() does, so INFO does not count itself.
	c.s.stats.commandsProcessed.Add(1)
}

// unknownCommandError is redis 7.0's text, including its truncation rules: the name is cut at
// 128 bytes, and arguments are quoted one by one until 128 bytes of them have been printed
// (each cut to what is left of that budget). Strings end at a NUL byte, as C's %s does.
func unknownCommandError(args []string) string {
	var quoted strings.Builder
	for _, a := range args[1:] {
		if quoted.Len() >= 128 {
			break
		}
		fmt.Fprintf(&quoted, "'%s' ", truncateC(a, 128-quoted.Len()))
	}
	return fmt.Sprintf("ERR unknown command '%s', with args beginning with: %s", truncateC(args[0], 128), quoted.String())
}

// truncateC renders s as C's "%.*s" would: up to the first NUL, at most n bytes.
func truncateC(s string, n int) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	if len(s) > n {
		s = s[:n]
	}
	return s
}
