package sentinel

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
	"github.com/failover-dev/redis-failover-operator/internal/sentinel/conf"
)

// errSaveConfig is sentinel.c's reply when the config file cannot be rewritten; the runtime
// substitutes it for the OK of a command whose Effects.Persist failed.
var errSaveConfig = resp.Err("ERR Failed to save config file. Check server logs.")

func errUnknownDebugParam(name string) error {
	return fmt.Errorf("Unknown option or number of arguments for SENTINEL DEBUG '%s'", name)
}

func errBadDebugValue(value, name string) error {
	return fmt.Errorf("Invalid argument '%s' for SENTINEL DEBUG '%s'", value, name)
}

func arityErr(sub string) resp.Value {
	return resp.Err(fmt.Sprintf("ERR wrong number of arguments for 'sentinel|%s' command", strings.ToLower(sub)))
}

var errNoSuchMaster = resp.Err("ERR No such master with that name")

var errNotInteger = resp.Err("ERR value is not an integer or out of range")

// subcommandArity is the command table's arity of each SENTINEL subcommand (args including
// "SENTINEL" and the subcommand; negative: at least).
var subcommandArity = map[string]int{
	"ckquorum": 3, "config": -3, "debug": -2, "failover": 3, "flushconfig": 2,
	"get-master-addr-by-name": 3, "help": 2, "info-cache": -3, "is-master-down-by-addr": 6,
	"master": 3, "masters": 2, "monitor": 6, "myid": 2, "pending-scripts": 2, "remove": 3,
	"replicas": 3, "reset": 3, "sentinels": 3, "set": -5, "simulate-failure": -3, "slaves": 3,
}

// Command answers one SENTINEL subcommand (args[0] is the subcommand). Effects that carry
// Persist must be persisted before the reply is sent; if that fails, the runtime replies with
// the save error instead when the reply is a plain OK.
func (s *State) Command(args []string, now time.Time) (resp.Value, Effects) {
	var e Effects
	if len(args) == 0 {
		return resp.Err("ERR wrong number of arguments for 'sentinel' command"), e
	}
	sub := strings.ToLower(args[0])
	arity, ok := subcommandArity[sub]
	if !ok {
		return resp.Err(fmt.Sprintf("ERR unknown subcommand '%.128s'. Try SENTINEL HELP.", args[0])), e
	}
	n := len(args) + 1
	if (arity > 0 && n != arity) || (arity < 0 && n < -arity) {
		return arityErr(sub), e
	}
	switch sub {
	case "masters":
		out := make([]resp.Value, 0, len(s.Masters))
		for _, m := range s.sortedMasters() {
			out = append(out, s.instanceReply(m, m.Instance, now))
		}
		return resp.Array(out...), e
	case "master":
		m := s.Masters[args[1]]
		if m == nil {
			return errNoSuchMaster, e
		}
		return s.instanceReply(m, m.Instance, now), e
	case "replicas", "slaves":
		m := s.Masters[args[1]]
		if m == nil {
			return errNoSuchMaster, e
		}
		out := []resp.Value{}
		for _, r := range m.sortedReplicas() {
			if r.replicaAnnounced {
				out = append(out, s.instanceReply(m, r, now))
			}
		}
		return resp.Array(out...), e
	case "sentinels":
		m := s.Masters[args[1]]
		if m == nil {
			return errNoSuchMaster, e
		}
		out := []resp.Value{}
		for _, si := range m.sortedSentinels() {
			out = append(out, s.instanceReply(m, si, now))
		}
		return resp.Array(out...), e
	case "get-master-addr-by-name":
		m := s.Masters[args[1]]
		if m == nil {
			return resp.NullArray(), e
		}
		a := m.currentAddr()
		return resp.BulkStrings(a.Host, strconv.Itoa(a.Port)), e
	case "is-master-down-by-addr":
		port, err1 := strconv.ParseInt(args[2], 10, 64)
		epoch, err2 := strconv.ParseUint(args[3], 10, 64)
		if err1 != nil || err2 != nil {
			return errNotInteger, e
		}
		down, leader, leaderEpoch, eff := s.IsMasterDownByAddr(Addr{Host: args[1], Port: int(port)}, epoch, args[4], now)
		d := int64(0)
		if down {
			d = 1
		}
		return resp.Array(resp.Int(d), resp.Bulk(leader), resp.Int(int64(leaderEpoch))), eff
	case "myid":
		return resp.Bulk(s.Global.MyID), e
	case "ckquorum":
		m := s.Masters[args[1]]
		if m == nil {
			return errNoSuchMaster, e
		}
		return s.ckquorum(m), e
	case "failover":
		return s.forceFailover(args[1], now)
	case "reset":
		return resp.Int(int64(s.resetByPattern(args[1], now, &e))), e
	case "monitor":
		return s.monitor(args[1:], now)
	case "remove":
		m := s.Masters[args[1]]
		if m == nil {
			return errNoSuchMaster, e
		}
		s.event(&e, true, "-monitor", m, m.Instance, "")
		delete(s.Masters, args[1])
		e.persist()
		return resp.OK(), e
	case "set":
		return s.set(args[1:], now)
	case "config":
		return s.config(args[1:])
	case "flushconfig":
		e.persist()
		return resp.OK(), e
	case "info-cache":
		return s.infoCache(args[1:], now), e
	case "pending-scripts":
		return resp.Array(), e
	case "simulate-failure":
		return s.simulateFailure(args[1:]), e
	case "debug":
		return s.debug(args[1:]), e
	case "help":
		return sentinelHelp(), e
	}
	return resp.Err("ERR unknown subcommand"), e
}

