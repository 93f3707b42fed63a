package promtext

import (
	"bytes"
	"math"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// What Write produces is read back with Prometheus' own parser, the one a Prometheus server
// scrapes with, so that escaping and number formats are checked against the real thing.
func TestWriteParsesWithPrometheusParser(t *testing.T) {
	fams := []Family{
		{Name: "a_total", Help: `counts "things" \ with a
newline`, Type: Counter, Samples: []Sample{
			{Labels: []Label{{"master", `odd "name" \ and
newline`}, {"result", "success"}}, Value: 3},
			{Labels: []Label{{"master", "other"}, {"result", "success"}}, Value: 0},
		}},
		{Name: "b", Help: "a gauge without labels", Type: Gauge, Samples: []Sample{{Value: 0.000125}}},
		{Name: "c", Help: "special values", Type: Gauge, Samples: []Sample{
			{Labels: []Label{{"v", "inf"}}, Value: math.Inf(1)},
			{Labels: []Label{{"v", "big"}}, Value: 1.5e12},
		}},
		{Name: "d", Help: "no samples yet", Type: Gauge},
	}
	var buf bytes.Buffer
	if err := Write(&buf, fams); err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	got, err := parser.TextToMetricFamilies(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("Prometheus' parser refused the output: %v\n%s", err, buf.String())
	}
	a := got["a_total"]
	if a == nil || a.GetHelp() != fams[0].Help || a.GetType().String() != "COUNTER" || len(a.GetMetric()) != 2 {
		t.Fatalf("a_total parsed as %v", a)
	}
	m := a.GetMetric()[0]
	if m.GetLabel()[0].GetValue() != fams[0].Samples[0].Labels[0].Value || m.GetCounter().GetValue() != 3 {
		t.Errorf("a_total's first sample parsed as %v", m)
	}
	if v := got["b"].GetMetric()[0].GetGauge().GetValue(); v != 0.000125 {
		t.Errorf("b = %v, want 0.000125", v)
	}
	c := got["c"].GetMetric()
	if !math.IsInf(c[0].GetGauge().GetValue(), 1) || c[1].GetGauge().GetValue() != 1.5e12 {
		t.Errorf("c parsed as %v", c)
	}
	// A family without samples is legal text and carries nothing: the parser drops it.
	if d := got["d"]; d != nil && len(d.GetMetric()) != 0 {
		t.Errorf("d parsed as %v", d)
	}
}
