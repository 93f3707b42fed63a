package sentinel

import (
	"context"
	"errors"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/go-logr/logr"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
	"github.com/failover-dev/redis-failover-operator/internal/sentinel/conf"
)

// maxRunningScripts is SENTINEL_SCRIPT_MAX_RUNNING; further runs wait in the queue.
const maxRunningScripts = 16

// maxQueuedScripts is SENTINEL_SCRIPT_MAX_QUEUE: beyond it the oldest waiting run is dropped.
const maxQueuedScripts = 256

// scriptRunner runs notification and client-reconfig scripts with a time limit, at most
// maxRunningScripts at once. Unlike sentinel.c it does not retry a script that exits with 1.
type scriptRunner struct {
	log     logr.Logger
	timeout func() time.Duration
	// dir is where scripts run and where relative script paths are taken from (sentinel.c
	// runs them in `dir`, where it changed at start).
	dir func() string
	// event publishes -script-error and -script-timeout as sentinel.c's sentinelEvent does.
	event func(typ, msg string)

	mu      sync.Mutex
	running map[*scriptJob]struct{}
	queue   []*scriptJob
}

type scriptJob struct {
	script  Script
	started time.Time
	pid     int
}

func newScriptRunner(log logr.Logger, timeout func() time.Duration, dir func() string, event func(typ, msg string)) *scriptRunner {
	return &scriptRunner{log: log, timeout: timeout, dir: dir, event: event, running: map[*scriptJob]struct{}{}}
}

func (r *scriptRunner) schedule(s Script) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.queue) >= maxQueuedScripts {
		r.log.Info("-script-error dropping a queued script run: the queue is full", "script", r.queue[0].script.Path)
		r.queue = r.queue[1:]
	}
	r.queue = append(r.queue, &scriptJob{script: s})
	r.startLocked()
}

func (r *scriptRunner) startLocked() {
	for len(r.running) < maxRunningScripts && len(r.queue) > 0 {
		job := r.queue[0]
		r.queue = r.queue[1:]
		r.running[job] = struct{}{}
		go r.run(job)
	}
}

func (r *scriptRunner) run(job *scriptJob) {
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout())
	defer cancel()
	dir := r.dir()
	// An absolute path, so that exec neither searches PATH for a bare name nor depends on the
	// process's own working directory; argv[0] stays the path as configured, as execve gets it.
	cmd := exec.CommandContext(ctx, conf.ResolveIn(dir, job.script.Path), job.script.Args...)
	cmd.Args[0] = job.script.Path
	cmd.Dir = dir
	err := cmd.Start()
	r.mu.Lock()
	job.started = time.Now()
	if err == nil {
		job.pid = cmd.Process.Pid
	}
	r.mu.Unlock()
	if err == nil {
		err = cmd.Wait()
	}
	switch {
	case ctx.Err() != nil:
		// sentinel.c: "-script-timeout <path> <pid>".
		r.event("-script-timeout", job.script.Path+" "+strconv.Itoa(job.pid))
	case err != nil:
		// sentinel.c: "-script-error <path> <signal> <exit code>"; a script that cannot be
		// executed exits 2 in its forked child.
		signal, code := 0, 2
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				signal, code = int(ws.Signal()), 0
			} else {
				code = exit.ExitCode()
			}
		}
		r.log.V(1).Info("script failed", "script", job.script.Path, "args", job.script.Args, "error", err.Error())
		r.event("-script-error", job.script.Path+" "+strconv.Itoa(signal)+" "+strconv.Itoa(code))
	default:
		r.log.V(1).Info("-script-child", "script", job.script.Path, "args", job.script.Args)
	}
	r.mu.Lock()
	delete(r.running, job)
	r.startLocked()
	r.mu.Unlock()
}

// counts are INFO's sentinel_running_scripts and sentinel_scripts_queue_length.
func (r *scriptRunner) counts() (running, queued int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.running), len(r.queue)
}

// pending is SENTINEL PENDING-SCRIPTS: running runs, then waiting ones.
func (r *scriptRunner) pending() resp.Value {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	// As addReplyPendingScripts: a waiting run has not been tried (run-delay 0, retry-num 0;
	// there are no retries to wait for), a running one is on its first try (retry-num 1).
	entry := func(j *scriptJob, running bool) resp.Value {
		argv := append([]string{j.script.Path}, j.script.Args...)
		flags, timing, pid, tries := "scheduled", "run-delay", "0", "0"
		ms := int64(0)
		if running {
			flags, timing, pid, tries = "running", "run-time", strconv.Itoa(j.pid), "1"
			ms = now.Sub(j.started).Milliseconds()
		}
		return resp.Map(resp.Bulk("argv"), resp.BulkStrings(argv...), resp.Bulk("flags"), resp.Bulk(flags),
			resp.Bulk("pid"), resp.Bulk(pid), resp.Bulk(timing), resp.BulkInt(ms),
			resp.Bulk("retry-num"), resp.Bulk(tries))
	}
	var out []resp.Value
	for j := range r.running {
		out = append(out, entry(j, true))
	}
	for _, j := range r.queue {
		out = append(out, entry(j, false))
	}
	return resp.Array(out...)
}
