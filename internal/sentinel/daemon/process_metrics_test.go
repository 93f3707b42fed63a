package daemon

import (
	"os"
	"testing"
)

func TestParseProcStat(t *testing.T) {
	// Field numbers as in proc(5); the command name may hold spaces and parentheses.
	const line = "4242 (odd ) name) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 9 0 123456 1234567168 3090 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	st, err := parseProcStat(line)
	if err != nil {
		t.Fatal(err)
	}
	want := procStat{utime: 250, stime: 75, starttime: 123456, vsize: 1234567168, rssPages: 3090}
	if st != want {
		t.Errorf("parseProcStat = %+v, want %+v", st, want)
	}
	for _, bad := range []string{"", "4242 no-parens S 1", "4242 (short) S 1 2 3"} {
		if _, err := parseProcStat(bad); err == nil {
			t.Errorf("parseProcStat(%q) accepted a malformed line", bad)
		}
	}
}

// The process's own /proc entries give a resident size and start time in range.
func TestProcessFamiliesOfThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system: the sentinel exports no process metrics here")
	}
	got := map[string]float64{}
	for _, f := range processFamilies() {
		got[f.Name] = f.Samples[0].Value
	}
	if rss := got["process_resident_memory_bytes"]; rss < 1<<20 || rss > 1<<34 {
		t.Errorf("process_resident_memory_bytes = %v, want a test binary's resident size", rss)
	}
	if start := got["process_start_time_seconds"]; start < 1.6e9 {
		t.Errorf("process_start_time_seconds = %v, want a time since the epoch", start)
	}
	for _, name := range []string{"process_cpu_seconds_total", "process_virtual_memory_bytes", "process_open_fds"} {
		if _, ok := got[name]; !ok {
			t.Errorf("no %s among %v", name, got)
		}
	}
}
