//go:build envtest

package render_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/internal/render"
)

// The schema (CEL, at apply time) and render (Go, at reconcile time) judge spec.redis.customConfig
// independently. For generated lines, this checks that they agree: whatever the API server lets
// through renders, and whatever it refuses render refuses too, including quoting that Redis
// itself would reject ("unbalanced quotes"), which both follow sdssplitargs for. One refusal is
// render's alone by design: the value of a live setting it cannot read (`hz ""`, `maxmemory
// lots`) stops the render with InvalidSpec, naming the entry (docs/operations.md, "Changing
// Redis settings"); the schema does not know each directive's value type.
func TestSchemaAndRenderAgreeOnCustomConfig(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	rng := rand.New(rand.NewPCG(1, 2)) // fixed seed: the same lines every run
	directives := []string{
		"maxmemory", "save", "hz", "appendonly", "notify-keyspace-events", "client-output-buffer-limit",
		"replicaof", "slaveof", "port", "dir", "requirepass", "masterauth", "include", "rename-command",
		"bind", "repl-backlog-size", "min-replicas-to-write", "user", "sentinel", "protected-mode",
		"MAXMEMORY", "Port", "max_memory", "9lives", "-dash", "", "x",
	}
	separators := []string{" ", " ", " ", "  ", "\t", "", "\n", " \n"}
	values := []string{
		"100mb", "900 1 300 10", `"Ex"`, `'pubsub 32mb 8mb 60'`, `""`, `"unterminated`, `'open`,
		`"closed"x`, `a\"b`, "yes", "10.0.0.1 6379", "x\nreplicaof 10.0.0.1 6379", "x\rport 1",
		"nul\x00", "tab\there", "ünï", "\x7f", " leading", "trailing ", `\x41`, "",
	}
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	// Half the lines are well-formed apart from, at most, the directive, so that both outcomes
	// are common; the other half mix every piece.
	plainDirectives := directives[:6]
	plainValues := []string{"100mb", "900 1 300 10", `"Ex"`, `'pubsub 32mb 8mb 60'`, `""`, "yes", "ünï", `\x41`, `"closed"x`}

	var accepted, refused, valueRefused int
	for i := range 400 {
		line := pick(directives) + pick(separators) + pick(values)
		if rng.IntN(2) == 0 {
			line = pick(plainDirectives) + " " + pick(plainValues)
		}
		if rng.IntN(4) == 0 {
			line += " " + pick(values)
		}
		rf := &redisv1alpha1.RedisFailover{
			ObjectMeta: metav1.ObjectMeta{Name: "agree", Namespace: ns},
			Spec: redisv1alpha1.RedisFailoverSpec{Redis: redisv1alpha1.RedisSettings{
				CustomConfig: []redisv1alpha1.RedisConfigLine{redisv1alpha1.RedisConfigLine(line)},
			}},
		}
		serverErr := k8s.Create(ctx, rf, client.DryRunAll)
		_, renderErr := render.Objects(rf, render.Options{SentinelImage: "localhost/redis-failover-operator:test"})
		switch {
		case serverErr == nil && renderErr == nil:
			accepted++
		case serverErr != nil && renderErr != nil:
			refused++
		case serverErr == nil && isLiveSettingValueError(rf, renderErr):
			valueRefused++
		case serverErr == nil:
			t.Errorf("line %d %q: the API server accepts it, render refuses: %v", i, line, renderErr)
		default:
			t.Errorf("line %d %q: the API server refuses it (%v), render accepts it", i, line, serverErr)
		}
	}
	t.Logf("400 lines: %d accepted by both, %d refused by both, %d refused by render for a live setting's value", accepted, refused, valueRefused)
	// The generator must exercise both outcomes, or agreement would prove little.
	if accepted < 40 || refused < 40 {
		t.Errorf("generated lines too one-sided: %d accepted, %d refused", accepted, refused)
	}
}

// isLiveSettingValueError reports whether render refused the spec only for a live setting's
// value: the error is the live-settings check's, and that check alone refuses the spec.
func isLiveSettingValueError(rf *redisv1alpha1.RedisFailover, renderErr error) bool {
	_, err := render.RedisLiveSettings(rf)
	return err != nil && strings.Contains(renderErr.Error(), "rendering live settings: "+err.Error())
}
