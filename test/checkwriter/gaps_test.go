package checkwriter

import (
	"testing"
	"time"
)

func TestLongestGapAndGapAround(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	// Acks every 10 ms, an outage from 30 to 530 ms, a shorter one from 600 to 800 ms.
	acks := []time.Time{at(0), at(10), at(20), at(30), at(530), at(540), at(600), at(800), at(810)}

	longest := []struct {
		name     string
		from, to time.Time
		want     Gap
	}{
		{"whole run", time.Time{}, time.Time{}, Gap{at(30), at(530)}},
		{"window inside the long outage", at(100), at(200), Gap{at(30), at(530)}},
		{"window after the long outage", at(530), time.Time{}, Gap{at(600), at(800)}},
		{"window starting as the outage ends", at(530), at(560), Gap{at(540), at(600)}},
		{"window before everything", at(-100), at(-50), Gap{}},
		{"window after everything", at(900), time.Time{}, Gap{}},
		{"open start, ends in the second outage", time.Time{}, at(700), Gap{at(30), at(530)}},
	}
	for _, tc := range longest {
		t.Run("longest/"+tc.name, func(t *testing.T) {
			if got := longestGap(acks, tc.from, tc.to); got != tc.want {
				t.Errorf("longestGap = %v..%v, want %v..%v", got.From.Sub(t0), got.To.Sub(t0), tc.want.From.Sub(t0), tc.want.To.Sub(t0))
			}
		})
	}

	around := []struct {
		name string
		m    time.Time
		want Gap
	}{
		{"inside the outage", at(250), Gap{at(30), at(530)}},
		{"exactly on an ack: the interval after it", at(30), Gap{at(30), at(530)}},
		{"before the first ack", at(-1), Gap{}},
		{"at the last ack", at(810), Gap{}},
	}
	for _, tc := range around {
		t.Run("around/"+tc.name, func(t *testing.T) {
			if got := gapAround(acks, tc.m); got != tc.want {
				t.Errorf("gapAround = %v..%v, want %v..%v", got.From.Sub(t0), got.To.Sub(t0), tc.want.From.Sub(t0), tc.want.To.Sub(t0))
			}
		})
	}

	if d := (Gap{at(30), at(530)}).Duration(); d != 500*time.Millisecond {
		t.Errorf("Duration = %v, want 500ms", d)
	}
	if d := (Gap{}).Duration(); d != 0 {
		t.Errorf("zero Gap Duration = %v, want 0", d)
	}
	if g := longestGap(acks[:1], time.Time{}, time.Time{}); g != (Gap{}) {
		t.Errorf("one ack has no gap, got %v", g)
	}
}
