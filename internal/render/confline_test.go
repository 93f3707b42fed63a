package render

import (
	"strings"
	"testing"
)

func TestParseConfigLineRejects(t *testing.T) {
	cases := []struct{ line, wantErr string }{
		{"maxmemory 1mb\nreplicaof 10.0.0.1 6379", "single line"},
		{"maxmemory 1mb\rreplicaof x", "single line"},
		{"maxmemory 1mb\x00", "single line"},
		{"MAXMEMORY 1mb", "lowercase directive"},
		{"maxmemory", "lowercase directive"},
		{"maxmemory  1mb", "lowercase directive"},
		{" maxmemory 1mb", "lowercase directive"},
		{`maxmemory-policy "allkeys-lru`, "unbalanced quotes"},
	}
	for _, c := range cases {
		_, err := parseConfigLine("spec.redis.customConfig[3]", c.line)
		if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), "spec.redis.customConfig[3]") {
			t.Errorf("parseConfigLine(%q) error = %v; want one naming spec.redis.customConfig[3] and %q", c.line, err, c.wantErr)
		}
	}
}
