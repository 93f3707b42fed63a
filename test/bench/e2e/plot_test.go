package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/test/checkwriter"
)

func TestTimelineSVG(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	var writes []checkwriter.Write
	for i := -50; i < 300; i++ {
		if i >= 100 && i < 130 { // the outage: 300 ms without acknowledgements
			continue
		}
		writes = append(writes, checkwriter.Write{Seq: int64(i), Sent: at(i * 10), Acked: at(i*10 + 1)})
	}
	writes = append(writes, checkwriter.Write{Seq: 999, Sent: at(1100), Err: "READONLY"})
	in := plotInput{
		title:  "graceful master pod deletion, ours, run 1",
		t0:     t0,
		writes: writes,
		events: []sentinelEvent{
			{at: at(1005), channel: "+failover-state-pause-master"},
			{at: at(1200), channel: "+switch-master", payload: "cache 10.0.0.1 6379 10.0.0.2 6379"},
			// A second sentinel's +switch-master is not drawn again; +slave is no milestone.
			{at: at(1210), channel: "+switch-master", payload: "cache 10.0.0.1 6379 10.0.0.2 6379"},
			{at: at(1300), channel: "+slave"},
		},
		roles: []roleEvent{{at: at(1400), pod: "rfr-cache-1", role: "master"}},
		gap:   checkwriter.Gap{From: at(991), To: at(1301)},
	}
	svg := timelineSVG(in)

	// Well-formed XML, an <svg> root.
	dec := xml.NewDecoder(strings.NewReader(svg))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q, want svg", root)
	}
	for _, want := range []string{
		"longest gap 310 ms",
		"+failover-state-pause-master (+1005 ms)",
		"+switch-master (+1200 ms)",
		"rfr-cache-1 master (+1400 ms)",
		`stroke="#d22"`, // the failed write
		"graceful master pod deletion, ours, run 1",
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the picture lacks %q", want)
		}
	}
	if n := strings.Count(svg, "+switch-master ("); n != 1 {
		t.Errorf("+switch-master drawn %d times, want once (the first sentinel's)", n)
	}
	// Two steps 5 ms apart get labels at least a line apart.
	in.events = append(in.events, sentinelEvent{at: at(1205), channel: "+failover-end"})
	xs := labelXs(timelineSVG(in))
	for i := 1; i < len(xs); i++ {
		if xs[i]-xs[i-1] < plotLabelStep-0.01 {
			t.Errorf("labels %d and %d are %.1f px apart, want at least %d", i-1, i, xs[i]-xs[i-1], plotLabelStep)
		}
	}
	if strings.Contains(svg, "+slave (") {
		t.Error("a non-milestone event was drawn")
	}
	// 320 acknowledged writes are drawn, from 500 ms before t0 (the window's start) on.
	if got := strings.Count(svg, `stroke="#2a2"`); got != 320 {
		t.Errorf("%d acknowledged writes drawn, want 320 (those from t0-500ms to the window's end)", got)
	}
}

// labelXs are the x positions of the rotated labels, in document order.
func labelXs(svg string) []float64 {
	var xs []float64
	for _, part := range strings.Split(svg, `<text transform="translate(`)[1:] {
		var x, y float64
		if _, err := fmt.Sscanf(part, "%f,%f", &x, &y); err == nil {
			xs = append(xs, x)
		}
	}
	return xs
}
