package server

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/resp"
)

// infoSections are the sections redis-sentinel 7.0.15 serves, in output order; INFO without
// arguments, INFO default, INFO all and INFO everything return all of them.
var infoSections = []string{"server", "clients", "stats", "cpu", "sentinel"}

// cmdInfo: INFO [section ...]. Unknown sections are ignored (an empty reply if nothing is left).
func (c *conn) cmdInfo(args []string) {
	want := make(map[string]bool)
	if len(args) == 1 {
		for _, s := range infoSections {
			want[s] = true
		}
	}
	for _, a := range args[1:] {
		switch a = strings.ToLower(a); a {
		case "all", "everything", "default":
			for _, s := range infoSections {
				want[s] = true
			}
		default:
			want[a] = true
		}
	}
	var b strings.Builder
	for _, section := range infoSections {
		if !want[section] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		c.s.writeInfoSection(&b, section)
	}
	// redis-sentinel replies with a bulk string (not RESP3 verbatim, unlike redis-server).
	c.reply(resp.Bulk(b.String()))
}

func (s *Server) writeInfoSection(b *strings.Builder, section string) {
	line := func(format string, a ...any) {
		fmt.Fprintf(b, format, a...)
		b.WriteString("\r\n")
	}
	now := time.Now()
	switch section {
	case "server":
		uptime := int64(now.Sub(s.started) / time.Second)
		line("# Server")
		line("redis_version:%s", Version)
		line("redis_git_sha1:00000000")
		line("redis_git_dirty:0")
		line("redis_build_id:0")
		line("redis_mode:sentinel")
		line("os:%s", osDescription())
		line("arch_bits:%d", strconv.IntSize)
		line("monotonic_clock:POSIX clock_gettime")
		line("multiplexing_api:epoll")
		line("atomicvar_api:c11-builtin")
		line("gcc_version:0.0.0")
		line("process_id:%d", os.Getpid())
		line("process_supervised:no")
		line("run_id:%s", s.getBackend().RunID())
		line("tcp_port:%d", s.Port())
		line("server_time_usec:%d", now.UnixMicro())
		line("uptime_in_seconds:%d", uptime)
		line("uptime_in_days:%d", uptime/86400)
		line("hz:10")
		line("configured_hz:10")
		line("lru_clock:%d", now.Unix()&(1<<24-1))
		line("executable:%s", s.executable())
		line("config_file:%s", s.opts.ConfigFile)
		line("io_threads_active:0")
	case "clients":
		line("# Clients")
		line("connected_clients:%d", s.connectedClients())
		line("cluster_connections:0")
		line("maxclients:%d", s.opts.MaxClients)
		line("client_recent_max_input_buffer:%d", readBufferSize)
		line("client_recent_max_output_buffer:0")
		line("blocked_clients:0")
		line("tracking_clients:0")
		line("clients_in_timeout_table:0")
	case "stats":
		channels, patterns := s.pubsub.counts()
		st := &s.stats
		line("# Stats")
		line("total_connections_received:%d", st.connectionsReceived.Load())
		line("total_commands_processed:%d", st.commandsProcessed.Load())
		line("instantaneous_ops_per_sec:0")
		line("total_net_input_bytes:%d", st.netInputBytes.Load())
		line("total_net_output_bytes:%d", st.netOutputBytes.Load())
		for _, zero := range []string{"total_net_repl_input_bytes", "total_net_repl_output_bytes"} {
			line("%s:0", zero)
		}
		for _, zero := range []string{"instantaneous_input_kbps", "instantaneous_output_kbps",
			"instantaneous_input_repl_kbps", "instantaneous_output_repl_kbps"} {
			line("%s:0.00", zero)
		}
		line("rejected_connections:%d", st.rejectedConnections.Load())
		for _, zero := range []string{"sync_full", "sync_partial_ok", "sync_partial_err", "expired_keys"} {
			line("%s:0", zero)
		}
		line("expired_stale_perc:0.00")
		for _, zero := range []string{"expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds",
			"evicted_keys", "evicted_clients", "total_eviction_exceeded_time", "current_eviction_exceeded_time",
			"keyspace_hits", "keyspace_misses"} {
			line("%s:0", zero)
		}
		line("pubsub_channels:%d", channels)
		line("pubsub_patterns:%d", patterns)
		for _, zero := range []string{"pubsubshard_channels", "latest_fork_usec", "total_forks",
			"migrate_cached_sockets", "slave_expires_tracked_keys", "active_defrag_hits",
			"active_defrag_misses", "active_defrag_key_hits", "active_defrag_key_misses",
			"total_active_defrag_time", "current_active_defrag_time", "tracking_total_keys",
			"tracking_total_items", "tracking_total_prefixes", "unexpected_error_replies"} {
			line("%s:0", zero)
		}
		line("total_error_replies:%d", st.errorReplies.Load())
		line("dump_payload_sanitizations:0")
		line("total_reads_processed:%d", st.readsProcessed.Load())
		line("total_writes_processed:%d", st.writesProcessed.Load())
		for _, zero := range []string{"io_threaded_reads_processed", "io_threaded_writes_processed",
			"reply_buffer_shrinks", "reply_buffer_expands"} {
			line("%s:0", zero)
		}
	case "cpu":
		self, children := rusage(syscall.RUSAGE_SELF), rusage(syscall.RUSAGE_CHILDREN)
		line("# CPU")
		line("used_cpu_sys:%.6f", self.sys)
		line("used_cpu_user:%.6f", self.user)
		line("used_cpu_sys_children:%.6f", children.sys)
		line("used_cpu_user_children:%.6f", children.user)
		// Go has no main thread; the process figures are the closest equivalent.
		line("used_cpu_sys_main_thread:%.6f", self.sys)
		line("used_cpu_user_main_thread:%.6f", self.user)
	case "sentinel":
		line("# Sentinel")
		for _, l := range s.getBackend().InfoSentinel() {
			line("%s", l)
		}
	}
}

func (s *Server) executable() string {
	if s.opts.Executable != "" {
		return s.opts.Executable
	}
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	return exe
}

type cpuTimes struct{ user, sys float64 }

func rusage(who int) cpuTimes {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return cpuTimes{}
	}
	seconds := func(tv syscall.Timeval) float64 { return float64(tv.Sec) + float64(tv.Usec)/1e6 }
	return cpuTimes{user: seconds(ru.Utime), sys: seconds(ru.Stime)}
}
