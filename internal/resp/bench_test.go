package resp

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkReadCommand measures parsing of a typical sentinel-to-sentinel command.
func BenchmarkReadCommand(b *testing.B) {
	cmd := "*6\r\n$8\r\nSENTINEL\r\n$22\r\nis-master-down-by-addr\r\n$9\r\n127.0.0.1\r\n$4\r\n6391\r\n$1\r\n4\r\n$1\r\n*\r\n"
	input := strings.Repeat(cmd, 1000)
	b.SetBytes(int64(len(cmd)))
	b.ReportAllocs()
	var r *Reader
	for i := 0; i < b.N; i++ {
		if i%1000 == 0 {
			r = NewReader(bufio.NewReader(strings.NewReader(input)), ServerLimits)
		}
		if _, err := r.ReadCommand(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadValueInfo measures reading an INFO reply, the largest thing a sentinel reads
// regularly (every 10 s per instance, every second during failovers).
func BenchmarkReadValueInfo(b *testing.B) {
	info := "# Server\r\n" + strings.Repeat("some_field_name:some_value_12345\r\n", 120)
	raw := "$" + itoa(len(info)) + "\r\n" + info + "\r\n"
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r := NewReader(bufio.NewReader(strings.NewReader(raw)), ClientLimits)
		if _, err := r.ReadValue(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteMasterReply measures encoding a SENTINEL MASTER reply in RESP3.
func BenchmarkWriteMasterReply(b *testing.B) {
	fields := make([]Field, 20)
	for i := range fields {
		fields[i] = Field{Name: "field-name-" + itoa(i), Value: "value-" + itoa(i)}
	}
	v := FieldMap(fields)
	w := NewWriter(bufio.NewWriter(io.Discard))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := w.WriteValue(v, 3); err != nil {
			b.Fatal(err)
		}
	}
	_ = w.Flush()
}

func itoa(n int) string { return strconv.Itoa(n) }
