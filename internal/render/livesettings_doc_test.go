package render

import (
	"os"
	"strings"
	"testing"
)

// docs/operations.md lists the live and the restart settings; it must say what the table says,
// row for row, so that the page cannot drift from what the operator does.
func TestLiveSettingsDocumented(t *testing.T) {
	raw, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	// Only the section of this table: the page has other tables.
	_, section, ok := strings.Cut(string(raw), "\n## Changing Redis settings\n")
	if !ok {
		t.Fatal("docs/operations.md has no section \"## Changing Redis settings\"")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var rows []string
	for line := range strings.Lines(section) {
		if strings.HasPrefix(line, "| `") {
			rows = append(rows, strings.TrimSpace(line))
		}
	}
	var want []string
	for _, s := range LiveSettings {
		want = append(want, "| `"+s.Directive+"` | "+string(s.Kind)+" | `"+s.Default+"` |")
	}
	for _, s := range RestartSettings {
		want = append(want, "| `"+s.Directive+"` | "+s.Why+" |")
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("docs/operations.md's tables differ from LiveSettings and RestartSettings; they should read, in order:\n%s\n\nthey read:\n%s",
			strings.Join(want, "\n"), strings.Join(rows, "\n"))
	}
}
