package sentinel

import (
	"strings"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/promtext"
)

// Metric names the sentinel exports (see Engine.MetricFamilies). Dashboards and alerts use them; keep
// them stable.
const (
	MetricMasterState        = "redis_failover_sentinel_master_state"
	MetricFailoverInProgress = "redis_failover_sentinel_failover_in_progress"
	MetricFailoversStarted   = "redis_failover_sentinel_failovers_started_total"
	MetricFailoversFinished  = "redis_failover_sentinel_failovers_finished_total"
	MetricCurrentEpoch       = "redis_failover_sentinel_current_epoch"
	MetricConfigEpoch        = "redis_failover_sentinel_config_epoch"
	MetricKnownReplicas      = "redis_failover_sentinel_known_replicas"
	MetricKnownSentinels     = "redis_failover_sentinel_known_sentinels"
	MetricLinkRTT            = "redis_failover_sentinel_link_rtt_seconds"
	MetricTilt               = "redis_failover_sentinel_tilt"
)

// Failover results, the `result` label of MetricFailoversFinished.
const (
	FailoverResultSuccess = "success" // +failover-end
	FailoverResultTimeout = "timeout" // +failover-end-for-timeout: ended before every replica was reconfigured
	FailoverResultAborted = "aborted" // any -failover-abort-*
)

// metricHelp is each metric's HELP text.
var metricHelp = map[string]string{
	MetricCurrentEpoch:       "The sentinel's current epoch (increases with every failover election).",
	MetricTilt:               "1 while the sentinel is in TILT mode (it saw its clock jump and acts on nothing).",
	MetricMasterState:        "1 for the master's current state as this sentinel sees it (ok, sdown: subjectively down, odown: objectively down), 0 for the others.",
	MetricFailoverInProgress: "1 while this sentinel is running a failover of the master.",
	MetricFailoversStarted:   "Failovers this sentinel tried to start (+try-failover), since the process started.",
	MetricFailoversFinished:  "Failovers this sentinel ended, by result (success, timeout, aborted), since the process started.",
	MetricConfigEpoch:        "The epoch of the master's current configuration (the failover that made it master).",
	MetricKnownReplicas:      "Replicas this sentinel knows for the master.",
	MetricKnownSentinels:     "Other sentinels this sentinel knows monitor the master (itself not counted).",
	MetricLinkRTT:            "Round-trip time of the latest PING answered on the link to the instance (absent until one is answered).",
}

// engineMetrics holds what the state machine does not keep itself: event counts and link
// round-trip times. It is guarded by Engine.mu and costs a map update per failover event and
// per PING reply; everything else is read from the state at scrape time.
type engineMetrics struct {
	started  map[string]float64    // by master
	finished map[finishKey]float64 // by master and result
	rtt      map[string]time.Duration
}

type finishKey struct{ master, result string }

// countEvent counts the failover start and end events. The master's name is the second field
// of the event text: every failover event is about the master itself, "master <name> <ip> <port>".
func (m *engineMetrics) countEvent(ev Event) {
	var result string
	switch {
	case ev.Type == "+try-failover":
	case ev.Type == "+failover-end":
		result = FailoverResultSuccess
	case ev.Type == "+failover-end-for-timeout":
		result = FailoverResultTimeout
	case strings.HasPrefix(ev.Type, "-failover-abort-"):
		result = FailoverResultAborted
	default:
		return
	}
	f := strings.Fields(ev.Msg)
	if len(f) < 2 || f[0] != "master" {
		return
	}
	if result == "" {
		if m.started == nil {
			m.started = map[string]float64{}
		}
		m.started[f[1]]++
		return
	}
	if m.finished == nil {
		m.finished = map[finishKey]float64{}
	}
	m.finished[finishKey{f[1], result}]++
}

