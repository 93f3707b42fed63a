package render

import (
	"errors"
	"fmt"
	"regexp"

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
	RedisStatefulSet     *appsv1.StatefulSet
	SentinelDeployment   *appsv1.Deployment
	RedisPDB             *policyv1.PodDisruptionBudget
	SentinelPDB          *policyv1.PodDisruptionBudget
}

// All lists the objects in the order to apply them: what pods read or are reached through
// first, then the workloads, then their disruption budgets.
func (s *ObjectSet) All() []client.Object {
	return []client.Object{
		s.RedisConfigMap, s.SentinelConfigMap,
		s.RedisHeadlessService, s.MasterService, s.ReplicaService, s.SentinelService,
		s.RedisStatefulSet, s.SentinelDeployment,
		s.RedisPDB, s.SentinelPDB,
	}
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

	sentinelImage := rf.Spec.Sentinel.Image
	if sentinelImage == "" {
		sentinelImage = opts.SentinelImage
	}
	if sentinelImage == "" {
		return nil, errors.New("spec.sentinel.image is empty and the operator was given no default sentinel image: set spec.sentinel.image or start the operator with its own image")
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

	redisCM := configMap(rf, RedisName(rf), redisv1alpha1.ComponentRedis, map[string]string{
		redisConfKey:     redisConfText,
		initScriptKey:    initScript,
		startScriptKey:   startScript,
		readinessKey:     readinessScript,
		preStopScriptKey: preStopScript,
	})
	sentinelCM := configMap(rf, SentinelName(rf), redisv1alpha1.ComponentSentinel, map[string]string{
		sentinelConfKey: sentinelConf(rf),
		initScriptKey:   initScript,
	})

	return &ObjectSet{
		RedisConfigMap:       redisCM,
		SentinelConfigMap:    sentinelCM,
		RedisHeadlessService: redisHeadlessService(rf),
		MasterService:        masterService(rf),
		ReplicaService:       replicaService(rf),
		SentinelService:      sentinelService(rf),
		RedisStatefulSet:     redisStatefulSet(rf, hashData(redisCM.Data)),
		SentinelDeployment:   sentinelDeployment(rf, sentinelImage, hashData(sentinelCM.Data), opts.SentinelMetrics),
		RedisPDB:             podDisruptionBudget(objectMeta(rf, RedisName(rf), redisv1alpha1.ComponentRedis), RedisSelector(rf)),
		SentinelPDB:          podDisruptionBudget(objectMeta(rf, SentinelName(rf), redisv1alpha1.ComponentSentinel), SentinelSelector(rf)),
	}, nil
}

var masterNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

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
