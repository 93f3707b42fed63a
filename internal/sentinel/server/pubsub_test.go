package server

import (
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

func TestPubSubRESP2(t *testing.T) {
	ts := startServer(t, Options{})
	c := dial(t, ts.addr)

	c.roundTrip("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n", "UNSUBSCRIBE")
	c.do("SUBSCRIBE", "+switch-master", "+sdown")
	c.expect("*3\r\n" + bulk("subscribe") + bulk("+switch-master") + ":1\r\n")
	c.expect("*3\r\n" + bulk("subscribe") + bulk("+sdown") + ":2\r\n")
	// Subscribing twice to the same channel confirms without counting it again.
	c.roundTrip("*3\r\n"+bulk("subscribe")+bulk("+sdown")+":2\r\n", "SUBSCRIBE", "+sdown")

	// RESP2 subscribed mode: PING answers ["pong", msg] and other commands are refused.
	c.roundTrip("*2\r\n"+bulk("pong")+bulk(""), "PING")
	c.roundTrip("*2\r\n"+bulk("pong")+bulk("hi"), "PING", "hi")
	c.roundTrip("-ERR Can't execute 'role': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n", "ROLE")
	c.roundTrip("-ERR Can't execute 'client|id': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n", "CLIENT", "ID")

	ts.Publish("+switch-master", "mymaster 127.0.0.1 6390 127.0.0.1 6391")
	c.expect("*3\r\n" + bulk("message") + bulk("+switch-master") + bulk("mymaster 127.0.0.1 6390 127.0.0.1 6391"))
	ts.Publish("+odown", "not subscribed")

	c.roundTrip("*3\r\n"+bulk("psubscribe")+bulk("*")+":3\r\n", "PSUBSCRIBE", "*")
	ts.Publish("+sdown", "master mymaster 127.0.0.1 6390")
	c.expect("*3\r\n" + bulk("message") + bulk("+sdown") + bulk("master mymaster 127.0.0.1 6390"))
	c.expect("*4\r\n" + bulk("pmessage") + bulk("*") + bulk("+sdown") + bulk("master mymaster 127.0.0.1 6390"))

	c.do("UNSUBSCRIBE")
	c.expect("*3\r\n" + bulk("unsubscribe") + bulk("+switch-master") + ":2\r\n")
	c.expect("*3\r\n" + bulk("unsubscribe") + bulk("+sdown") + ":1\r\n")
	ts.Publish("+sdown", "x")
	c.expect("*4\r\n" + bulk("pmessage") + bulk("*") + bulk("+sdown") + bulk("x"))
	c.roundTrip("*3\r\n"+bulk("punsubscribe")+bulk("*")+":0\r\n", "PUNSUBSCRIBE", "*")
	// Out of subscribed mode: PING and other commands are normal again.
	c.roundTrip("+PONG\r\n", "PING")
	c.roundTrip("*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n", "ROLE")
}

func TestPubSubRESP3(t *testing.T) {
	ts := startServer(t, Options{})
	c := dial(t, ts.addr)
	c.do("HELLO", "3")
	c.value()

	c.roundTrip(">3\r\n$9\r\nsubscribe\r\n$14\r\n+switch-master\r\n:1\r\n", "SUBSCRIBE", "+switch-master")
	c.roundTrip(">3\r\n"+bulk("psubscribe")+bulk("+*")+":2\r\n", "PSUBSCRIBE", "+*")
	ts.Publish("+switch-master", "mymaster 1 2 3 4")
	c.expect(">3\r\n" + bulk("message") + bulk("+switch-master") + bulk("mymaster 1 2 3 4"))
	c.expect(">4\r\n" + bulk("pmessage") + bulk("+*") + bulk("+switch-master") + bulk("mymaster 1 2 3 4"))
	ts.Publish("-sdown", "does not match +*")
	c.roundTrip("+PONG\r\n", "PING")
	c.roundTrip(">3\r\n"+bulk("punsubscribe")+bulk("+*")+":1\r\n", "PUNSUBSCRIBE")
	c.roundTrip(">3\r\n"+bulk("unsubscribe")+bulk("+switch-master")+":0\r\n", "UNSUBSCRIBE", "+switch-master")
	c.roundTrip(">3\r\n"+bulk("unsubscribe")+"_\r\n:0\r\n", "UNSUBSCRIBE")
}

func TestPublishHelloGoesToBackend(t *testing.T) {
	ts := startServer(t, Options{})
	sub := dial(t, ts.addr)
	sub.roundTrip("*3\r\n"+bulk("subscribe")+bulk(helloChannel)+":1\r\n", "SUBSCRIBE", helloChannel)

	c := dial(t, ts.addr)
	payload := "127.0.0.1,26380,59196203449d381f5c815ae80cbb68c69f66ae62,0,mymaster,127.0.0.1,6390,0"
	c.roundTrip(":1\r\n", "PUBLISH", helloChannel, payload)
	// The channel name is case-sensitive, as redis compares it with strcmp.
	c.roundTrip("-ERR Only HELLO messages are accepted by Sentinel instances.\r\n", "PUBLISH", strings.ToUpper(helloChannel), payload)

	ts.backend.mu.Lock()
	hellos := append([]string(nil), ts.backend.hellos...)
	ts.backend.mu.Unlock()
	if len(hellos) != 1 || hellos[0] != payload {
		t.Fatalf("backend got hellos %q, want [%q]", hellos, payload)
	}
	// A hello PUBLISHed to a sentinel is not re-broadcast to its own subscribers: the next thing
	// the subscriber receives is the reply to its own PING.
	sub.roundTrip("*2\r\n"+bulk("pong")+bulk(""), "PING")
}

// A subscriber that stops reading must not slow the publisher down: once its backlog passes the
// limit it is disconnected, while a subscriber that keeps reading gets every message.
func TestSlowSubscriberIsDisconnected(t *testing.T) {
	const backlog = 64 << 10
	ts := startServer(t, Options{PubSubBacklog: backlog})

	slow := dial(t, ts.addr)
	slow.roundTrip("*3\r\n"+bulk("subscribe")+bulk("events")+":1\r\n", "SUBSCRIBE", "events")
	fast := dial(t, ts.addr)
	fast.roundTrip("*3\r\n"+bulk("psubscribe")+bulk("ev*")+":1\r\n", "PSUBSCRIBE", "ev*")

	// Far more than the slow client's socket buffers and backlog can hold. The publisher waits
	// for the fast subscriber to receive each message, so only the slow one falls behind.
	const messages = 4000
	payload := strings.Repeat("x", 8<<10)
	want := "*4\r\n" + bulk("pmessage") + bulk("ev*") + bulk("events") + bulk(payload)
	got := make(chan error)
	go func() {
		buf := make([]byte, len(want))
		for i := 0; i < messages; i++ {
			_ = fast.nc.SetReadDeadline(time.Now().Add(ioTimeout))
			if _, err := fullRead(fast, buf); err != nil {
				got <- err
				return
			}
			if string(buf) != want {
				got <- errorf("message %d = %q", i, buf[:64])
				return
			}
			got <- nil
		}
	}()
	for i := 0; i < messages; i++ {
		ts.Publish("events", payload)
		if err := <-got; err != nil {
			t.Fatalf("fast subscriber, message %d: %v", i, err)
		}
	}
	poll.Eventually(t, ioTimeout, "the slow subscriber to be disconnected", ts.clientsConnected(1))
	slow.expectClosedAfterDrain()
}
