package daemon

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/failover-dev/redis-failover-operator/internal/promtext"
)

// userHZ is the unit of the CPU times in /proc/PID/stat: USER_HZ, 100 on every Linux
// architecture the images are built for.
const userHZ = 100

// processFamilies are the process metrics every Prometheus client exports under these names
// (process_resident_memory_bytes, ...), read from /proc/self. Where /proc cannot be read (not
// Linux), the scrape goes on without them.
func processFamilies() []promtext.Family {
	st, err := readProcStat("/proc/self/stat")
	if err != nil {
		return nil
	}
	gauge := func(name, help string, v float64) promtext.Family {
		return promtext.Family{Name: name, Help: help, Type: promtext.Gauge, Samples: []promtext.Sample{{Value: v}}}
	}
	fams := []promtext.Family{
		{Name: "process_cpu_seconds_total", Help: "Total user and system CPU time spent in seconds.", Type: promtext.Counter,
			Samples: []promtext.Sample{{Value: float64(st.utime+st.stime) / userHZ}}},
		gauge("process_resident_memory_bytes", "Resident memory size in bytes.", float64(st.rssPages*int64(os.Getpagesize()))),
		gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", float64(st.vsize)),
	}
	if boot, err := bootTime("/proc/stat"); err == nil {
		fams = append(fams, gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
			float64(boot)+float64(st.starttime)/userHZ))
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		fams = append(fams, gauge("process_open_fds", "Number of open file descriptors.", float64(len(fds))))
	}
	return fams
}

// procStat holds the fields of /proc/PID/stat the metrics need.
type procStat struct {
	utime, stime, starttime int64 // clock ticks
	vsize                   int64 // bytes
	rssPages                int64
}

// readProcStat parses /proc/PID/stat (proc(5)). The command name, field 2, is in parentheses
// and may hold spaces, so the fields are counted from the last ')'.
func readProcStat(path string) (procStat, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return procStat{}, err
	}
	return parseProcStat(string(b))
}

func parseProcStat(s string) (procStat, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("no ')' in %q", s)
	}
	// f[0] is field 3 (state).
	f := strings.Fields(s[i+1:])
	if len(f) < 22 {
		return procStat{}, fmt.Errorf("%d fields after the command name, want at least 22", len(f))
	}
	var st procStat
	for _, x := range []struct {
		field int
		dst   *int64
	}{{14, &st.utime}, {15, &st.stime}, {22, &st.starttime}, {23, &st.vsize}, {24, &st.rssPages}} {
		v, err := strconv.ParseInt(f[x.field-3], 10, 64)
		if err != nil {
			return procStat{}, fmt.Errorf("field %d: %w", x.field, err)
		}
		*x.dst = v
	}
	return st, nil
}

// bootTime is the btime line of /proc/stat: the boot time in seconds since the epoch.
func bootTime(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, fmt.Errorf("%s has no btime line", path)
}
