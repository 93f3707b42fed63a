package checkwriter

import (
	"sort"
	"time"
)

// Gap is an interval without acknowledged writes: From is the last acknowledgement before it,
// To the first one after it. A writer that is healthy acknowledges about every Interval, so a
// Gap of a few Intervals is noise and anything longer is an outage as the client saw it.
type Gap struct {
	From, To time.Time
}

// Duration is the length of the gap; zero for the zero Gap.
func (g Gap) Duration() time.Duration {
	if g.From.IsZero() || g.To.IsZero() {
		return 0
	}
	return g.To.Sub(g.From)
}

// longestGap returns the longest interval between consecutive acknowledgement times (sorted,
// ascending) among the intervals that overlap [from, to]. A zero from or to leaves that side
// open. It is the zero Gap when fewer than two acknowledgements bound such an interval.
func longestGap(acks []time.Time, from, to time.Time) Gap {
	var best Gap
	for i := 0; i+1 < len(acks); i++ {
		a, b := acks[i], acks[i+1]
		if !from.IsZero() && !b.After(from) {
			continue
		}
		if !to.IsZero() && !a.Before(to) {
			break
		}
		if g := (Gap{From: a, To: b}); g.Duration() > best.Duration() {
			best = g
		}
	}
	return best
}

// gapAround returns the interval between the last acknowledgement at or before m and the first
// one after m: the outage a client saw at moment m. It is the zero Gap when m is not bounded
// by acknowledgements on both sides.
func gapAround(acks []time.Time, m time.Time) Gap {
	i := sort.Search(len(acks), func(i int) bool { return acks[i].After(m) })
	if i == 0 || i == len(acks) {
		return Gap{}
	}
	return Gap{From: acks[i-1], To: acks[i]}
}
