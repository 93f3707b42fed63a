package render

import (
	"fmt"
	"regexp"
	"strings"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// labelWhitelist compiles spec.labelWhitelist (spotahome's field): the RedisFailover's own labels
// whose key matches one of the expressions are copied onto the objects and pods it renders.
func labelWhitelist(rf *redisv1alpha1.RedisFailover) ([]*regexp.Regexp, error) {
	patterns := make([]*regexp.Regexp, 0, len(rf.Spec.LabelWhitelist))
	for i, p := range rf.Spec.LabelWhitelist {
		re, err := regexp.Compile(string(p))
		if err != nil {
			return nil, fmt.Errorf("spec.labelWhitelist[%d] %q is not a valid regular expression (%v): fix the expression", i, p, err)
		}
		patterns = append(patterns, re)
	}
	return patterns, nil
}

// propagatedLabels are the RedisFailover's labels that spec.labelWhitelist selects, without the
// operator's own keys: those select its pods and are never taken from the user. An invalid
// expression selects nothing here; Objects refuses it before anything is rendered.
func propagatedLabels(rf *redisv1alpha1.RedisFailover) map[string]string {
	out := map[string]string{}
	patterns, err := labelWhitelist(rf)
	if err != nil || len(patterns) == 0 {
		return out
	}
	for k, v := range rf.Labels {
		if reservedLabel(k) {
			continue
		}
		for _, re := range patterns {
			if re.MatchString(k) {
				out[k] = v
				break
			}
		}
	}
	return out
}

func reservedLabel(key string) bool {
	switch key {
	case redisv1alpha1.LabelName, redisv1alpha1.LabelInstance, redisv1alpha1.LabelComponent, redisv1alpha1.LabelManagedBy:
		return true
	}
	return strings.HasPrefix(key, "redis.failover.dev/")
}
