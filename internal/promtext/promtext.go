// Package promtext writes metrics in the Prometheus text exposition format (version 0.0.4).
//
// The sentinel serves its metrics with it instead of the Prometheus client library: that
// library, with net/http and protobuf behind it, more than doubles the sentinel's binary and
// raises its idle RSS above stock redis-sentinel's, while the sentinel needs no more than a few
// gauges and counters it reads from its state at scrape time.
package promtext

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"strings"
)

// ContentType is the HTTP Content-Type of the format Write produces.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Type is a metric family's type line.
type Type string

// The types the sentinel uses.
const (
	Gauge   Type = "gauge"
	Counter Type = "counter"
)

// Family is one metric: its name, help text, type and samples.
type Family struct {
	Name    string
	Help    string
	Type    Type
	Samples []Sample
}

// Sample is one value of a family, with its label pairs in order.
type Sample struct {
	Labels []Label
	Value  float64
}

// Label is one label pair.
type Label struct{ Name, Value string }

// Write writes the families in the text format. Names and label names are written as given:
// they are the callers' constants, not user input. Help texts and label values are escaped.
func Write(w io.Writer, fams []Family) error {
	bw := bufio.NewWriter(w)
	for _, f := range fams {
		bw.WriteString("# HELP " + f.Name + " " + helpEscaper.Replace(f.Help) + "\n")
		bw.WriteString("# TYPE " + f.Name + " " + string(f.Type) + "\n")
		for _, s := range f.Samples {
			bw.WriteString(f.Name)
			if len(s.Labels) > 0 {
				bw.WriteByte('{')
				for i, l := range s.Labels {
					if i > 0 {
						bw.WriteByte(',')
					}
					bw.WriteString(l.Name + `="` + labelEscaper.Replace(l.Value) + `"`)
				}
				bw.WriteByte('}')
			}
			bw.WriteByte(' ')
			bw.WriteString(formatValue(s.Value))
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func formatValue(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
