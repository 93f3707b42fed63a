package server

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

func TestShutdown(t *testing.T) {
	ts := startServer(t, Options{})
	c := dial(t, ts.addr)
	c.roundTrip("-ERR syntax error\r\n", "SHUTDOWN", "bogus")
	c.roundTrip("-ERR syntax error\r\n", "SHUTDOWN", "SAVE", "NOSAVE")
	c.roundTrip("-ERR No shutdown in progress.\r\n", "SHUTDOWN", "ABORT")

	ts.backend.mu.Lock()
	ts.backend.shutdownErr = errors.New("cannot write sentinel.conf")
	ts.backend.mu.Unlock()
	c.roundTrip("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", "SHUTDOWN")

	ts.backend.mu.Lock()
	ts.backend.shutdownErr = nil
	ts.backend.mu.Unlock()
	bystander := dial(t, ts.addr)
	bystander.roundTrip("+PONG\r\n", "PING")
	c.do("SHUTDOWN", "NOSAVE")
	// Like redis, no reply: the process goes away.
	c.expectClosed()
	select {
	case err := <-ts.done:
		if !errors.Is(err, ErrShutdown) {
			t.Fatalf("Serve returned %v, want ErrShutdown", err)
		}
		ts.done <- err // for the cleanup's check
	case <-time.After(ioTimeout):
		t.Fatal("Serve did not return after SHUTDOWN")
	}
	bystander.expectClosed()
	select {
	case <-ts.ShutdownRequested():
	default:
		t.Fatal("ShutdownRequested not closed after SHUTDOWN")
	}
	ts.backend.mu.Lock()
	defer ts.backend.mu.Unlock()
	if ts.backend.shutdowns != 2 {
		t.Fatalf("backend Shutdown called %d times, want 2 (one failed, one succeeded)", ts.backend.shutdowns)
	}
}

func TestMaxClients(t *testing.T) {
	ts := startServer(t, Options{MaxClients: 1})
	first := dial(t, ts.addr)
	first.roundTrip("+PONG\r\n", "PING")

	refused := dial(t, ts.addr)
	refused.expect("-ERR max number of clients reached\r\n")
	refused.expectClosed()

	first.do("INFO", "stats")
	if info := first.value().Str; !strings.Contains(info, "rejected_connections:1\r\n") {
		t.Fatalf("INFO stats does not count the refused connection:\n%s", info)
	}
	_ = first.nc.Close()
	poll.Eventually(t, ioTimeout, "the first client to be gone", ts.clientsConnected(0))
	dial(t, ts.addr).roundTrip("+PONG\r\n", "PING")
}

func TestSeveralListenAddresses(t *testing.T) {
	ts := startServer(t, Options{Addrs: []string{"127.0.0.1:0", "127.0.0.2:0"}})
	addrs := ts.Addrs()
	if len(addrs) != 2 {
		t.Fatalf("Addrs() = %v, want two listeners", addrs)
	}
	for _, a := range addrs {
		dial(t, a.String()).roundTrip("+PONG\r\n", "PING")
	}
}

func TestOptionsValidation(t *testing.T) {
	cases := []struct {
		opts Options
		want string
	}{
		{Options{}, "Addrs is empty"},
		{Options{Addrs: []string{":0"}, Users: []User{{Name: ""}}}, "Users[0] has an empty Name"},
		{Options{Addrs: []string{":0"}, Users: []User{{Name: "default"}}}, "set the default user's password with RequirePass"},
		{Options{Addrs: []string{":0"}, MaxClients: -1}, "must not be negative"},
	}
	for _, tc := range cases {
		if _, err := New(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want an error containing %q", tc.opts, err, tc.want)
		}
	}
	s, err := New(Options{Addrs: []string{"127.0.0.1:0"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(context.Background()); err == nil || !strings.Contains(err.Error(), "no Backend") {
		t.Fatalf("Serve without a backend = %v, want an error naming the missing Backend", err)
	}
	if _, err := New(Options{Addrs: []string{"127.0.0.1:0", "256.0.0.1:1"}}); err != nil {
		t.Fatalf("New should not listen yet: %v", err)
	}
	bad, _ := New(Options{Addrs: []string{"127.0.0.1:0", "256.0.0.1:1"}})
	if err := bad.Listen(); err == nil || !strings.Contains(err.Error(), "listening on 256.0.0.1:1") {
		t.Fatalf("Listen on a bad address = %v, want an error naming it", err)
	}
}
