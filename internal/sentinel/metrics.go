package sentinel

import (
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metric names the sentinel exports (see NewCollector). Dashboards and alerts use them; keep
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

var (
	descMasterState = prometheus.NewDesc(MetricMasterState,
		"1 for the master's current state as this sentinel sees it (ok, sdown: subjectively down, odown: objectively down), 0 for the others.",
		[]string{"master", "state"}, nil)
	descFailoverInProgress = prometheus.NewDesc(MetricFailoverInProgress,
		"1 while this sentinel is running a failover of the master.", []string{"master"}, nil)
	descFailoversStarted = prometheus.NewDesc(MetricFailoversStarted,
		"Failovers this sentinel tried to start (+try-failover), since the process started.", []string{"master"}, nil)
	descFailoversFinished = prometheus.NewDesc(MetricFailoversFinished,
		"Failovers this sentinel ended, by result (success, timeout, aborted), since the process started.",
		[]string{"master", "result"}, nil)
	descCurrentEpoch = prometheus.NewDesc(MetricCurrentEpoch,
		"The sentinel's current epoch (increases with every failover election).", nil, nil)
	descConfigEpoch = prometheus.NewDesc(MetricConfigEpoch,
		"The epoch of the master's current configuration (the failover that made it master).", []string{"master"}, nil)
	descKnownReplicas = prometheus.NewDesc(MetricKnownReplicas,
		"Replicas this sentinel knows for the master.", []string{"master"}, nil)
	descKnownSentinels = prometheus.NewDesc(MetricKnownSentinels,
		"Other sentinels this sentinel knows monitor the master (itself not counted).", []string{"master"}, nil)
	descLinkRTT = prometheus.NewDesc(MetricLinkRTT,
		"Round-trip time of the latest PING answered on the link to the instance (absent until one is answered).",
		[]string{"master", "instance", "role"}, nil)
	descTilt = prometheus.NewDesc(MetricTilt,
		"1 while the sentinel is in TILT mode (it saw its clock jump and acts on nothing).", nil, nil)
)

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

// Collector exports the engine's state to Prometheus; every value is read under the engine's
// lock when scraped.
type Collector struct{ e *Engine }

// NewCollector returns the engine's Prometheus collector.
func NewCollector(e *Engine) *Collector { return &Collector{e: e} }

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descMasterState, descFailoverInProgress, descFailoversStarted,
		descFailoversFinished, descCurrentEpoch, descConfigEpoch, descKnownReplicas, descKnownSentinels,
		descLinkRTT, descTilt} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	e := c.e
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.state
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	boolean := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	gauge(descCurrentEpoch, float64(s.CurrentEpoch))
	tilt, _ := s.Tilted()
	gauge(descTilt, boolean(tilt))
	for _, m := range s.sortedMasters() {
		name := m.Config.Name
		state := masterStateOf(m.Instance)
		for _, st := range []string{"ok", "sdown", "odown"} {
			gauge(descMasterState, boolean(st == state), name, st)
		}
		gauge(descFailoverInProgress, boolean(m.inFailover()), name)
		counter(descFailoversStarted, e.metrics.started[name], name)
		for _, r := range []string{FailoverResultSuccess, FailoverResultTimeout, FailoverResultAborted} {
			counter(descFailoversFinished, e.metrics.finished[finishKey{name, r}], name, r)
		}
		gauge(descConfigEpoch, float64(m.ConfigEpoch), name)
		gauge(descKnownReplicas, float64(len(m.Replicas)), name)
		gauge(descKnownSentinels, float64(len(m.Sentinels)), name)
		rtt := func(inst *Instance, role string) {
			if d, ok := e.metrics.rtt[inst.Addr.String()]; ok {
				gauge(descLinkRTT, d.Seconds(), name, inst.Addr.String(), role)
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