// observeReply records a PING's round trip, from the latest PING sent on the link (pings go
// out once a second, far apart from the round trips they measure). It runs before the state
// takes the reply; e.mu is held.
func (e *Engine) observeReply(cmd Command, err error) {
	if cmd.Op != OpPing || err != nil {
		return
	}
	key := cmd.Addr.String()
	l := e.state.links[key]
	if l == nil || l.lastPingTime.IsZero() {
		return
	}
	if e.metrics.rtt == nil {
		e.metrics.rtt = map[string]time.Duration{}
	}
	e.metrics.rtt[key] = max(e.now().Sub(l.lastPingTime), 0)
}

// MetricFamilies reads the engine's metrics from its state, under the engine's lock; the
// daemon writes them in the Prometheus text format when scraped.
func (e *Engine) MetricFamilies() []promtext.Family {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.state
	fams := map[string]*promtext.Family{}
	order := []struct {
		name string
		typ  promtext.Type
	}{
		{MetricCurrentEpoch, promtext.Gauge}, {MetricTilt, promtext.Gauge}, {MetricMasterState, promtext.Gauge},
		{MetricFailoverInProgress, promtext.Gauge}, {MetricFailoversStarted, promtext.Counter},
		{MetricFailoversFinished, promtext.Counter}, {MetricConfigEpoch, promtext.Gauge},
		{MetricKnownReplicas, promtext.Gauge}, {MetricKnownSentinels, promtext.Gauge}, {MetricLinkRTT, promtext.Gauge},
	}
	out := make([]promtext.Family, len(order))
	for i, o := range order {
		out[i] = promtext.Family{Name: o.name, Help: metricHelp[o.name], Type: o.typ}
		fams[o.name] = &out[i]
	}
	add := func(name string, v float64, labels ...string) {
		smp := promtext.Sample{Value: v}
		for i := 0; i+1 < len(labels); i += 2 {
			smp.Labels = append(smp.Labels, promtext.Label{Name: labels[i], Value: labels[i+1]})
		}
		fams[name].Samples = append(fams[name].Samples, smp)
	}
	boolean := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	add(MetricCurrentEpoch, float64(s.CurrentEpoch))
	tilt, _ := s.Tilted()
	add(MetricTilt, boolean(tilt))
	for _, m := range s.sortedMasters() {
		name := m.Config.Name
		state := masterStateOf(m.Instance)
		for _, st := range []string{"ok", "sdown", "odown"} {
			add(MetricMasterState, boolean(st == state), "master", name, "state", st)
		}
		add(MetricFailoverInProgress, boolean(m.inFailover()), "master", name)
		add(MetricFailoversStarted, e.metrics.started[name], "master", name)
		for _, r := range []string{FailoverResultSuccess, FailoverResultTimeout, FailoverResultAborted} {
			add(MetricFailoversFinished, e.metrics.finished[finishKey{name, r}], "master", name, "result", r)
		}
		add(MetricConfigEpoch, float64(m.ConfigEpoch), "master", name)
		add(MetricKnownReplicas, float64(len(m.Replicas)), "master", name)
		add(MetricKnownSentinels, float64(len(m.Sentinels)), "master", name)
		rtt := func(inst *Instance, role string) {
			if d, ok := e.metrics.rtt[inst.Addr.String()]; ok {
				add(MetricLinkRTT, d.Seconds(), "master", name, "instance", inst.Addr.String(), "role", role)
			}
		}
		rtt(m.Instance, "master")
		for _, r := range m.sortedReplicas() {
			rtt(r, "replica")
		}
		for _, si := range m.sortedSentinels() {
			rtt(si, "sentinel")
		}
	}
	// Forget round-trip times of addresses the state no longer links to.
	for k := range e.metrics.rtt {
		if _, ok := s.links[k]; !ok {
			delete(e.metrics.rtt, k)
		}
	}
	return out
}

// masterStateOf is the master_state label: odown takes precedence over sdown, which every
// odown master also has.
func masterStateOf(i *Instance) string {
	switch {
	case i.has(flagODown):
		return "odown"
	case i.has(flagSDown):
		return "sdown"
	}
	return "ok"
}
