package render

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// ObjectSet is every object one RedisFailover needs, without owner references.
type ObjectSet struct {
	RedisConfigMap       *corev1.ConfigMap
	SentinelConfigMap    *corev1.ConfigMap
	RedisHeadlessService *corev1.Service
	MasterService        *corev1.Service
	ReplicaService       *corev1.Service
	SentinelService      *corev1.Service
	// SentinelHeadlessService lists the sentinel pods in DNS for the sentinels' discovery.
	SentinelHeadlessService *corev1.Service
	RedisStatefulSet        *appsv1.StatefulSet
	SentinelDeployment      *appsv1.Deployment
	// RedisPDB and SentinelPDB are nil when the spec disables them.
	RedisPDB    *policyv1.PodDisruptionBudget
	SentinelPDB *policyv1.PodDisruptionBudget
	// Absent are objects the spec no longer wants: the controller deletes them if it owns them.
	Absent []client.Object
}

// All lists the objects in the order to apply them: what pods read or are reached through
// first, then the workloads, then their disruption budgets.
func (s *ObjectSet) All() []client.Object {
	all := []client.Object{
		s.RedisConfigMap, s.SentinelConfigMap,
		s.RedisHeadlessService, s.MasterService, s.ReplicaService, s.SentinelService, s.SentinelHeadlessService,
		s.RedisStatefulSet, s.SentinelDeployment,
	}
	if s.RedisPDB != nil {
		all = append(all, s.RedisPDB)
	}
	if s.SentinelPDB != nil {
		all = append(all, s.SentinelPDB)
	}
	return all
}

// Objects renders the objects for rf. Unset fields take the schema defaults, so a RedisFailover
// built in code renders as it would after the API server defaulted it. An error names the field
// and the fix; it means the spec got past the schema (an older CRD, for instance) and nothing
// should be applied.
func Objects(rf *redisv1alpha1.RedisFailover, opts Options) (*ObjectSet, error) {
	if rf.Name == "" || rf.Namespace == "" {
		return nil, errors.New("rendering a RedisFailover without a name or namespace")
	}
	rf = rf.WithDefaults()

	sentinel, err := sentinelProgram(rf, opts)
	if err != nil {
		return nil, err
	}

	// Clients and the sentinels' commands carry the master name; the schema allows only a safe
	// alphabet, checked again here like every other user value render passes on.
	if !masterNamePattern.MatchString(rf.MasterName()) {
		return nil, fmt.Errorf("spec.sentinel.masterName %q must contain only letters, digits, '.', '_' and '-' and start with a letter or digit: fix the name", rf.MasterName())
	}

	redisConfText, err := redisConf(rf)
	if err != nil {
		return nil, fmt.Errorf("rendering redis.conf: %w", err)
	}
	// Checked here as well as by the controller, so that a bad entry stops the render rather
	// than a later SENTINEL SET.
	if _, err := SentinelMasterOptions(rf); err != nil {
		return nil, fmt.Errorf("rendering sentinel options: %w", err)
	}
	// Likewise a live setting Redis would refuse stops the render, naming the field.
	if _, err := RedisLiveSettings(rf); err != nil {
		return nil, fmt.Errorf("rendering live settings: %w", err)
	}

	if err := checkRefusedFields(rf); err != nil {
		return nil, err
	}
	if _, err := labelWhitelist(rf); err != nil {
		return nil, err
	}
	if err := checkPodExtensions("spec.redis", rf.Spec.Redis.PodExtensions); err != nil {
		return nil, err
	}
	if err := checkPodExtensions("spec.sentinel", rf.Spec.Sentinel.PodExtensions); err != nil {
		return nil, err
	}

	redisData := map[string]string{
		redisConfKey:     redisConfText,
		initScriptKey:    initScript,
		startScriptKey:   startScript,
		readinessKey:     readinessScript,
		preStopScriptKey: preStopScript,
	}
	if rf.Spec.Redis.ShutdownConfigMap != "" {
		redisData[preStopCustomKey] = preStopCustomScript
	}
	redisCM := configMap(rf, RedisName(rf), redisv1alpha1.ComponentRedis, redisData)
	discovery, err := sentinelDiscoverySettings(rf)
	if err != nil {
		return nil, fmt.Errorf("rendering sentinel options: %w", err)
	}
	sentinelCM := configMap(rf, SentinelName(rf), redisv1alpha1.ComponentSentinel, map[string]string{
		sentinelConfKey:      sentinelConf(rf),
		initScriptKey:        initScript,
		sentinelDiscoveryKey: discovery,
	})

	set := &ObjectSet{
		RedisConfigMap:          redisCM,
		SentinelConfigMap:       sentinelCM,
		RedisHeadlessService:    redisHeadlessService(rf),
		MasterService:           masterService(rf),
		ReplicaService:          replicaService(rf),
		SentinelService:         sentinelService(rf),
		SentinelHeadlessService: sentinelHeadlessService(rf),
		RedisStatefulSet:        redisStatefulSet(rf, redisTemplateHash(redisCM.Data)),
		SentinelDeployment:      sentinelDeployment(rf, sentinel, sentinelTemplateHash(sentinelCM.Data)),
		RedisPDB:                podDisruptionBudget(objectMeta(rf, RedisName(rf), redisv1alpha1.ComponentRedis), RedisSelector(rf)),
		SentinelPDB:             podDisruptionBudget(objectMeta(rf, SentinelName(rf), redisv1alpha1.ComponentSentinel), SentinelSelector(rf)),
	}
	// disablePodDisruptionBudget (spotahome's field): no budget, and one left from before is
	// deleted.
	if rf.Spec.Redis.DisablePodDisruptionBudget {
		set.Absent = append(set.Absent, set.RedisPDB)
		set.RedisPDB = nil
	}
	if rf.Spec.Sentinel.DisablePodDisruptionBudget {
		set.Absent = append(set.Absent, set.SentinelPDB)
		set.SentinelPDB = nil
	}
	return set, nil
}

