package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/failover-dev/redis-failover-operator/api/role"
)

// demoScenario is one disruption the demo shows.
type demoScenario struct {
	row  string
	what string
	// fault names t=0 of the timeline.
	fault string
	about string
}

var demoScenarios = map[string]demoScenario{
	"delete": {row: "graceful-delete", what: "master pod %s deleted (kubectl delete pod)", fault: "the master pod's deletion",
		about: "the planned path: the pod is deleted with its grace period"},
	"sigkill": {row: "sigkill", what: "master's redis-server in %s killed with SIGKILL (the kubelet restarts it in place)", fault: "the SIGKILL",
		about: "the unplanned path: the process dies, the pod and its IP stay"},
}

// timelineEntry is one line of the demo's timeline.
type timelineEntry struct {
	at   time.Time
	text string
}

// runDemo runs one scenario against an existing, Ready RedisFailover and prints its timeline.
func runDemo(ctx context.Context, out io.Writer, k *cluster, scenario string) error {
	sc, ok := demoScenarios[scenario]
	if !ok {
		return fmt.Errorf("unknown scenario %q: use delete or sigkill", scenario)
	}
	r, err := rowByName(sc.row)
	if err != nil {
		return err
	}
	st, err := k.waitSteady(ctx, 5*time.Minute)
	if err != nil {
		return fmt.Errorf("the RedisFailover is not at rest: %w", err)
	}
	obs, err := k.observe(ctx)
	if err != nil {
		return err
	}
	defer obs.stop()
	w, err := k.startWriter(ctx)
	if err != nil {
		return err
	}
	defer w.Stop()
	name, err := k.masterName(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "writer: a go-redis FailoverClient on this host, through the sentinels (master name %q), one SET of a unique key every 10 ms\n", name)
	if err := waitAck(ctx, w, time.Now().Add(2*time.Second)); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s; master is %s (%s)\n", sc.about, st.master.Name, st.master.Status.PodIP)

	t0 := time.Now()
	if err := r.act(ctx, k, st); err != nil {
		return err
	}
	timeline := []timelineEntry{{t0, fmt.Sprintf(sc.what, st.master.Name)}}
	if err := r.wait(ctx, k, st, t0); err != nil {
		return err
	}
	restAt := time.Now()
	if err := waitAck(ctx, w, restAt); err != nil {
		return err
	}
	w.Stop()
	v, err := verify(ctx, k, w)
	if err != nil {
		return err
	}
	gap := w.LongestGap(t0, time.Time{})
	s := w.Summary()
	timeline = append(timeline,
		timelineEntry{gap.From, "writer: last acknowledged write before its longest gap"},
		timelineEntry{gap.To, fmt.Sprintf("writer: writes acknowledged again (gap %s)", round(gap.Duration()))},
		timelineEntry{restAt, fmt.Sprintf("at rest: RedisFailover Ready, every pod Ready, master %s", mustMaster(ctx, k))})

	events, roles := obs.snapshot()
	timeline = append(timeline, sentinelMilestones(events, t0)...)
	for _, re := range roles {
		if re.at.Before(t0) {
			continue
		}
		switch re.role {
		case string(role.Master):
			timeline = append(timeline, timelineEntry{re.at, fmt.Sprintf("labels moved: %s (%s) labelled master", re.pod, re.ip)})
		case "terminating":
			timeline = append(timeline, timelineEntry{re.at, fmt.Sprintf("pod %s terminating", re.pod)})
		case "":
			timeline = append(timeline, timelineEntry{re.at, fmt.Sprintf("pod %s (%s) has no role label", re.pod, re.ip)})
		default:
			timeline = append(timeline, timelineEntry{re.at, fmt.Sprintf("pod %s (%s) labelled %s", re.pod, re.ip, re.role)})
		}
	}
	sort.SliceStable(timeline, func(i, j int) bool { return timeline[i].at.Before(timeline[j].at) })

	fmt.Fprintf(out, "\ntimeline (t=0: %s):\n", sc.fault)
	for _, e := range timeline {
		fmt.Fprintf(out, "  t=%+8.3fs  %s\n", e.at.Sub(t0).Seconds(), e.text)
	}
	fmt.Fprintf(out, "\nwriter: %d writes, %d acknowledged, %d failed; longest gap after t=0: %s\n", s.Attempts, s.Acked, s.Failed, round(gap.Duration()))
	if sw, ok := firstSwitch(events, t0); ok {
		if l, ok := labelMoved(roles, t0, sw.newIP); ok {
			fmt.Fprintf(out, "labels moved %s after the first +switch-master\n", round(l.at.Sub(sw.at)))
		}
	}
	fmt.Fprintf(out, "acknowledged writes lost: %d of %d, checked on the final master %s\n", len(v.Lost), v.Checked, v.Master)
	if len(v.Lost) > 0 {
		// The demo shows the promise, so a broken one fails make demo instead of scrolling by.
		return fmt.Errorf("%s: %d acknowledged writes lost (of %d), checked on the final master %s", sc.fault, len(v.Lost), v.Checked, v.Master)
	}
	return nil
}

// sentinelMilestones are the first announcement of each step of a failover after t0, from any
// sentinel.
func sentinelMilestones(events []sentinelEvent, t0 time.Time) []timelineEntry {
	steps := []string{"+sdown", "+odown", "+try-failover", "+elected-leader", "+selected-slave", "+promoted-slave", "+switch-master", "+failover-end", "-sdown"}
	first := map[string]sentinelEvent{}
	for _, e := range events {
		if e.at.Before(t0) {
			continue
		}
		// +sdown/-sdown of a replica or a sentinel are not the master's.
		if (e.channel == "+sdown" || e.channel == "-sdown") && !strings.HasPrefix(e.payload, "master ") {
			continue
		}
		if f, ok := first[e.channel]; !ok || e.at.Before(f.at) {
			first[e.channel] = e
		}
	}
	var out []timelineEntry
	for _, s := range steps {
		if e, ok := first[s]; ok {
			out = append(out, timelineEntry{e.at, fmt.Sprintf("sentinel %s: %s %s", e.sentinel, e.channel, e.payload)})
		}
	}
	return out
}

func mustMaster(ctx context.Context, k *cluster) string {
	m, err := k.labelledMaster(ctx)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return m
}

func round(d time.Duration) string { return d.Round(time.Millisecond).String() }
