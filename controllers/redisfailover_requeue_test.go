package controllers

import (
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/topology"
)

func TestRequeueAfter(t *testing.T) {
	r := &RedisFailoverReconciler{ResyncPeriod: 5 * time.Minute}
	// One master, nothing out of sync, all 3 sentinels agreeing: Ready.
	ready := topology.Health{Master: "rfr-0", Masters: []string{"rfr-0"}, SentinelsExpected: 3, Agreeing: 3}
	if !ready.Ready() {
		t.Fatalf("the Ready fixture is not Ready: %+v", ready)
	}
	cases := []struct {
		name      string
		d         topology.Decision
		h         topology.Health
		switching bool
		want      time.Duration
	}{
		{name: "acting", d: topology.Decision{Actions: []topology.Action{{Kind: topology.ConfigSet}}}, want: requeueActing},
		{name: "waiting", d: topology.Decision{Waiting: "for the sentinels"}, want: requeueActing},
		// A switchover waits on things that send no event (a sentinel reading a new
		// replica-priority from INFO every 10 s): without a prompt requeue it stalled until the
		// resync period, long after its own timeout.
		{name: "switchover in progress, nothing else to do", switching: true, h: ready, want: requeueActing},
		{name: "not ready", want: requeueUnhealthy},
		{name: "ready and idle", h: ready, want: 5 * time.Minute},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := r.requeueAfter(c.d, c.h, c.switching); got != c.want {
				t.Errorf("requeueAfter = %v, want %v", got, c.want)
			}
		})
	}
}
