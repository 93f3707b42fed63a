package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/failover-dev/redis-failover-operator/internal/sentinel"
)

// MetricsPath is where the metrics listener serves the Prometheus text format.
const MetricsPath = "/metrics"

// metricsServer serves the engine's metrics and the process's RSS and CPU on their own port,
// so that the Redis protocol port stays exactly redis-sentinel's. It uses a private registry:
// the Go runtime collector's dozens of series are not worth their cost in a process this small.
type metricsServer struct {
	ln  net.Listener
	srv *http.Server
}

func newMetricsServer(addr string, engine *sentinel.Engine) (*metricsServer, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(sentinel.NewCollector(engine), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle(MetricsPath, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr %s: %w", addr, err)
	}
	return &metricsServer{ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}}, nil
}

// serve runs until ctx ends.
func (m *metricsServer) serve(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = m.srv.Shutdown(shutdownCtx)
	}()
	err := m.srv.Serve(m.ln)
	<-done
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
