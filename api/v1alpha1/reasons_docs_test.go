package v1alpha1

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestEveryReasonHasATroubleshootingSection keeps docs/troubleshooting.md complete: a reason a
// user reads in a condition or an Event must have a section saying what it means and what to do.
func TestEveryReasonHasATroubleshootingSection(t *testing.T) {
	doc, err := os.ReadFile("../../docs/troubleshooting.md")
	if err != nil {
		t.Fatal(err)
	}
	headings := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		if h, ok := strings.CutPrefix(line, "### `"); ok {
			headings[strings.TrimSuffix(h, "`")] = true
		}
	}
	f, err := parser.ParseFile(token.NewFileSet(), "reasons.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, "Reason") {
					continue // failover record reasons are explained in docs/failover.md
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					t.Fatalf("%s is not a string literal", name.Name)
				}
				reason, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				n++
				if !headings[reason] {
					t.Errorf("docs/troubleshooting.md has no \"### `%s`\" section for %s", reason, name.Name)
				}
			}
		}
	}
	if n < 13 {
		t.Fatalf("found %d reasons in reasons.go, want at least the 13 condition reasons", n)
	}
}
