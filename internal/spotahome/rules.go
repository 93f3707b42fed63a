package spotahome

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// Defaults of spotahome and of stock Redis Sentinel that differ from this API's, written out by
// the conversion so that the converted resource behaves as the spotahome one did.
const (
	// spotahome's sentinels got these when spec.sentinel.customConfig was empty.
	spotahomeDownAfterMilliseconds = 5000
	spotahomeFailoverTimeout       = 10000
	// A non-empty customConfig replaced spotahome's defaults, so an option it lacks had stock
	// Redis Sentinel's default.
	stockDownAfterMilliseconds = 30000
	stockFailoverTimeout       = 180000
	spotahomeMasterName        = "mymaster"
	spotahomeRedisImage        = "redis:6.2.6-alpine"
)

// conversion converts one RedisFailover document in place.
type conversion struct {
	opts Options
}

func (c *conversion) convert(root *yaml.Node) error {
	k, v := entry(root, "apiVersion")
	v.Value = redisv1alpha1.GroupVersion.String()
	note(k, "Converted from "+APIVersion+" by kubectl rf convert. Comments like this one mark",
		"each field whose meaning changed (docs/migrating-from-spotahome.md).")

	metaKey, meta := entry(root, "metadata")
	specKey, spec := child(root, "spec")
	if spec == nil {
		return fmt.Errorf("spec is not a mapping")
	}

	if err := c.bootstrap(spec); err != nil {
		return err
	}
	c.masterName(spec, metaKey)
	c.labels(spec, meta)
	if err := c.redis(spec); err != nil {
		return err
	}
	if err := c.sentinel(spec); err != nil {
		return err
	}
	if len(spec.Content) == 0 && specKey.HeadComment == "" {
		remove(root, "spec")
	}
	return nil
}

func (c *conversion) bootstrap(spec *yaml.Node) error {
	if _, v := entry(spec, "bootstrapNode"); v != nil {
		return fmt.Errorf("spec.bootstrapNode cannot be converted: this operator cannot yet start its nodes as replicas of a master outside the RedisFailover; remove spec.bootstrapNode and copy the data as docs/migrating-from-spotahome.md describes")
	}
	return nil
}

func (c *conversion) masterName(spec, metaKey *yaml.Node) {
	sentinelKey, sentinel := child(spec, "sentinel")
	if _, v := entry(sentinel, "masterName"); v != nil {
		return
	}
	if c.opts.KeepMasterName {
		k := set(sentinel, "masterName", strNode(spotahomeMasterName))
		note(k, "spotahome's sentinels always named the master mymaster; kept for clients that ask for it",
			"(--keep-master-name). Only one RedisFailover per namespace may use it: not while spotahome's run.")
		return
	}
	target := metaKey
	if target == nil {
		target = sentinelKey
	}
	note(target, "The sentinels name the master after metadata.name, not spotahome's mymaster: point clients",
		"at that name, or set spec.sentinel.masterName: mymaster (kubectl rf convert --keep-master-name).")
}

func (c *conversion) labels(spec, meta *yaml.Node) {
	if k, v := entry(spec, "labelWhitelist"); v != nil {
		note(k, "Same meaning: labels of this resource matching these expressions are copied to its objects.")
		return
	}
	labels := mapping(meta, "labels")
	if labels == nil || len(labels.Content) == 0 {
		return
	}
	k := set(spec, "labelWhitelist", &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{strNode(".*")}})
	note(k, "spotahome copied all of the resource's labels to its objects when labelWhitelist was unset;",
		`here unset copies none, so ".*" keeps spotahome's behaviour.`)
}

func (c *conversion) redis(spec *yaml.Node) error {
	key, redis := child(spec, "redis")
	if err := c.pod("spec.redis", redis); err != nil {
		return err
	}
	if _, v := entry(redis, "image"); v == nil {
		note(key, "image is unset: this operator's default "+redisv1alpha1.DefaultRedisImage+" (spotahome's was "+spotahomeRedisImage+").")
	}
	if v := remove(redis, "version"); v != nil {
		note(key, "version: "+v.Value+" removed: spotahome's v1 has no such field (its API server dropped it); put the tag in image.")
	}
	if _, v := entry(redis, "securityContext"); v == nil {
		note(key, "securityContext is unset: the Redis pods run as uid 999 (fsGroup 999) with a read-only root",
			"filesystem; spotahome's ran as root, since it bypassed the redis image's entrypoint.")
	}
	if k, v := entry(redis, "command"); v != nil {
		note(k, "The operator keeps its own start-up: redis-server and the config file are its own, and each",
			`"--directive value" argument becomes the redis.conf line "directive value".`)
	}
	if k, v := entry(redis, "customCommandRenames"); v != nil {
		note(k, "The operator, the sentinels and the pods' scripts send the new names; the redis_exporter does not know them.")
	}
	if k, v := entry(redis, "shutdownConfigMap"); v != nil {
		note(k, "shutdown.sh runs after the operator's own handover (a master hands over with writes paused);",
			"the sentinels' master name is metadata.name unless spec.sentinel.masterName is set.")
	}
	if k, v := entry(redis, "startupConfigMap"); v != nil {
		note(k, "Same meaning: startup.sh is the Redis container's startup probe.")
	}
	if v := remove(redis, "customReadinessProbe"); v != nil {
		note(key, "customReadinessProbe removed: a Redis pod's readiness means a replica has synced, which the",
			"replica Service and the operator's rollout rely on.")
	}
	if _, v := entry(redis, "disablePodDisruptionBudget"); v != nil && v.Value == "true" && mapping(mapping(redis, "storage"), "persistentVolumeClaim") == nil {
		remove(redis, "disablePodDisruptionBudget")
		note(key, "disablePodDisruptionBudget removed: with emptyDir storage a drain could evict every Redis pod",
			"and lose the data; this operator's budget allows one pod down at a time and never blocks a drain.")
	}
	if len(redis.Content) == 0 && key.HeadComment == "" {
		remove(spec, "redis")
	}
	return nil
}

