package sentinel

import (
	"strconv"
	"strings"
	"time"
)

// Params are the timing constants of sentinel.c that `SENTINEL DEBUG` exposes and changes.
type Params struct {
	InfoPeriod             time.Duration
	PingPeriod             time.Duration
	AskPeriod              time.Duration
	PublishPeriod          time.Duration
	DefaultDownAfter       time.Duration
	DefaultFailoverTimeout time.Duration
	TiltTrigger            time.Duration
	TiltPeriod             time.Duration
	SlaveReconfTimeout     time.Duration
	MinLinkReconnectPeriod time.Duration
	ElectionTimeout        time.Duration
	ScriptMaxRuntime       time.Duration
	ScriptRetryDelay       time.Duration
}

// DefaultParams are redis-sentinel 7.0.15's defaults.
func DefaultParams() Params {
	return Params{
		InfoPeriod:             10 * time.Second,
		PingPeriod:             time.Second,
		AskPeriod:              time.Second,
		PublishPeriod:          2 * time.Second,
		DefaultDownAfter:       30 * time.Second,
		DefaultFailoverTimeout: 180 * time.Second,
		TiltTrigger:            2 * time.Second,
		TiltPeriod:             30 * time.Second,
		SlaveReconfTimeout:     10 * time.Second,
		MinLinkReconnectPeriod: 15 * time.Second,
		ElectionTimeout:        10 * time.Second,
		ScriptMaxRuntime:       60 * time.Second,
		ScriptRetryDelay:       30 * time.Second,
	}
}

// debugParam names one Params field the way SENTINEL DEBUG prints it, in its order.
type debugParam struct {
	name  string
	field func(*Params) *time.Duration
}

var debugParams = []debugParam{
	{"INFO-PERIOD", func(p *Params) *time.Duration { return &p.InfoPeriod }},
	{"PING-PERIOD", func(p *Params) *time.Duration { return &p.PingPeriod }},
	{"ASK-PERIOD", func(p *Params) *time.Duration { return &p.AskPeriod }},
	{"PUBLISH-PERIOD", func(p *Params) *time.Duration { return &p.PublishPeriod }},
	{"DEFAULT-DOWN-AFTER", func(p *Params) *time.Duration { return &p.DefaultDownAfter }},
	{"DEFAULT-FAILOVER-TIMEOUT", func(p *Params) *time.Duration { return &p.DefaultFailoverTimeout }},
	{"TILT-TRIGGER", func(p *Params) *time.Duration { return &p.TiltTrigger }},
	{"TILT-PERIOD", func(p *Params) *time.Duration { return &p.TiltPeriod }},
	{"SLAVE-RECONF-TIMEOUT", func(p *Params) *time.Duration { return &p.SlaveReconfTimeout }},
	{"MIN-LINK-RECONNECT-PERIOD", func(p *Params) *time.Duration { return &p.MinLinkReconnectPeriod }},
	{"ELECTION-TIMEOUT", func(p *Params) *time.Duration { return &p.ElectionTimeout }},
	{"SCRIPT-MAX-RUNTIME", func(p *Params) *time.Duration { return &p.ScriptMaxRuntime }},
	{"SCRIPT-RETRY-DELAY", func(p *Params) *time.Duration { return &p.ScriptRetryDelay }},
}

// setDebug applies name/value pairs (milliseconds) in order, like
// sentinelSetDebugConfigParameters: the first unknown name, name without a value, or value that
// is not a positive integer ends the call with an error, the pairs before it applied.
func (p *Params) setDebug(args []string) error {
	for i := 0; i < len(args); i += 2 {
		name := strings.ToUpper(args[i])
		var found *debugParam
		for j := range debugParams {
			if debugParams[j].name == name {
				found = &debugParams[j]
			}
		}
		if found == nil || i+1 == len(args) {
			return errUnknownDebugParam(args[i])
		}
		ms, err := strconv.ParseInt(args[i+1], 10, 64)
		if err != nil || ms <= 0 {
			return errBadDebugValue(args[i+1], args[i])
		}
		*found.field(p) = time.Duration(ms) * time.Millisecond
	}
	return nil
}