// sentinelProgram picks the sentinel container's image and command for the implementation the
// operator runs with.
func sentinelProgram(rf *redisv1alpha1.RedisFailover, opts Options) (program, error) {
	if err := opts.Validate(); err != nil {
		return program{}, err
	}
	confPath := path.Join(sentinelDataDir, sentinelConfKey)
	if opts.SentinelImplementation == SentinelImplementationRedisSentinel {
		return program{image: rf.Spec.Redis.Image, pullPolicy: rf.Spec.Redis.ImagePullPolicy, command: []string{"redis-server", confPath, "--sentinel"}}, nil
	}
	// A Redis image from a spotahome manifest is ignored (IgnoredFields): the sentinels run
	// this project's server.
	image := rf.Spec.Sentinel.SentinelImage()
	if image == "" {
		image = opts.SentinelImage
	}
	if image == "" {
		return program{}, errors.New("spec.sentinel.image is empty and the operator was given no default sentinel image: set spec.sentinel.image or start the operator with its own image")
	}
	command := []string{"redis-failover", "sentinel", confPath}
	// Discovery: the sentinel finds the master and its peers by itself (from the headless
	// Services' DNS, no Kubernetes API access) when it monitors nothing, so that failover never
	// waits for the operator; it also forgets the addresses of pods that are gone.
	command = append(command,
		"--discover-master", rf.MasterName(),
		"--discover-sentinels", serviceDNSName(rf, SentinelHeadlessServiceName(rf), redisv1alpha1.SentinelPort),
		"--discover-redis", serviceDNSName(rf, RedisName(rf), rf.Spec.Redis.Port),
		"--discover-settings", path.Join(sentinelTemplateDir, sentinelDiscoveryKey))
	if rf.Spec.Auth.Enabled() {
		command = append(command, "--discover-auth-file", path.Join(sentinelSecretDir, passwordFileName))
	}
	// spec.sentinel.exporter.enabled is spotahome's sentinel exporter, mapped onto the
	// sentinel's own metrics for this RedisFailover.
	metrics := opts.SentinelMetrics || rf.Spec.Sentinel.Exporter.Enabled
	if metrics {
		command = append(command, "--metrics-addr", ":"+strconv.Itoa(SentinelMetricsPort))
	}
	return program{image: image, pullPolicy: rf.Spec.Sentinel.ImagePullPolicy, command: command, metrics: metrics, discovery: true}, nil
}

// serviceDNSName is a Service's name in cluster DNS with a port, relative to the cluster domain
// (the pods' resolv.conf search list completes it, whatever the domain is).
func serviceDNSName(rf *redisv1alpha1.RedisFailover, service string, port int32) string {
	return fmt.Sprintf("%s.%s.svc:%d", service, rf.Namespace, port)
}

// redisTemplateHash is the Redis pod template's checksum of its ConfigMap: everything but the
// lines of live settings, which CONFIG SET applies without a restart (see livesettings.go).
// Changing only those leaves the pod template alone, so no pod restarts for them.
func redisTemplateHash(data map[string]string) string {
	restart := maps.Clone(data)
	restart[redisConfKey] = restartRelevant(data[redisConfKey])
	return hashData(restart)
}

// sentinelTemplateHash is the sentinel pod template's checksum of its ConfigMap: everything but
// the discovery settings, which the controller applies to running sentinels with SENTINEL SET
// and the kubelet updates in the mounted file, so that a new timing restarts no sentinel.
func sentinelTemplateHash(data map[string]string) string {
	restart := maps.Clone(data)
	delete(restart, sentinelDiscoveryKey)
	return hashData(restart)
}

// 112 characters at most by default: a namespace (63), a dot and metadata.name (48).
var masterNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

func objectMeta(rf *redisv1alpha1.RedisFailover, name, component string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: rf.Namespace, Labels: objectLabels(rf, component)}
}

func configMap(rf *redisv1alpha1.RedisFailover, name, component string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(rf, name, component),
		Data:       data,
	}
}