func (s *State) ckquorum(m *Master) resp.Value {
	voters := len(m.Sentinels) + 1
	usable := 1
	for _, si := range m.Sentinels {
		if !si.has(flagSDown | flagODown) {
			usable++
		}
	}
	noQuorum := usable < m.Config.Quorum
	noAuth := usable < voters/2+1
	if !noQuorum && !noAuth {
		return resp.Simple(fmt.Sprintf("OK %d usable Sentinels. Quorum and failover authorization can be reached", usable))
	}
	msg := fmt.Sprintf("NOQUORUM %d usable Sentinels. ", usable)
	if noQuorum {
		msg += "Not enough available Sentinels to reach the specified quorum for this master"
	}
	if noAuth {
		if noQuorum {
			msg += ". "
		}
		msg += "Not enough available Sentinels to reach the majority and authorize a failover"
	}
	return resp.Err(msg)
}

func (s *State) forceFailover(name string, now time.Time) (resp.Value, Effects) {
	var e Effects
	m := s.Masters[name]
	if m == nil {
		return errNoSuchMaster, e
	}
	if m.inFailover() {
		return resp.Err("INPROG Failover already in progress"), e
	}
	if s.selectReplica(m, now) == nil {
		return resp.Err("NOGOODSLAVE No suitable replica to promote"), e
	}
	s.startFailover(m, now, &e)
	m.flags |= flagForceFailover
	// A forced failover skips the election: run the machine now rather than at the next tick.
	s.failoverStateMachine(m, now, &e)
	return resp.OK(), e
}

// resetByPattern is SENTINEL RESET: forget replicas, sentinels and failover state of every
// master whose name matches the glob pattern.
func (s *State) resetByPattern(pattern string, now time.Time, e *Effects) int {
	n := 0
	for _, m := range s.sortedMasters() {
		if ok, _ := path.Match(pattern, m.Config.Name); !ok {
			continue
		}
		s.unpauseOldMaster(m, e)
		m.Replicas = map[string]*Instance{}
		m.Sentinels = map[string]*Instance{}
		m.promoted = nil
		m.failoverState = failoverNone
		m.Instance = newInstance(RoleMaster, m.Config.Name, m.Addr, now)
		s.event(e, true, "+reset-master", m, m.Instance, "")
		n++
	}
	if n > 0 {
		e.persist()
	}
	return n
}

