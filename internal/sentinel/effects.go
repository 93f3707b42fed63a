package sentinel

import "time"

// Op is a command the engine sends to a Redis instance or another sentinel.
type Op uint8

const (
	OpPing Op = iota + 1
	OpInfo
	// OpHello is `PUBLISH __sentinel__:hello <payload>`.
	OpHello
	// OpAskMasterDown is `SENTINEL is-master-down-by-addr <ip> <port> <epoch> <runid|*>`.
	OpAskMasterDown
	// OpPromote is the transaction MULTI; SLAVEOF NO ONE; CONFIG REWRITE; CLIENT KILL TYPE
	// normal; CLIENT KILL TYPE pubsub; EXEC.
	OpPromote
	// OpReplicaOf is the same transaction with SLAVEOF <Target.Host> <Target.Port>.
	OpReplicaOf
	// OpPauseWrites is CLIENT PAUSE <Duration ms> WRITE.
	OpPauseWrites
	// OpUnpause is CLIENT UNPAUSE.
	OpUnpause
	// OpScriptKill is SCRIPT KILL, sent to a master that replies -BUSY while down.
	OpScriptKill
	// OpReconnect drops the connections to Addr so they are re-opened (a hung link).
	OpReconnect
)

func (o Op) String() string {
	switch o {
	case OpPing:
		return "PING"
	case OpInfo:
		return "INFO"
	case OpHello:
		return "HELLO"
	case OpAskMasterDown:
		return "IS-MASTER-DOWN-BY-ADDR"
	case OpPromote:
		return "SLAVEOF NO ONE"
	case OpReplicaOf:
		return "SLAVEOF"
	case OpPauseWrites:
		return "CLIENT PAUSE"
	case OpUnpause:
		return "CLIENT UNPAUSE"
	case OpScriptKill:
		return "SCRIPT KILL"
	case OpReconnect:
		return "RECONNECT"
	}
	return "?"
}

// Command is one command for the runtime to send. Its identity fields come back with the reply,
// so the state machine knows what the reply is about.
type Command struct {
	Op     Op
	Master string // name of the monitored master the command is about
	Role   Role   // role of the target in that master's view
	Addr   Addr   // target instance

	Target   Addr          // OpReplicaOf: the new master
	Hello    Hello         // OpHello: the payload (Hello.Addr empty: the runtime fills in the link's local IP)
	Epoch    uint64        // OpAskMasterDown
	RunID    string        // OpAskMasterDown: own runid (vote request) or "*"
	MasterAt Addr          // OpAskMasterDown: the master's address
	Duration time.Duration // OpPauseWrites
	// Probe marks an OpPing sent to prove, before a reply to a client, that a master still
	// answers (State.ProbeMasters); the runtime releases the waiting reply with its answer.
	Probe bool
}

// Event is one sentinel event: published on the channel Type, logged with Warning's level.
type Event struct {
	Type    string
	Msg     string
	Warning bool
}

// Effects are what applying one input asks the runtime to do.
type Effects struct {
	Commands []Command
	Events   []Event
	// Persist asks for the state to be written to the config file.
	Persist bool
	// Exit asks the process to exit with this code (SENTINEL SIMULATE-FAILURE); 0: no exit.
	Exit int
	// Scripts are notification-script and client-reconfig-script runs to start.
	Scripts []Script
}

// Script is one run of a user script: the executable and its arguments.
type Script struct {
	Path string
	Args []string
}

func (e *Effects) send(c Command) { e.Commands = append(e.Commands, c) }
func (e *Effects) persist()       { e.Persist = true }
func (e *Effects) merge(o Effects) {
	e.Commands = append(e.Commands, o.Commands...)
	e.Events = append(e.Events, o.Events...)
	e.Persist = e.Persist || o.Persist
	e.Scripts = append(e.Scripts, o.Scripts...)
	if o.Exit != 0 {
		e.Exit = o.Exit
	}
}
