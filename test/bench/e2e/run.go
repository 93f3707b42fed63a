package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/failover-dev/redis-failover-operator/test/checkwriter"
)

// result is one run of one row.
type result struct {
	Row string `json:"row"`
	Run int    `json:"run"`
	Err string `json:"err,omitempty"`
	// Unavailable says why the operator under test does not perform this operation.
	Unavailable string `json:"unavailable,omitempty"`
	// GapMs is the writer's longest interval without an acknowledgement from t0 to the end.
	GapMs float64 `json:"gapMs"`
	// GapAtMs is when that interval began (its last acknowledgement), from t0: it tells a gap
	// of the handover itself from one later in the run (a pod rejoining, a loaded machine).
	GapAtMs float64 `json:"gapAtMs"`
	// HandoverGapMs is the longest interval without an acknowledgement within a second either
	// side of the first +switch-master: the outage of the handover itself, whatever else the
	// run held. Nil when no +switch-master was seen.
	HandoverGapMs *float64 `json:"handoverGapMs,omitempty"`
	// Lost acknowledged writes of Checked; Failed writes the client saw fail.
	Lost    int `json:"lost"`
	Checked int `json:"checked"`
	Failed  int `json:"failed"`
	// SwitchMs is t0 → the first +switch-master; LabelLagMs that → the role label on the
	// promoted pod (negative: the label came first). Nil when no +switch-master was seen.
	SwitchMs   *float64 `json:"switchMs,omitempty"`
	LabelLagMs *float64 `json:"labelLagMs,omitempty"`
	// TotalMs is t0 → the group at rest again.
	TotalMs  float64 `json:"totalMs"`
	From, To string
}

// phase is every run of every row against one sentinel implementation.
type phase struct {
	Impl            string              `json:"impl"`
	DownAfterMs     int64               `json:"downAfterMs"`
	FailoverTimeout int64               `json:"failoverTimeoutMs"`
	Runs            int                 `json:"runs"`
	Rows            []string            `json:"rows"`
	Started         time.Time           `json:"started"`
	Finished        time.Time           `json:"finished"`
	LoadStart       string              `json:"loadStart"`
	LoadEnd         string              `json:"loadEnd"`
	Results         map[string][]result `json:"results"`
}

type runConfig struct {
	impl            string
	ns, name        string
	rows            []row
	runs            int
	downAfter       time.Duration
	failoverTimeout time.Duration
	out             string
	keep            bool
	ctrAddress      string
	trace           bool
	// plotDir, when set, receives the timeline picture of each row's first run
	// (<impl>-<row>.svg).
	plotDir string
}