func (s *State) monitor(args []string, now time.Time) (resp.Value, Effects) {
	var e Effects
	name, host := args[0], args[1]
	port, err := strconv.Atoi(args[2])
	if err != nil {
		return resp.Err("ERR Invalid port"), e
	}
	quorum, err := strconv.Atoi(args[3])
	if err != nil {
		return resp.Err("ERR Invalid quorum"), e
	}
	if quorum <= 0 {
		return resp.Err("ERR Quorum must be 1 or greater."), e
	}
	// With resolve-hostnames the name is resolved now, as sentinel.c does; without, it must be
	// an IP address.
	addr, resolved := s.canonicalAddr(Addr{Host: host, Port: port})
	if !resolved {
		return resp.Err("ERR Invalid IP address or hostname specified"), e
	}
	// Port 0 is accepted, as sentinel.c does: an instance that is never connected.
	if port < 0 || port > 65535 {
		return resp.Err("ERR Invalid port number."), e
	}
	if _, dup := s.Masters[name]; dup {
		return resp.Err("ERR Duplicate master name."), e
	}
	m, err := s.AddMaster(MasterConfig{Name: name, Addr: addr, Quorum: quorum}, now)
	if err != nil {
		return resp.Err("ERR " + err.Error()), e
	}
	e.persist()
	s.event(&e, true, "+monitor", m, m.Instance, fmt.Sprintf("quorum %d", quorum))
	return resp.OK(), e
}

// set is SENTINEL SET <master> <option> <value> [<option> <value> ...]. Options apply in
// order, as in sentinelSetCommand: an error ends the call, and the options before it stay
// applied (with their +set events and the config rewrite).
func (s *State) set(args []string, now time.Time) (resp.Value, Effects) {
	var e Effects
	m := s.Masters[args[0]]
	if m == nil {
		return errNoSuchMaster, e
	}
	cfg := m.Config
	type change struct{ option, value string }
	var changes []change
	commit := func(reply resp.Value) (resp.Value, Effects) {
		m.Config = cfg
		for _, c := range changes {
			s.event(&e, true, "+set", m, m.Instance, c.option+" "+c.value)
		}
		if len(changes) > 0 {
			e.persist()
		}
		return reply, e
	}
	badFormat := func(value, option string) (resp.Value, Effects) {
		return commit(resp.Err(fmt.Sprintf("ERR Invalid argument '%s' for SENTINEL SET '%s'", value, option)))
	}
	for j := 1; j < len(args); j++ {
		option := strings.ToLower(args[j])
		more := len(args) - j - 1
		if option == "rename-command" && more >= 2 {
			oldName, newName := strings.ToLower(args[j+1]), args[j+2]
			if cfg.RenameCommands == nil {
				cfg.RenameCommands = map[string]string{}
			} else {
				cp := make(map[string]string, len(cfg.RenameCommands))
				for k, v := range cfg.RenameCommands {
					cp[k] = v
				}
				cfg.RenameCommands = cp
			}
			if strings.EqualFold(oldName, newName) {
				delete(cfg.RenameCommands, oldName)
			} else {
				cfg.RenameCommands[oldName] = newName
			}
			changes = append(changes, change{option, args[j+1] + " " + args[j+2]})
			j += 2
			continue
		}
		if more < 1 {
			return commit(resp.Err(fmt.Sprintf("ERR Unknown option or number of arguments for SENTINEL SET '%s'", args[j])))
		}
		value := args[j+1]
		j++
		positive := func() (int64, bool) {
			n, err := strconv.ParseInt(value, 10, 64)
			return n, err == nil && n > 0
		}
		switch option {
		case "down-after-milliseconds":
			n, ok := positive()
			if !ok {
				return badFormat(value, option)
			}
			cfg.DownAfter = time.Duration(n) * time.Millisecond
		case "failover-timeout":
			n, ok := positive()
			if !ok {
				return badFormat(value, option)
			}
			cfg.FailoverTimeout = time.Duration(n) * time.Millisecond
		case "parallel-syncs":
			n, ok := positive()
			if !ok {
				return badFormat(value, option)
			}
			cfg.ParallelSyncs = int(n)
		case "quorum":
			n, ok := positive()
			if !ok {
				return badFormat(value, option)
			}
			cfg.Quorum = int(n)
		case "master-reboot-down-after-period":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < 0 {
				return badFormat(value, option)
			}
			cfg.RebootDownAfter = time.Duration(n) * time.Millisecond
		case "auth-pass":
			cfg.AuthPass = value
		case "auth-user":
			cfg.AuthUser = value
		case "notification-script", "client-reconfig-script":
			if s.Global.DenyScriptsReconfig {
				return commit(resp.Err("ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration"))
			}
			if value != "" && !executable(conf.ResolveIn(s.Global.Dir, value)) {
				if option == "notification-script" {
					return commit(resp.Err("ERR Notification script seems non existing or non executable"))
				}
				return commit(resp.Err("ERR Client reconfiguration script seems non existing or non executable"))
			}
			if option == "notification-script" {
				cfg.NotificationScript = value
			} else {
				cfg.ClientReconfigScript = value
			}
		default:
			return commit(resp.Err(fmt.Sprintf("ERR Unknown option or number of arguments for SENTINEL SET '%s'", args[j-1])))
		}
		if option == "auth-pass" {
			value = "******"
		}
		changes = append(changes, change{option, value})
	}
	return commit(resp.OK())
}

