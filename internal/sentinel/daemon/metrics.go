package daemon

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"

	"github.com/failover-dev/redis-failover-operator/internal/promtext"
	"github.com/failover-dev/redis-failover-operator/internal/sentinel"
)

// MetricsPath is where the metrics listener serves the Prometheus text format.
const MetricsPath = "/metrics"

// metricsTimeout bounds one scrape connection: reading the request and writing the answer.
const metricsTimeout = 5 * time.Second

// metricsServer serves the engine's metrics and the process's own on their own port, so that
// the Redis protocol port stays exactly redis-sentinel's. It speaks just enough HTTP/1.x for a
// scraper (GET or HEAD of MetricsPath, one request per connection) rather than linking
// net/http, which with the Prometheus client library would more than double the binary and
// lift its idle RSS above stock redis-sentinel's (see promtext).
type metricsServer struct {
	ln     net.Listener
	engine *sentinel.Engine
	log    logr.Logger
}

func newMetricsServer(addr string, engine *sentinel.Engine, log logr.Logger) (*metricsServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr %s: %w", addr, err)
	}
	return &metricsServer{ln: ln, engine: engine, log: log}, nil
}

// serve answers scrapes until ctx ends, then waits for the connections in flight.
func (m *metricsServer) serve(ctx context.Context) error {
	go func() {
		<-ctx.Done()
		_ = m.ln.Close()
	}()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := m.ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		wg.Go(func() {
			defer func() { _ = conn.Close() }()
			if err := m.answer(conn); err != nil {
				m.log.V(1).Info("metrics request failed", "remote", conn.RemoteAddr().String(), "error", err.Error())
			}
		})
	}
}

// answer reads one request and writes one response, then the connection closes.
func (m *metricsServer) answer(conn net.Conn) error {
	if err := conn.SetDeadline(time.Now().Add(metricsTimeout)); err != nil {
		return err
	}
	// The limit keeps a request line without an end from growing the buffer without bound.
	method, target, err := readRequest(bufio.NewReader(io.LimitReader(conn, maxHeaderBytes+1)))
	if err != nil {
		_, _ = conn.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
		return err
	}
	path, _, _ := strings.Cut(target, "?")
	switch {
	case path != MetricsPath:
		msg := "metrics are at " + MetricsPath + "\n"
		_, err = conn.Write([]byte("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: " +
			strconv.Itoa(len(msg)) + "\r\nConnection: close\r\n\r\n" + msg))
		return err
	case method != "GET" && method != "HEAD":
		_, err = conn.Write([]byte("HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
		return err
	}
	var body bytes.Buffer
	fams := append(m.engine.MetricFamilies(), processFamilies()...)
	if err := promtext.Write(&body, fams); err != nil {
		return err
	}
	header := "HTTP/1.1 200 OK\r\nContent-Type: " + promtext.ContentType +
		"\r\nContent-Length: " + strconv.Itoa(body.Len()) + "\r\nConnection: close\r\n\r\n"
	if method == "HEAD" {
		_, err = conn.Write([]byte(header))
		return err
	}
	_, err = conn.Write(append([]byte(header), body.Bytes()...))
	return err
}

// maxHeaderBytes bounds what a request may send before its blank line.
const maxHeaderBytes = 16 << 10

// readRequest reads an HTTP/1.x request line and its header lines, which are not needed.
func readRequest(r *bufio.Reader) (method, target string, err error) {
	read := 0
	line := func() (string, error) {
		l, err := r.ReadString('\n')
		read += len(l)
		if err != nil {
			return "", err
		}
		if read > maxHeaderBytes {
			return "", fmt.Errorf("request header over %d bytes", maxHeaderBytes)
		}
		return strings.TrimRight(l, "\r\n"), nil
	}
	first, err := line()
	if err != nil {
		return "", "", fmt.Errorf("reading the request line: %w", err)
	}
	f := strings.Fields(first)
	if len(f) != 3 || !strings.HasPrefix(f[2], "HTTP/1.") {
		return "", "", fmt.Errorf("not an HTTP/1.x request line: %q", first)
	}
	for {
		h, err := line()
		if err != nil {
			return "", "", fmt.Errorf("reading the request header: %w", err)
		}
		if h == "" {
			return f[0], f[1], nil
		}
	}
}
