package sentinel

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// hostnameName resolves locally to 127.0.0.1 (/etc/hosts) on every machine the tests run on.
const hostnameName = "localhost"

// hostnameView is what one sentinel shows of a master monitored by hostname: every address a
// client, a script or a monitoring tool reads, as a host string.
type hostnameView struct {
	MasterAddr        string // SENTINEL GET-MASTER-ADDR-BY-NAME host
	MasterIP          string // SENTINEL MASTER ip
	InfoAddress       string // INFO sentinel master0 address host
	HelloMasterHost   string // the master address in the hellos it publishes
	RewrittenMonitor  string // the host of the monitor line in its rewritten config
	OtherSentinels    string // num-other-sentinels: the peer's hellos were understood
	Replicas          string // name/ip of each replica
	SwitchMasterShape string // +switch-master with hosts kept and ports masked
}

// With resolve-hostnames yes, redis-sentinel resolves names and compares instances by IP; with
// announce-hostnames yes it shows the names it was given (replies, events, hellos, the config
// rewrite), with announce-hostnames no their IPs. Stock and ours run in one group, so each
// must also understand the other's hellos.
func TestHostnamesAreResolvedAndAnnouncedLikeStock(t *testing.T) {
	for _, announce := range []string{"yes", "no"} {
		t.Run("announce-hostnames "+announce, func(t *testing.T) {
			views := hostnameViews(t, announce)
			want := views[stock]
			wantHost := map[string]string{"yes": hostnameName, "no": "127.0.0.1"}[announce]
			if want.MasterAddr != wantHost || want.OtherSentinels != "1" {
				t.Fatalf("stock redis-sentinel does not show what this test expects of it: %+v", want)
			}
			if diff := cmp.Diff(want, views[ours]); diff != "" {
				t.Errorf("announce-hostnames %s (-stock +ours):\n%s", announce, diff)
			}
		})
	}
}

func hostnameViews(t *testing.T, announce string) map[sentinelKind]hostnameView {
	t.Helper()
	master := redistest.StartServer(t, redistest.ServerOptions{})
	replica := redistest.StartServer(t, redistest.ServerOptions{ReplicaOf: master.Process})
	redistest.WaitReplicaOnline(t, 20*time.Second, master.Process, replica.Process)
	directives := []string{
		"sentinel resolve-hostnames yes",
		"sentinel announce-hostnames " + announce,
		fmt.Sprintf("sentinel monitor %s %s %d 2", masterName, hostnameName, master.Port()),
		"sentinel down-after-milliseconds " + masterName + " 1000",
		"sentinel failover-timeout " + masterName + " 10000",
	}
	kinds := []sentinelKind{stock, ours}
	sentinels := map[sentinelKind]*redistest.Sentinel{}
	for _, kind := range kinds {
		so := redistest.SentinelOptions{Directives: directives}
		if kind == ours {
			so.Binary = oursBinary
		}
		sentinels[kind] = redistest.StartSentinel(t, so)
	}
	// Hellos as published on the master, by sender port.
	hellos := map[string]string{}
	sub := master.Client().Subscribe(context.Background(), "__sentinel__:hello")
	t.Cleanup(func() { _ = sub.Close() })
	helloCh := sub.Channel()

	views := map[sentinelKind]hostnameView{}
	for _, kind := range kinds {
		s := sentinels[kind]
		c := s.SentinelClient()
		var v hostnameView
		poll.Eventually(t, 30*time.Second, string(kind)+" to see the replica and the other sentinel", func(ctx context.Context) error {
			m, err := c.Master(ctx, masterName).Result()
			if err != nil {
				return err
			}
			reps, err := c.Replicas(ctx, masterName).Result()
			if err != nil {
				return err
			}
			if m["num-other-sentinels"] != "1" || len(reps) != 1 || reps[0]["master-link-status"] != "ok" {
				return fmt.Errorf("num-other-sentinels %s, %d replicas", m["num-other-sentinels"], len(reps))
			}
			v.MasterIP, v.OtherSentinels = m["ip"], m["num-other-sentinels"]
			v.Replicas = reps[0]["name"] + " " + reps[0]["ip"]
			return nil
		})
		ctx := context.Background()
		hp, err := c.GetMasterAddrByName(ctx, masterName).Result()
		if err != nil {
			t.Fatalf("%s: get-master-addr-by-name: %v", kind, err)
		}
		v.MasterAddr = hp[0]
		info, err := s.Client().Info(ctx, "sentinel").Result()
		if err != nil {
			t.Fatal(err)
		}
		v.InfoAddress = between(info, "address=", ":")
		conf, err := os.ReadFile(s.ConfPath())
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(conf), "\n") {
			if f := strings.Fields(line); len(f) == 6 && f[0] == "sentinel" && f[1] == "monitor" {
				v.RewrittenMonitor = f[3]
			}
		}
		views[kind] = v
	}
	poll.Eventually(t, 10*time.Second, "a hello from each sentinel", func(ctx context.Context) error {
		for {
			select {
			case msg := <-helloCh:
				f := strings.Split(msg.Payload, ",")
				if len(f) == 8 {
					hellos[f[1]] = f[5]
				}
				continue
			default:
			}
			break
		}
		for _, kind := range kinds {
			if _, ok := hellos[strconv.Itoa(sentinels[kind].Port())]; !ok {
				return fmt.Errorf("none from %s yet (have %v)", kind, hellos)
			}
		}
		return nil
	})
	for _, kind := range kinds {
		v := views[kind]
		v.HelloMasterHost = hellos[strconv.Itoa(sentinels[kind].Port())]
		views[kind] = v
	}

	// A failover led by stock: both publish +switch-master, the follower from stock's hello.
	switches := map[sentinelKind]<-chan *redis.Message{}
	for _, kind := range kinds {
		ps := sentinels[kind].SentinelClient().Subscribe(context.Background(), "+switch-master")
		t.Cleanup(func() { _ = ps.Close() })
		if _, err := ps.Receive(context.Background()); err != nil {
			t.Fatal(err)
		}
		switches[kind] = ps.Channel()
	}
	if err := sentinels[stock].Client().Do(context.Background(), "SENTINEL", "FAILOVER", masterName).Err(); err != nil {
		t.Fatalf("SENTINEL FAILOVER on stock: %v", err)
	}
	masked := strings.NewReplacer(strconv.Itoa(master.Port()), "<old-port>", strconv.Itoa(replica.Port()), "<new-port>")
	for _, kind := range kinds {
		select {
		case msg := <-switches[kind]:
			v := views[kind]
			v.SwitchMasterShape = masked.Replace(msg.Payload)
			views[kind] = v
		case <-time.After(30 * time.Second):
			t.Fatalf("%s published no +switch-master", kind)
		}
	}
	return views
}

// between returns the text after the first start and up to the next end.
func between(s, start, end string) string {
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, end)
	return v
}