// executable is sentinel.c's access(path, X_OK) check of SENTINEL SET scripts.
func executable(p string) bool {
	return unix.Access(p, unix.X_OK) == nil
}

// errConfigUsage is sentinel.c's reply to any other SENTINEL CONFIG form (7.0 takes one
// option per call).
var errConfigUsage = resp.Err("ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.")

// config is SENTINEL CONFIG GET <pattern> / SET <option> <value>.
func (s *State) config(args []string) (resp.Value, Effects) {
	var e Effects
	switch strings.ToLower(args[0]) {
	case "get":
		if len(args) != 2 {
			return errConfigUsage, e
		}
		yesno := func(b bool) string {
			if b {
				return "yes"
			}
			return "no"
		}
		all := []resp.Field{
			{Name: "resolve-hostnames", Value: yesno(s.Global.ResolveHostnames)},
			{Name: "announce-hostnames", Value: yesno(s.Global.AnnounceHosts)},
			{Name: "announce-ip", Value: s.Global.AnnounceIP},
			{Name: "announce-port", Value: strconv.Itoa(s.Global.AnnouncePort)},
			{Name: "sentinel-user", Value: s.Global.SentinelUser},
			{Name: "sentinel-pass", Value: s.Global.SentinelPass},
		}
		var out []resp.Field
		for _, f := range all {
			if ok, _ := path.Match(strings.ToLower(args[1]), f.Name); ok {
				out = append(out, f)
			}
		}
		return resp.FieldMap(out), e
	case "set":
		if len(args) != 3 {
			return errConfigUsage, e
		}
		option, value := strings.ToLower(args[1]), args[2]
		bad := resp.Err(fmt.Sprintf("ERR Invalid value '%s' to SENTINEL CONFIG SET '%s'", value, args[1]))
		g := s.Global
		switch option {
		case "resolve-hostnames", "announce-hostnames":
			var b bool
			switch strings.ToLower(value) {
			case "yes":
				b = true
			case "no":
			default:
				return bad, e
			}
			if option == "resolve-hostnames" {
				g.ResolveHostnames = b
			} else {
				g.AnnounceHosts = b
			}
		case "announce-ip":
			g.AnnounceIP = value
		case "announce-port":
			p, err := strconv.Atoi(value)
			if err != nil || p < 0 || p > 65535 {
				return bad, e
			}
			g.AnnouncePort = p
		case "sentinel-user":
			g.SentinelUser = value
		case "sentinel-pass":
			g.SentinelPass = value
		default:
			return resp.Err(fmt.Sprintf("ERR Invalid argument '%s' to SENTINEL CONFIG SET", args[1])), e
		}
		s.Global = g
		e.persist()
		return resp.OK(), e
	}
	return errConfigUsage, e
}

