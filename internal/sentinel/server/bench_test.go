package server

import (
	"io"
	"testing"
)

// BenchmarkPingRoundTrip measures one request/reply over loopback TCP, pipelined 100 deep.
func BenchmarkPingRoundTrip(b *testing.B) {
	ts := startServer(b, Options{})
	c := dial(b, ts.addr)
	const depth = 100
	batch := ""
	want := ""
	for i := 0; i < depth; i++ {
		batch += "*1\r\n$4\r\nPING\r\n"
		want += "+PONG\r\n"
	}
	buf := make([]byte, len(want))
	b.ResetTimer()
	for i := 0; i < b.N; i += depth {
		if _, err := io.WriteString(c.nc, batch); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c.br, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPublishFanOut measures Publish to 10 subscribers that drain their sockets.
func BenchmarkPublishFanOut(b *testing.B) {
	ts := startServer(b, Options{})
	for i := 0; i < 10; i++ {
		c := dial(b, ts.addr)
		c.do("SUBSCRIBE", "+switch-master")
		c.value()
		go func() { _, _ = io.Copy(io.Discard, c.br) }()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ts.Publish("+switch-master", "mymaster 127.0.0.1 6390 127.0.0.1 6391")
	}
	b.StopTimer()
	if n := ts.connectedClients(); n != 10 {
		b.Logf("%d of 10 subscribers were disconnected for falling behind", 10-n)
	}
}