// pod converts the fields both components share.
func (c *conversion) pod(field string, m *yaml.Node) error {
	if v := remove(m, "hostNetwork"); v != nil && v.Value == "true" {
		return fmt.Errorf("%s.hostNetwork: true cannot be converted: a Redis pod and a sentinel pod on one node would share its address, and the operator and the sentinels tell nodes apart by address; remove it", field)
	}
	return nil
}

func (c *conversion) sentinel(spec *yaml.Node) error {
	key, sentinel := child(spec, "sentinel")
	if err := c.pod("spec.sentinel", sentinel); err != nil {
		return err
	}
	if v := remove(sentinel, "image"); v != nil {
		if redisv1alpha1.IsRedisImage(v.Value) {
			note(key, "image: "+v.Value+" removed: the sentinels run this project's server from the operator's image.")
		} else {
			set(sentinel, "image", v)
		}
	}
	if v := remove(sentinel, "command"); v != nil {
		note(key, "command removed: the sentinels run this project's server with the command the operator renders.")
	}
	if v := remove(sentinel, "startupConfigMap"); v != nil {
		note(key, "startupConfigMap removed: the sentinel container has no shell to run startup.sh.")
	}
	for _, probe := range []string{"customLivenessProbe", "customReadinessProbe", "customStartupProbe"} {
		if _, v := entry(sentinel, probe); v != nil && mapping(v, "exec") != nil {
			remove(sentinel, probe)
			note(key, probe+" removed: an exec probe needs a shell and redis-cli, which the sentinel's image has not; use tcpSocket.")
		}
	}
	c.exporter(sentinel)
	if err := c.sentinelTimings(sentinel); err != nil {
		return err
	}
	if len(sentinel.Content) == 0 && key.HeadComment == "" {
		remove(spec, "sentinel")
	}
	return nil
}

func (c *conversion) exporter(sentinel *yaml.Node) {
	k, e := entry(sentinel, "exporter")
	if e == nil || e.Kind != yaml.MappingNode {
		return
	}
	var dropped []string
	for _, f := range []string{"image", "imagePullPolicy", "args", "env", "resources", "containerSecurityContext"} {
		if remove(e, f) != nil {
			dropped = append(dropped, f)
		}
	}
	note(k, "No sidecar: enabled turns on the sentinel's own Prometheus metrics, port 9355 (container port",
		`"metrics", path /metrics), not spotahome's exporter's.`)
	if len(dropped) > 0 {
		note(k, strings.Join(dropped, ", ")+" removed: they configured spotahome's exporter sidecar.")
	}
}

// sentinelTimings moves the timing lines of spec.sentinel.customConfig onto the typed fields and
// writes out the timings spotahome's sentinels ran with when the manifest left them implicit.
func (c *conversion) sentinelTimings(sentinel *yaml.Node) error {
	typed := map[string]string{
		"down-after-milliseconds": "downAfterMilliseconds",
		"failover-timeout":        "failoverTimeout",
		"parallel-syncs":          "parallelSyncs",
		"quorum":                  "quorum",
	}
	ccKey, cc := entry(sentinel, "customConfig")
	hadLines := cc != nil && cc.Kind == yaml.SequenceNode && len(cc.Content) > 0
	found := map[string]bool{}
	if hadLines {
		var kept []*yaml.Node
		for i, line := range cc.Content {
			option, value, _ := strings.Cut(strings.TrimSpace(line.Value), " ")
			field, ok := typed[option]
			if !ok {
				kept = append(kept, line)
				continue
			}
			n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 32)
			if err != nil {
				return fmt.Errorf("spec.sentinel.customConfig[%d] %q: %s takes a whole number: fix the value", i, line.Value, option)
			}
			if _, v := entry(sentinel, field); v != nil {
				return fmt.Errorf("spec.sentinel.customConfig[%d] %q: spec.sentinel.%s is set as well: keep one", i, line.Value, field)
			}
			found[option] = true
			k := set(sentinel, field, intNode(n))
			note(k, `was spec.sentinel.customConfig "`+line.Value+`"`)
		}
		if len(kept) == 0 {
			remove(sentinel, "customConfig")
		} else {
			cc.Content = kept
			note(ccKey, "The timing options moved to the typed fields; the rest keep their meaning.")
		}
	}
	implicit := []struct {
		option, field string
		spotahome     int64
		stock         int64
		ours          int64
	}{
		{"down-after-milliseconds", "downAfterMilliseconds", spotahomeDownAfterMilliseconds, stockDownAfterMilliseconds, redisv1alpha1.DefaultDownAfterMilliseconds},
		{"failover-timeout", "failoverTimeout", spotahomeFailoverTimeout, stockFailoverTimeout, redisv1alpha1.DefaultFailoverTimeout},
	}
	for _, o := range implicit {
		if found[o.option] {
			continue
		}
		if _, v := entry(sentinel, o.field); v != nil {
			continue
		}
		if !hadLines {
			if o.spotahome != o.ours {
				k := set(sentinel, o.field, intNode(o.spotahome))
				note(k, "spotahome's default when customConfig is empty; this operator's is "+strconv.FormatInt(o.ours, 10)+".")
			}
			continue
		}
		k := set(sentinel, o.field, intNode(o.stock))
		note(k, "spotahome's customConfig replaced its defaults, so "+o.option+" was stock Redis Sentinel's;",
			"lower it for faster failure detection.")
	}
	return nil
}