func (s *State) infoCache(names []string, now time.Time) resp.Value {
	var out []resp.Value
	// Each entry is [age in ms (0: never), INFO text or null], as sentinel.c replies.
	entry := func(inst *Instance) resp.Value {
		age := int64(0)
		if !inst.infoRefresh.IsZero() {
			age = now.Sub(inst.infoRefresh).Milliseconds()
		}
		if inst.info == "" {
			return resp.Array(resp.Int(age), resp.Null())
		}
		return resp.Array(resp.Int(age), resp.Bulk(inst.info))
	}
	for _, m := range s.sortedMasters() {
		if len(names) > 0 && !contains(names, m.Config.Name) {
			continue
		}
		infos := []resp.Value{entry(m.Instance)}
		for _, r := range m.sortedReplicas() {
			infos = append(infos, entry(r))
		}
		out = append(out, resp.Bulk(m.Config.Name), resp.Array(infos...))
	}
	return resp.Array(out...)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func (s *State) simulateFailure(args []string) resp.Value {
	flags := 0
	for _, a := range args {
		switch strings.ToLower(a) {
		case "crash-after-election":
			flags |= simulateCrashAfterElection
		case "crash-after-promotion":
			flags |= simulateCrashAfterPromotion
		case "help":
			return resp.BulkStrings("crash-after-election", "crash-after-promotion")
		default:
			return resp.Err("ERR Unknown failure simulation specified")
		}
	}
	s.simulateFlags = flags
	return resp.OK()
}

func (s *State) debug(args []string) resp.Value {
	if len(args) == 0 {
		kv := make([]resp.Value, 0, 2*len(debugParams))
		for _, p := range debugParams {
			kv = append(kv, resp.Bulk(p.name), resp.BulkInt(p.field(&s.Params).Milliseconds()))
		}
		return resp.Map(kv...)
	}
	if err := s.Params.setDebug(args); err != nil {
		return resp.Err("ERR " + err.Error())
	}
	return resp.OK()
}

var helpLines = []string{
	"SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CKQUORUM <master-name>",
	"    Check if the current Sentinel configuration is able to reach the quorum",
	"    needed to failover a master and the majority needed to authorize the",
	"    failover.",
	"CONFIG SET <param> <value>",
	"    Set a global Sentinel configuration parameter.",
	"CONFIG GET <param>",
	"    Get global Sentinel configuration parameter.",
	"DEBUG [<param> <value> ...]",
	"    Show a list of configurable time parameters and their values (milliseconds).",
	"    Or update current configurable parameters values (one or more).",
	"GET-MASTER-ADDR-BY-NAME <master-name>",
	"    Return the ip and port number of the master with that name.",
	"FAILOVER <master-name>",
	"    Manually failover a master node without asking for agreement from other",
	"    Sentinels",
	"FLUSHCONFIG",
	"    Force Sentinel to rewrite its configuration on disk, including the current",
	"    Sentinel state.",
	"INFO-CACHE <master-name>",
	"    Return last cached INFO output from masters and all its replicas.",
	"IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
	"    Check if the master specified by ip:port is down from current Sentinel's",
	"    point of view.",
	"MASTER <master-name>",
	"    Show the state and info of the specified master.",
	"MASTERS",
	"    Show a list of monitored masters and their state.",
	"MONITOR <name> <ip> <port> <quorum>",
	"    Start monitoring a new master with the specified name, ip, port and quorum.",
	"MYID",
	"    Return the ID of the Sentinel instance.",
	"PENDING-SCRIPTS",
	"    Get pending scripts information.",
	"REMOVE <master-name>",
	"    Remove master from Sentinel's monitor list.",
	"REPLICAS <master-name>",
	"    Show a list of replicas for this master and their state.",
	"RESET <pattern>",
	"    Reset masters for specific master name matching this pattern.",
	"SENTINELS <master-name>",
	"    Show a list of Sentinel instances for this master and their state.",
	"SET <master-name> <option> <value> [<option> <value> ...]",
	"    Set configuration parameters for certain masters.",
	"SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
	"    Simulate a Sentinel crash.",
	"HELP",
	"    Prints this help.",
}

func sentinelHelp() resp.Value {
	out := make([]resp.Value, len(helpLines))
	for i, l := range helpLines {
		out[i] = resp.Simple(l)
	}
	return resp.Array(out...)
}

// IsOK reports whether v is a plain +OK, the replies that become a save error when persisting
// fails.
func IsOK(v resp.Value) bool { return v.Kind == resp.KindSimpleString && v.Str == "OK" }
