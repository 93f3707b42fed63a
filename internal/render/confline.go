package render

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/failover-dev/redis-failover-operator/internal/confargs"
)

// A config line is a directive and its arguments in the syntax redis.conf and sentinel.conf share
// (redis's sdssplitargs). The schema already refuses bad customConfig entries; render checks
// them again and re-quotes every argument it writes, so that a value that got past the API
// server some other way (an older CRD, a direct etcd write) still cannot add a directive.

var directivePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// configLine is one parsed customConfig entry.
type configLine struct {
	directive string
	args      []string
}

// parseConfigLine parses one customConfig entry, field naming it in errors (e.g.
// "spec.redis.customConfig[2]").
func parseConfigLine(field, line string) (configLine, error) {
	for _, r := range line {
		if r < 0x20 || r == 0x7f {
			return configLine{}, fmt.Errorf("%s must be a single line: remove newlines, carriage returns, NUL and other control characters", field)
		}
	}
	directive, rest, ok := strings.Cut(line, " ")
	if !ok || !directivePattern.MatchString(directive) || rest == "" || rest[0] == ' ' {
		return configLine{}, fmt.Errorf("%s %q must be a lowercase directive, one space and a value, e.g. \"maxmemory 100mb\": fix the entry", field, line)
	}
	args, err := confargs.Split(rest)
	if err != nil {
		return configLine{}, fmt.Errorf("%s %q has unbalanced quotes (%v): close the quote or remove it", field, line, err)
	}
	if len(args) == 0 {
		return configLine{}, fmt.Errorf("%s %q has no value: add one", field, line)
	}
	return configLine{directive: directive, args: args}, nil
}

// String renders the line with every argument quoted as needed.
func (l configLine) String() string {
	var b strings.Builder
	b.WriteString(l.directive)
	for _, a := range l.args {
		b.WriteByte(' ')
		b.WriteString(confargs.Quote(a))
	}
	return b.String()
}
