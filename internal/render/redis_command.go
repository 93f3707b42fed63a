package render

import (
	"fmt"
	"strings"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// commandConfigLines turns spotahome's spec.redis.command into redis.conf lines. spotahome's form
// is [redis-server, <config file>, --directive, value..., --directive, value...]; redis-server
// reads each "--directive value..." group as the config line "directive value..." after the file,
// so the operator keeps its own start-up and config file and adds the groups to redis.conf with
// the same meaning. "--protected-mode no" is what the operator sets anyway and is dropped;
// every other group is checked like a customConfig entry.
//
// fields names the argument each line comes from, e.g. "spec.redis.command[2]".
func commandConfigLines(command []redisv1alpha1.RedisCommandArg) (lines []configLine, fields []string, err error) {
	if len(command) == 0 {
		return nil, nil, nil
	}
	if len(command) < 2 || !isRedisServer(string(command[0])) || !strings.HasSuffix(string(command[1]), ".conf") {
		return nil, nil, fmt.Errorf("spec.redis.command must be redis-server, a config file and optionally \"--directive value\" arguments: the operator runs its own start-up; put other settings in spec.redis.customConfig")
	}
	for i := 2; i < len(command); {
		arg := string(command[i])
		directive, ok := strings.CutPrefix(arg, "--")
		if !ok || !directivePattern.MatchString(directive) {
			return nil, nil, fmt.Errorf("spec.redis.command[%d] %q must be a \"--directive\" (lowercase), e.g. --maxmemory: fix the argument", i, arg)
		}
		field := fmt.Sprintf("spec.redis.command[%d]", i)
		j := i + 1
		var args []string
		for ; j < len(command) && !strings.HasPrefix(string(command[j]), "--"); j++ {
			args = append(args, string(command[j]))
		}
		if len(args) == 0 {
			return nil, nil, fmt.Errorf("%s --%s has no value: add one", field, directive)
		}
		switch fix, owned := ownedRedisDirectives[directive]; {
		case directive == "protected-mode" && len(args) == 1 && strings.EqualFold(args[0], "no"):
			// The operator's own setting.
		case owned:
			return nil, nil, fmt.Errorf("%s: %q is managed by the operator: %s", field, directive, fix)
		default:
			lines = append(lines, configLine{directive: directive, args: args})
			fields = append(fields, field)
		}
		i = j
	}
	return lines, fields, nil
}

func isRedisServer(s string) bool {
	return s == "redis-server" || strings.HasSuffix(s, "/redis-server")
}
