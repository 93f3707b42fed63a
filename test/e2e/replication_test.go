package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// TestRedisStatefulSetReplication runs three Redis pods from the local image, makes pods 1 and 2
// replicas of pod 0 by its stable DNS name, and checks through real Redis that a key written on
// the master arrives on both replicas and that the replicas refuse writes.
func TestRedisStatefulSetReplication(t *testing.T) {
	t.Parallel()
	f := framework.New(t)
	ns := f.CreateNamespace(t, "replication")
	ctx := t.Context()
	image := framework.Setting(t, "REDIS_IMAGE")

	const name, headless = "redis", "redis-headless"
	labels := map[string]string{"app.kubernetes.io/name": name}
	if err := f.Client.Create(ctx, service(ns, headless, labels, true)); err != nil {
		t.Fatalf("creating headless service: %v", err)
	}
	if err := f.Client.Create(ctx, redisStatefulSet(ns, name, headless, image, 3)); err != nil {
		t.Fatalf("creating statefulset: %v", err)
	}
	pods := f.WaitForStatefulSetReady(ctx, t, ns, name, 3*time.Minute)
	master := pods[0].Name
	masterDNS := fmt.Sprintf("%s.%s.%s.svc.cluster.local", master, headless, ns)

	for _, replica := range pods[1:] {
		reply, err := redisCLI(ctx, f, ns, replica.Name, "REPLICAOF", masterDNS, strconv.Itoa(redisPort))
		if err != nil || reply != "OK" {
			t.Fatalf("REPLICAOF %s on %s: reply %q, err %v", masterDNS, replica.Name, reply, err)
		}
	}

	framework.WaitFor(ctx, t, time.Minute, "both replicas to be connected to "+master, func(ctx context.Context) (bool, error) {
		info, err := redisCLI(ctx, f, ns, master, "INFO", "replication")
		if err != nil {
			return false, err
		}
		if got, err := infoField(info, "connected_slaves"); err != nil || got != "2" {
			return false, fmt.Errorf("master reports connected_slaves=%q (%v)", got, err)
		}
		for _, replica := range pods[1:] {
			info, err := redisCLI(ctx, f, ns, replica.Name, "INFO", "replication")
			if err != nil {
				return false, err
			}
			if link, err := infoField(info, "master_link_status"); err != nil || link != "up" {
				return false, fmt.Errorf("%s: master_link_status=%q (%v)", replica.Name, link, err)
			}
		}
		return true, nil
	})

	key, value := "e2e:replication", fmt.Sprintf("written-on-%s-%d", master, time.Now().UnixNano())
	if reply, err := redisCLI(ctx, f, ns, master, "SET", key, value); err != nil || reply != "OK" {
		t.Fatalf("SET on master %s: reply %q, err %v", master, reply, err)
	}
	for _, replica := range pods[1:] {
		framework.WaitFor(ctx, t, 30*time.Second, "the key to reach "+replica.Name, func(ctx context.Context) (bool, error) {
			got, err := redisCLI(ctx, f, ns, replica.Name, "GET", key)
			if err != nil {
				return false, err
			}
			if got != value {
				return false, fmt.Errorf("GET %s on %s = %q, want %q", key, replica.Name, got, value)
			}
			return true, nil
		})

		// A replica must not accept writes: proves the pods really are replicas, not three masters
		// that happened to get the same key.
		res, _ := f.Exec(ctx, ns, replica.Name, "redis", "redis-cli", "SET", key, "from-replica")
		if !strings.Contains(res.Stdout+res.Stderr, "READONLY") {
			t.Errorf("SET on replica %s answered %q, want a READONLY error", replica.Name, strings.TrimSpace(res.Stdout+res.Stderr))
		}
	}
}
