package conf

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse checks that the parser never panics, and that whatever it accepts survives a
// rewrite: Render's output parses to the same Config, and rendering again changes nothing.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"sentinel monitor m 127.0.0.1 6379 2\nsentinel down-after-milliseconds m 1000\n",
		"# c\nport 26380\nbind 127.0.0.1 ::1\nsentinel monitor \"a b\" ::1 1 1\nsentinel auth-pass \"a b\" 'x\\'y'\n",
		"sentinel known-replica m 10.0.0.1 1\nsentinel monitor m 10.0.0.2 2 1\nsentinel config-epoch m 5\n",
		"sentinel resolve-hostnames yes\nsentinel monitor m redis-0.redis 6379 2\nsentinel known-sentinel m redis-1 26379 " + id1 + "\n",
		"sentinel myid " + id1 + "\nsentinel current-epoch 3\nsentinel announce-ip \"\\x31.2.3.4\"\nsentinel announce-port 1\n",
		"user default on nopass ~* &* +@all\nrequirepass \"p\\x00w\"\nsave \"\"\nmaxclients 10\nloglevel debug\n",
		"sentinel monitor m 127.0.0.1 1 1\nsentinel rename-command m config c\nsentinel known-sentinel m 127.0.0.1 2\n" + RewriteSignature + "\n",
		"port 1\nport 2\n\n\tdaemonize yes\r\nprotected-mode YES\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.conf", data)
		if err != nil {
			if _, ok := err.(*LineError); !ok {
				t.Fatalf("error is %T, not *LineError: %v", err, err)
			}
			return
		}
		out := Render(data, cfg)
		again, err := Parse("fuzz.conf", out)
		if err != nil {
			t.Fatalf("rendered file does not parse: %v\ninput:\n%q\nrendered:\n%q", err, data, out)
		}
		if diff := cmp.Diff(cfg, again, sameConfig); diff != "" {
			t.Fatalf("round trip changed the config (-first +second):\n%s\ninput:\n%q\nrendered:\n%q", diff, data, out)
		}
		if out2 := Render(out, again); !bytes.Equal(out, out2) {
			t.Fatalf("rendering twice is not stable:\n%q\n%q", out, out2)
		}
	})
}
