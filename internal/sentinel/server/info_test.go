package server

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// goldenInfoKeys are the fields of redis-sentinel 7.0.15's INFO, per section, in its order.
var goldenInfoKeys = map[string][]string{
	"Server": {"redis_version", "redis_git_sha1", "redis_git_dirty", "redis_build_id", "redis_mode", "os",
		"arch_bits", "monotonic_clock", "multiplexing_api", "atomicvar_api", "gcc_version", "process_id",
		"process_supervised", "run_id", "tcp_port", "server_time_usec", "uptime_in_seconds", "uptime_in_days",
		"hz", "configured_hz", "lru_clock", "executable", "config_file", "io_threads_active"},
	"Clients": {"connected_clients", "cluster_connections", "maxclients", "client_recent_max_input_buffer",
		"client_recent_max_output_buffer", "blocked_clients", "tracking_clients", "clients_in_timeout_table"},
	"Stats": {"total_connections_received", "total_commands_processed", "instantaneous_ops_per_sec",
		"total_net_input_bytes", "total_net_output_bytes", "total_net_repl_input_bytes",
		"total_net_repl_output_bytes", "instantaneous_input_kbps", "instantaneous_output_kbps",
		"instantaneous_input_repl_kbps", "instantaneous_output_repl_kbps", "rejected_connections", "sync_full",
		"sync_partial_ok", "sync_partial_err", "expired_keys", "expired_stale_perc",
		"expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds", "evicted_keys", "evicted_clients",
		"total_eviction_exceeded_time", "current_eviction_exceeded_time", "keyspace_hits", "keyspace_misses",
		"pubsub_channels", "pubsub_patterns", "pubsubshard_channels", "latest_fork_usec", "total_forks",
		"migrate_cached_sockets", "slave_expires_tracked_keys", "active_defrag_hits", "active_defrag_misses",
		"active_defrag_key_hits", "active_defrag_key_misses", "total_active_defrag_time",
		"current_active_defrag_time", "tracking_total_keys", "tracking_total_items", "tracking_total_prefixes",
		"unexpected_error_replies", "total_error_replies", "dump_payload_sanitizations", "total_reads_processed",
		"total_writes_processed", "io_threaded_reads_processed", "io_threaded_writes_processed",
		"reply_buffer_shrinks", "reply_buffer_expands"},
	"CPU": {"used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children",
		"used_cpu_sys_main_thread", "used_cpu_user_main_thread"},
	"Sentinel": {"sentinel_masters", "sentinel_tilt", "sentinel_tilt_since_seconds", "sentinel_running_scripts",
		"sentinel_scripts_queue_length", "sentinel_simulate_failure_flags", "master0"},
}

type infoSection struct {
	name   string
	keys   []string
	values map[string]string
}

func parseInfo(t *testing.T, text string) []infoSection {
	t.Helper()
	if !strings.HasSuffix(text, "\r\n") {
		t.Fatalf("INFO does not end with CRLF: %q", text)
	}
	var sections []infoSection
	for i, block := range strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n\r\n") {
		lines := strings.Split(block, "\r\n")
		if !strings.HasPrefix(lines[0], "# ") {
			t.Fatalf("section %d starts with %q, want a '# Name' header", i, lines[0])
		}
		s := infoSection{name: strings.TrimPrefix(lines[0], "# "), values: map[string]string{}}
		for _, l := range lines[1:] {
			k, v, ok := strings.Cut(l, ":")
			if !ok {
				t.Fatalf("INFO line %q has no ':'", l)
			}
			s.keys = append(s.keys, k)
			s.values[k] = v
		}
		sections = append(sections, s)
	}
	return sections
}

func TestInfo(t *testing.T) {
	ts := startServer(t, Options{ConfigFile: "/etc/sentinel.conf"})
	c := dial(t, ts.addr)
	dial(t, ts.addr).roundTrip("+PONG\r\n", "PING")
	c.roundTrip("*3\r\n"+bulk("psubscribe")+bulk("*")+":1\r\n", "PSUBSCRIBE", "*")
	c.roundTrip("*3\r\n"+bulk("punsubscribe")+bulk("*")+":0\r\n", "PUNSUBSCRIBE")

	c.do("INFO")
	sections := parseInfo(t, c.value().Str)
	var names []string
	for _, s := range sections {
		names = append(names, s.name)
		if diff := strings.Join(s.keys, ","); diff != strings.Join(goldenInfoKeys[s.name], ",") {
			t.Errorf("section %s keys\n got %v\nwant %v", s.name, s.keys, goldenInfoKeys[s.name])
		}
	}
	if got := strings.Join(names, ","); got != "Server,Clients,Stats,CPU,Sentinel" {
		t.Fatalf("sections = %s, want Server,Clients,Stats,CPU,Sentinel", got)
	}
	server, clients, stats, sentinel := sections[0].values, sections[1].values, sections[2].values, sections[4].values
	checks := map[string][2]string{
		"process_id":        {server["process_id"], strconv.Itoa(os.Getpid())},
		"run_id":            {server["run_id"], cannedRunID},
		"tcp_port":          {server["tcp_port"], strconv.Itoa(ts.Port())},
		"redis_mode":        {server["redis_mode"], "sentinel"},
		"redis_version":     {server["redis_version"], "7.0.15"},
		"config_file":       {server["config_file"], "/etc/sentinel.conf"},
		"connected_clients": {clients["connected_clients"], "2"},
		"maxclients":        {clients["maxclients"], "10000"},
		// Two connections so far; PING, PSUBSCRIBE and PUNSUBSCRIBE were executed before INFO.
		"total_connections_received": {stats["total_connections_received"], "2"},
		"total_commands_processed":   {stats["total_commands_processed"], "3"},
		"pubsub_patterns":            {stats["pubsub_patterns"], "0"},
		"master0":                    {sentinel["master0"], "name=mymaster,status=ok,address=127.0.0.1:6390,slaves=2,sentinels=3"},
	}
	for field, gw := range checks {
		if gw[0] != gw[1] {
			t.Errorf("INFO %s = %q, want %q", field, gw[0], gw[1])
		}
	}

	// A single section, as the sentinel tests read it.
	want := "# Sentinel\r\n" + strings.Join(ts.backend.InfoSentinel(), "\r\n") + "\r\n"
	c.roundTrip(bulk(want), "INFO", "sentinel")
	c.roundTrip(bulk(want), "INFO", "SENTINEL", "nosuchsection")
	c.roundTrip("$0\r\n\r\n", "INFO", "memory")
	c.do("INFO", "clients", "server")
	if got := parseInfo(t, c.value().Str); len(got) != 2 || got[0].name != "Server" || got[1].name != "Clients" {
		t.Fatalf("INFO clients server gave sections %+v, want Server then Clients", got)
	}
}
