package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/test/docs"
	"github.com/failover-dev/redis-failover-operator/test/e2e/framework"
)

// documentedClient is one client snippet of docs/clients.md and how to run it: the snippet as
// written, then a tail that writes a key through the master the client found, reads it back and
// prints it.
type documentedClient struct {
	tag     string // the code block's info word
	file    string // the program's file name (the extension picks CommonJS or ES module)
	command []string
	tail    string
}

var documentedClients = []documentedClient{
	{tag: "ioredis", file: "client.js", command: []string{"node"},
		tail: `
redis.set(process.env.KEY, "v").then(() => redis.get(process.env.KEY)).then((v) => {
  console.log("GOT " + v);
  redis.disconnect();
}, (err) => { console.error(err); process.exit(1); });
`},
	{tag: "node-redis", file: "client.mjs", command: []string{"node"},
		tail: `
await sentinel.set(process.env.KEY, "v");
console.log("GOT " + (await sentinel.get(process.env.KEY)));
await sentinel.close();
`},
	// Debian's python3-redis (hack/toolchain.sh debian), as test/sentinel/python_test.go uses it.
	{tag: "redis-py", file: "client.py", command: []string{"/usr/bin/python3"},
		tail: `
master.set(os.environ["KEY"], "v")
print("GOT " + master.get(os.environ["KEY"]).decode())
`},
}

// TestDocumentedClientSettingsWork runs the ioredis, node-redis and redis-py settings of
// docs/clients.md as written against a RedisFailover named as in the docs ("cache", master name
// "default.cache": the default in the docs' namespace, spelled out since the test runs in a
// namespace of its own) with a password: each finds the master through the sentinels and writes
// and reads a key. The one change is the sentinel address: the test runs on the node, which
// reaches the sentinel Service by its cluster IP, not by its cluster DNS name. (go-redis is the checking writer of every
// other test; Jedis and Lettuce cannot be fetched here, docs/clients.md says so.)
func TestDocumentedClientSettingsWork(t *testing.T) {
	f := newFramework(t)
	ctx := t.Context()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	modules := filepath.Join(root, "test", "soak", "clients", "node_modules")
	if _, err := os.Stat(modules); err != nil {
		t.Fatalf("the Node.js clients are not installed (%v): hack/node-clients.sh (run by make test-e2e) installs them with npm ci from test/soak/clients/package-lock.json", err)
	}
	ns := f.CreateNamespace(t, "clients")
	password := randomPassword(t)
	const name, masterName = "cache", "default.cache" // as in the docs
	createRedisFailover(t, f, ns, name, password, func(rf *redisv1alpha1.RedisFailover) { rf.Spec.Sentinel.MasterName = masterName })
	waitReady(t, f, ns, name)
	var svc corev1.Service
	if err := f.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "rfs-" + name}, &svc); err != nil {
		t.Fatal(err)
	}

	for _, c := range documentedClients {
		t.Run(c.tag, func(t *testing.T) {
			blocks, err := docs.Blocks(filepath.Join(root, "docs", "clients.md"), c.tag)
			if err != nil {
				t.Fatal(err)
			}
			if len(blocks) != 1 {
				t.Fatalf("docs/clients.md has %d code blocks tagged %q, want 1", len(blocks), c.tag)
			}
			const documented = "rfs-cache.default.svc"
			if !strings.Contains(blocks[0].Body, documented) {
				t.Fatalf("the %s snippet (docs/clients.md:%d) does not use the sentinel address %s", c.tag, blocks[0].Line, documented)
			}
			program := strings.ReplaceAll(blocks[0].Body, documented, svc.Spec.ClusterIP) + c.tail
			dir := t.TempDir()
			// Node resolves packages from node_modules beside the program (ES modules ignore NODE_PATH).
			if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, c.file)
			if err := os.WriteFile(path, []byte(program), 0o644); err != nil {
				t.Fatal(err)
			}
			key := "documented-" + c.tag
			cctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			cmd := exec.CommandContext(cctx, c.command[0], append(c.command[1:], path)...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "REDIS_PASSWORD="+password, "KEY="+key)
			out, err := cmd.CombinedOutput()
			t.Logf("%s (docs/clients.md:%d):\n%s", c.tag, blocks[0].Line, out)
			if err != nil {
				t.Fatalf("%s snippet: %v", c.tag, err)
			}
			if !strings.Contains(string(out), "GOT v") {
				t.Fatalf("%s snippet did not read back its write: %s", c.tag, out)
			}
			// The write reached the master the sentinels name, not some other node.
			got := getOnMaster(t, f, ns, name, password, key)
			if got != "v" {
				t.Fatalf("key %s on the master: %q, want \"v\"", key, got)
			}
		})
	}
}

// getOnMaster reads key on the master the RedisFailover's status names, with redis-cli in
// that pod (the password through the environment, not the command line).
func getOnMaster(t *testing.T, f *framework.Framework, ns, name, password, key string) string {
	t.Helper()
	rf := waitReady(t, f, ns, name)
	if rf.Status.Master == nil {
		t.Fatalf("RedisFailover %s names no master", name)
	}
	res, err := f.Exec(t.Context(), ns, rf.Status.Master.Pod, "redis", "env", "REDISCLI_AUTH="+password, "redis-cli", "--raw", "GET", key)
	if err != nil {
		t.Fatalf("GET %s on %s: %v", key, rf.Status.Master.Pod, err)
	}
	return strings.TrimSpace(res.Stdout)
}
