package sentinel

import "testing"

func TestCountEvent(t *testing.T) {
	var m engineMetrics
	for _, ev := range []Event{
		{Type: "+try-failover", Msg: "master mymaster 127.0.0.1 6379"},
		{Type: "+try-failover", Msg: "master mymaster 127.0.0.1 6379"},
		{Type: "-failover-abort-not-elected", Msg: "master mymaster 127.0.0.1 6379"},
		{Type: "-failover-abort-no-good-slave", Msg: "master other 127.0.0.1 6380"},
		{Type: "+failover-end-for-timeout", Msg: "master mymaster 127.0.0.1 6379"},
		{Type: "+failover-end", Msg: "master mymaster 127.0.0.1 6379"},
		{Type: "+sdown", Msg: "master mymaster 127.0.0.1 6379"},             // not a failover event
		{Type: "+try-failover", Msg: "slave 127.0.0.1:6380 127.0.0.1 6380"}, // not about a master: ignored
	} {
		m.countEvent(ev)
	}
	if got := m.started["mymaster"]; got != 2 {
		t.Errorf("started mymaster = %v, want 2", got)
	}
	for k, want := range map[finishKey]float64{
		{"mymaster", FailoverResultAborted}: 1,
		{"other", FailoverResultAborted}:    1,
		{"mymaster", FailoverResultTimeout}: 1,
		{"mymaster", FailoverResultSuccess}: 1,
	} {
		if got := m.finished[k]; got != want {
			t.Errorf("finished %v = %v, want %v", k, got, want)
		}
	}
	if len(m.finished) != 4 || len(m.started) != 1 {
		t.Errorf("unexpected counts: started %v finished %v", m.started, m.finished)
	}
}

func TestMasterStateOf(t *testing.T) {
	for _, c := range []struct {
		flags flag
		want  string
	}{{0, "ok"}, {flagSDown, "sdown"}, {flagSDown | flagODown, "odown"}, {flagFailoverInProgress, "ok"}} {
		if got := masterStateOf(&Instance{flags: c.flags}); got != c.want {
			t.Errorf("flags %b: %q, want %q", c.flags, got, c.want)
		}
	}
}
