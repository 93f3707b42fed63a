//go:build linux

package sentinel

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// TestRepliesShowAMasterLinkTheKilledMasterClosed holds the race node-redis's createSentinel
// lost against our sentinel: the client sees its connection to a killed master drop and asks
// SENTINEL MASTER within milliseconds, before the sentinel's link goroutines have reported the
// same drop, and while a reply it has not read yet sits in front of the close. The link here
// runs no goroutines (openIdleLink), the widest form of that race; its
// connection is real, to a real redis-server that is then killed. The reply must say
// "disconnected" already, or node-redis reconnects to the dead address for good.
func TestRepliesShowAMasterLinkTheKilledMasterClosed(t *testing.T) {
	srv := redistest.StartServer(t, redistest.ServerOptions{})
	te := newLinkTestEngine(t)
	l := te.linkTo(linkTestMaster)
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	l.mu.Lock()
	l.conn = conn
	l.mu.Unlock()
	if flags := masterFlags(t, te); flags != "master" {
		t.Fatalf("flags %q with the link up, want %q", flags, "master")
	}

	// A reply the link's reader has not read yet sits in front of the close.
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 10*time.Second, "the PONG to wait unread on the link", func(context.Context) error {
		if n := unreadBytes(t, conn); n == 0 {
			return errors.New("nothing received yet")
		}
		return nil
	})

	// A second connection is the client's: its EOF is what the client reacts to.
	client, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	srv.Kill()
	if err := client.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !isReset(err) {
		t.Fatalf("the client's connection to the killed server: %v, want EOF", err)
	}

	if flags := masterFlags(t, te); !strings.Contains(flags, "disconnected") {
		t.Fatalf("SENTINEL MASTER flags %q after the master closed the link, want disconnected", flags)
	}
	// The live replica link is left alone.
	if flags, _ := te.view(linkTestReplica); flags != "slave" {
		t.Fatalf("replica flags %q, want slave", flags)
	}
}

// unreadBytes is the size of conn's receive queue (SIOCINQ).
func unreadBytes(t *testing.T, conn net.Conn) int {
	t.Helper()
	rc, err := conn.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := rc.Control(func(fd uintptr) {
		n, err = unix.IoctlGetInt(int(fd), unix.SIOCINQ)
	}); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatalf("SIOCINQ: %v", err)
	}
	return n
}

func isReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "connection reset")
}

func masterFlags(t *testing.T, te *linkTestEngine) string {
	t.Helper()
	v := te.Sentinel([]string{"master", "mymaster"})
	if v.Kind == resp.KindError {
		t.Fatalf("SENTINEL MASTER: %s", v.Str)
	}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if v.Elems[i].Str == "flags" {
			return v.Elems[i+1].Str
		}
	}
	t.Fatalf("SENTINEL MASTER without flags: %+v", v)
	return ""
}