func runPhase(ctx context.Context, cfg runConfig) error {
	k, err := newCluster(cfg.ns, cfg.name, cfg.ctrAddress)
	if err != nil {
		return err
	}
	ph := phase{Impl: cfg.impl, DownAfterMs: cfg.downAfter.Milliseconds(), FailoverTimeout: cfg.failoverTimeout.Milliseconds(),
		Runs: cfg.runs, Started: time.Now().UTC(), LoadStart: loadAverage(), Results: map[string][]result{}}
	if err := k.ensureRedisFailover(ctx, cfg.downAfter, cfg.failoverTimeout); err != nil {
		return err
	}
	if !cfg.keep {
		defer func() {
			log.Printf("%s: deleting namespace %s", cfg.impl, cfg.ns)
			if err := k.deleteNamespace(context.Background()); err != nil {
				log.Printf("%s: deleting namespace %s: %v", cfg.impl, cfg.ns, err)
			}
		}()
	}
	start := time.Now()
	if _, err := k.waitSteady(ctx, 5*time.Minute); err != nil {
		return fmt.Errorf("RedisFailover %s/%s never came to rest: %w", cfg.ns, cfg.name, err)
	}
	log.Printf("%s: RedisFailover %s/%s Ready after %.1fs", cfg.impl, cfg.ns, cfg.name, time.Since(start).Seconds())

	for _, r := range cfg.rows {
		ph.Rows = append(ph.Rows, r.name)
		for i := 1; i <= cfg.runs; i++ {
			res := measure(ctx, k, r, i, cfg)
			ph.Results[r.name] = append(ph.Results[r.name], res)
			log.Printf("%s: %s run %d: %s", cfg.impl, r.name, i, describe(res))
			if r.cleanup != nil {
				if err := r.cleanup(ctx, k); err != nil {
					log.Printf("%s: %s cleanup: %v", cfg.impl, r.name, err)
				}
			}
			// Written after every run, so that an interrupted phase still leaves its figures.
			ph.Finished, ph.LoadEnd = time.Now().UTC(), loadAverage()
			if err := writePhase(cfg.out, ph); err != nil {
				return err
			}
			if res.Unavailable != "" {
				break // the same build will not do it on the next run either
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

func writePhase(path string, ph phase) error {
	data, err := json.MarshalIndent(ph, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func describe(r result) string {
	switch {
	case r.Unavailable != "":
		return "not available: " + r.Unavailable
	case r.Err != "":
		return "FAILED: " + r.Err
	}
	s := fmt.Sprintf("%s -> %s, gap %.0f ms at %.0f ms, %d/%d acknowledged writes lost, %d failed writes, total %.0f ms",
		r.From, r.To, r.GapMs, r.GapAtMs, r.Lost, r.Checked, r.Failed, r.TotalMs)
	if r.SwitchMs != nil {
		s += fmt.Sprintf(", +switch-master at %.0f ms", *r.SwitchMs)
	}
	if r.LabelLagMs != nil {
		s += fmt.Sprintf(", label lag %.0f ms", *r.LabelLagMs)
	}
	return s
}

// measure runs one row once: from rest, with the checking writer and the observer running,
// the operation, the wait until the group is at rest again, and the verdict.
func measure(ctx context.Context, k *cluster, r row, run int, cfg runConfig) (res result) {
	res = result{Row: r.name, Run: run}
	fail := func(err error) result {
		if isUnavailable(err) {
			res.Unavailable = err.Error()
		} else {
			res.Err = err.Error()
		}
		return res
	}
	st, err := k.waitSteady(ctx, 5*time.Minute)
	if err != nil {
		return fail(fmt.Errorf("not at rest before the run: %w", err))
	}
	if r.prepare != nil {
		if st, err = r.prepare(ctx, k, st); err != nil {
			return fail(err)
		}
	}
	obs, err := k.observe(ctx)
	if err != nil {
		return fail(err)
	}
	defer obs.stop()
	w, err := k.startWriter(ctx)
	if err != nil {
		return fail(err)
	}
	defer w.Stop()
	// A second of steady writing before the operation: the gap is then the operation's.
	if err := waitAck(ctx, w, time.Now().Add(time.Second)); err != nil {
		return fail(err)
	}

	res.From = st.master.Name
	t0 := time.Now()
	if err := r.act(ctx, k, st); err != nil {
		return fail(fmt.Errorf("starting the operation: %w", err))
	}
	if err := r.wait(ctx, k, st, t0); err != nil {
		return fail(err)
	}
	done := time.Now()
	res.TotalMs = ms(done.Sub(t0))
	if m, err := k.labelledMaster(ctx); err == nil {
		res.To = m
	}
	if err := waitAck(ctx, w, done); err != nil {
		return fail(fmt.Errorf("no write acknowledged after the operation: %w", err))
	}
	w.Stop()
	v, err := verify(ctx, k, w)
	if err != nil {
		return fail(err)
	}
	res.Lost, res.Checked = len(v.Lost), v.Checked
	res.Failed = w.Summary().Failed
	gap := w.LongestGap(t0, time.Time{})
	res.GapMs, res.GapAtMs = ms(gap.Duration()), ms(gap.From.Sub(t0))

	events, roles := obs.snapshot()
	if cfg.trace {
		logTimeline(r.name, run, t0, gap, events, roles)
	}
	if cfg.plotDir != "" && run == 1 {
		svg := timelineSVG(plotInput{title: fmt.Sprintf("%s, %s, run %d", r.title, implLabel(cfg.impl), run),
			t0: t0, writes: w.Writes(), events: events, roles: roles, gap: gap})
		if err := os.WriteFile(filepath.Join(cfg.plotDir, plotFile(cfg.impl, r.name)), []byte(svg), 0o644); err != nil {
			log.Printf("writing the timeline picture: %v", err)
		}
	}
	if sw, ok := firstSwitch(events, t0); ok {
		res.SwitchMs = ptrTo(ms(sw.at.Sub(t0)))
		res.HandoverGapMs = ptrTo(ms(w.LongestGap(sw.at.Add(-time.Second), sw.at.Add(time.Second)).Duration()))
		if l, ok := labelMoved(roles, t0, sw.newIP); ok {
			res.LabelLagMs = ptrTo(ms(l.at.Sub(sw.at)))
		}
	}
	return res
}

func (k *cluster) startWriter(ctx context.Context) (*checkwriter.Writer, error) {
	svc, pods, err := k.sentinelAddrs(ctx)
	if err != nil {
		return nil, err
	}
	name, err := k.masterName(ctx)
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return checkwriter.Start(sctx, checkwriter.Options{SentinelAddrs: append([]string{svc}, pods...),
		MasterName: name, Password: k.password, SentinelPassword: k.password})
}

func waitAck(ctx context.Context, w *checkwriter.Writer, after time.Time) error {
	actx, cancel := context.WithTimeout(ctx, time.Until(after)+30*time.Second)
	defer cancel()
	return w.WaitAckAfter(actx, after)
}

// verify waits for the sentinels to agree, then checks every acknowledged key on the master.
func verify(ctx context.Context, k *cluster, w *checkwriter.Writer) (checkwriter.Verdict, error) {
	o := w.Options()
	if err := poll(ctx, time.Minute, func(ctx context.Context) error {
		_, err := checkwriter.FinalMaster(ctx, o.SentinelAddrs, o.MasterName, o.SentinelPassword)
		return err
	}); err != nil {
		return checkwriter.Verdict{}, fmt.Errorf("the sentinels do not agree on a master: %w", err)
	}
	return w.Verify(ctx)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func ptrTo(v float64) *float64 { return &v }

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	var a, b5, c string
	if _, err := fmt.Sscan(string(b), &a, &b5, &c); err != nil {
		return "unknown"
	}
	return a + " " + b5 + " " + c
}

// logTimeline prints one run's events on one clock, relative to t0, for finding where a gap's
// time goes (bench-e2e -trace).
func logTimeline(row string, run int, t0 time.Time, gap checkwriter.Gap, events []sentinelEvent, roles []roleEvent) {
	type line struct {
		at   time.Time
		text string
	}
	var lines []line
	for _, e := range events {
		if e.at.Before(t0.Add(-time.Second)) || strings.HasPrefix(e.channel, "__sentinel__") {
			continue
		}
		lines = append(lines, line{e.at, fmt.Sprintf("sentinel %s %s %s", e.sentinel, e.channel, e.payload)})
	}
	for _, r := range roles {
		if !r.at.Before(t0) {
			lines = append(lines, line{r.at, fmt.Sprintf("pod %s ip %s role %s", r.pod, r.ip, r.role)})
		}
	}
	if gap.Duration() > 0 {
		lines = append(lines, line{gap.From, "writer: last ack before the longest gap"},
			line{gap.To, fmt.Sprintf("writer: first ack after it (%.0f ms)", ms(gap.Duration()))})
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].at.Before(lines[j].at) })
	log.Printf("timeline %s run %d:", row, run)
	for _, l := range lines {
		log.Printf("  %+9.1f ms  %s", ms(l.at.Sub(t0)), l.text)
	}
}

// plotFile is the name of a row's timeline picture for one implementation.
func plotFile(impl, row string) string { return impl + "-" + row + ".svg" }
