package server

import (
	"errors"
	"fmt"

	"github.com/go-logr/logr"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// Defaults, chosen like redis-sentinel's where redis has one.
const (
	DefaultMaxClients = 10000 // redis maxclients
	// DefaultPubSubBacklog is how many bytes of undelivered pub/sub messages a subscriber may
	// accumulate before it is disconnected. Sentinel events are ~100 bytes, so this is thousands
	// of events; a client that far behind is not reading (redis: client-output-buffer-limit pubsub).
	DefaultPubSubBacklog = 1 << 20
	// DefaultReplyBacklog is how many bytes of replies may wait for a client that pipelines
	// without reading before the server stops reading its commands.
	DefaultReplyBacklog = 256 << 10
	// Version is the redis version the server reports (INFO, HELLO): clients and tools gate
	// features on it, and this server answers like redis-sentinel 7.0.15.
	Version = "7.0.15"
)

// User is an account clients may AUTH as, besides "default".
type User struct {
	Name     string
	Password string
}

// Options configure a Server. Addrs and Backend are required (Backend may instead be set later
// with SetBackend, before Serve).
type Options struct {
	// Addrs are the TCP addresses to listen on ("127.0.0.1:26379", ":26379", "[::1]:26379").
	// Port 0 picks a free port; Addrs() reports the bound addresses. A leading "-" marks an
	// address that is skipped when the host does not have it, as redis's `bind -::1`.
	Addrs []string
	// RequirePass is the password of the "default" user (sentinel.conf requirepass). Empty means
	// the default user needs no password, as in redis. ACL SETUSER default changes it at run time.
	RequirePass string
	// DefaultPasswordChanged, if set, is called after ACL SETUSER default with the password the
	// sentinel should now use towards its peers (the oldest one left, "" for none).
	DefaultPasswordChanged func(first string)
	// Users are additional accounts accepted by AUTH <user> <pass> and HELLO ... AUTH.
	Users []User
	// Backend is the failover engine that answers SENTINEL commands.
	Backend Backend
	// Logger receives connection-level events; V(1) logs every connection.
	Logger logr.Logger
	// MaxClients caps simultaneous clients; extra connections get redis's
	// "-ERR max number of clients reached" and are closed. Zero means DefaultMaxClients.
	MaxClients int
	// PubSubBacklog and ReplyBacklog bound per-connection output; zero means the defaults.
	PubSubBacklog int
	ReplyBacklog  int
	// ReadLimits cap what one client command may declare and send; zero fields take the value
	// of resp.ServerLimits (64 KiB arguments, which no sentinel command comes near).
	ReadLimits resp.Limits
	// ConfigFile and Executable are reported by INFO (config_file, executable).
	ConfigFile string
	Executable string
}

func (o *Options) validate() error {
	if len(o.Addrs) == 0 {
		return errors.New("server options: Addrs is empty: give at least one listen address such as \":26379\"")
	}
	for i, u := range o.Users {
		if u.Name == "" {
			return fmt.Errorf("server options: Users[%d] has an empty Name: every user needs a name", i)
		}
		if u.Name == "default" {
			return fmt.Errorf("server options: Users[%d] is named \"default\": set the default user's password with RequirePass", i)
		}
	}
	if o.MaxClients < 0 || o.PubSubBacklog < 0 || o.ReplyBacklog < 0 {
		return errors.New("server options: MaxClients, PubSubBacklog and ReplyBacklog must not be negative (0 selects the default)")
	}
	if o.MaxClients == 0 {
		o.MaxClients = DefaultMaxClients
	}
	if o.PubSubBacklog == 0 {
		o.PubSubBacklog = DefaultPubSubBacklog
	}
	if o.ReplyBacklog == 0 {
		o.ReplyBacklog = DefaultReplyBacklog
	}
	if o.ReadLimits.MaxBulkLen <= 0 {
		o.ReadLimits.MaxBulkLen = resp.ServerLimits.MaxBulkLen
	}
	if o.ReadLimits.MaxMultiBulkLen <= 0 {
		o.ReadLimits.MaxMultiBulkLen = resp.ServerLimits.MaxMultiBulkLen
	}
	if o.ReadLimits.MaxInlineLen <= 0 {
		o.ReadLimits.MaxInlineLen = resp.ServerLimits.MaxInlineLen
	}
	if o.ReadLimits.MaxDepth <= 0 {
		o.ReadLimits.MaxDepth = resp.ServerLimits.MaxDepth
	}
	return nil
}
