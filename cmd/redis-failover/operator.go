package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
	"github.com/failover-dev/redis-failover-operator/controllers"
	"github.com/failover-dev/redis-failover-operator/internal/notify"
	"github.com/failover-dev/redis-failover-operator/internal/redis"
	"github.com/failover-dev/redis-failover-operator/internal/render"
	"github.com/failover-dev/redis-failover-operator/internal/version"
)

func init() { extraCommands = append(extraCommands, newOperatorCommand) }

type operatorOptions struct {
	metricsAddr      string
	probeAddr        string
	leaderElect      bool
	leaderElectionNS string
	sentinelImage    string
	sentinelImpl     string
	sentinelMetrics  bool
	redisTimeout     time.Duration
	resyncPeriod     time.Duration
	shutdownTimeout  time.Duration
	watchNamespace   string
	zap              zap.Options
}

func newOperatorCommand() *cobra.Command {
	o := operatorOptions{}
	cmd := &cobra.Command{
		Use:   "operator",
		Short: "Run the Kubernetes operator that reconciles RedisFailover resources",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runOperator(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.metricsAddr, "metrics-bind-address", ":8080", "address of the Prometheus metrics endpoint (0 disables it)")
	f.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "address of the /healthz and /readyz endpoints")
	f.BoolVar(&o.leaderElect, "leader-elect", true, "elect a leader so that only one replica of the operator acts at a time")
	f.StringVar(&o.leaderElectionNS, "leader-election-namespace", "", "namespace of the leader election Lease (default: the pod's own namespace)")
	f.StringVar(&o.sentinelImage, "sentinel-image", os.Getenv("OPERATOR_IMAGE"),
		"image of the sentinels when spec.sentinel.image is empty: this operator's own image (env OPERATOR_IMAGE)")
	f.StringVar(&o.sentinelImpl, "sentinel-implementation", string(render.SentinelImplementationRedisFailover),
		"program in the sentinel pods: redis-failover (this project's sentinel, the default) or redis-sentinel (stock Redis Sentinel from spec.redis.image; a testing and compatibility switch)")
	f.BoolVar(&o.sentinelMetrics, "sentinel-metrics", false,
		"make every sentinel serve Prometheus metrics on container port `metrics` (9355, path /metrics); not with --sentinel-implementation=redis-sentinel")
	f.DurationVar(&o.redisTimeout, "redis-timeout", redis.DefaultTimeout, "bound on each call to one Redis node or sentinel")
	f.DurationVar(&o.resyncPeriod, "resync-period", controllers.DefaultResyncPeriod, "backstop re-check of a Ready RedisFailover without any event")
	f.DurationVar(&o.shutdownTimeout, "graceful-shutdown-timeout", 30*time.Second, "how long in-flight reconciles may take to finish on shutdown")
	f.StringVar(&o.watchNamespace, "watch-namespace", "", "reconcile only this namespace (default: all)")
	zapFlags := flag.NewFlagSet("zap", flag.ContinueOnError)
	o.zap.BindFlags(zapFlags)
	f.AddGoFlagSet(zapFlags)
	return cmd
}

func runOperator(cmd *cobra.Command, o operatorOptions) error {
	if o.sentinelImage == "" {
		return errors.New("--sentinel-image (or OPERATOR_IMAGE) is required: the sentinels run the operator's own image")
	}
	sentinelImpl, err := render.ParseSentinelImplementation(o.sentinelImpl)
	if err != nil {
		return usageError{fmt.Errorf("--sentinel-implementation: %w", err)}
	}
	renderOpts := render.Options{SentinelImage: o.sentinelImage, SentinelImplementation: sentinelImpl, SentinelMetrics: o.sentinelMetrics}
	if err := renderOpts.Validate(); err != nil {
		return usageError{err}
	}
	logger := zap.New(zap.UseFlagOptions(&o.zap))
	ctrl.SetLogger(logger)
	redis.LogTo(logger.WithName("go-redis"))
	logger.Info("starting", "version", version.String(), "sentinelImage", o.sentinelImage, "sentinelImplementation", sentinelImpl, "sentinelMetrics", o.sentinelMetrics)

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(redisv1alpha1.AddToScheme(scheme))

	cacheOptions := cache.Options{
		// Only the operator's own pods are cached: a cluster's pods can be many.
		ByObject: map[client.Object]cache.ByObject{
			&corev1.Pod{}: {Label: labels.SelectorFromSet(labels.Set{redisv1alpha1.LabelName: redisv1alpha1.LabelNameValue})},
		},
	}
	if o.watchNamespace != "" {
		cacheOptions.DefaultNamespaces = map[string]cache.Config{o.watchNamespace: {}}
	}
	shutdown := o.shutdownTimeout
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                        scheme,
		Metrics:                       metricsserver.Options{BindAddress: o.metricsAddr},
		HealthProbeBindAddress:        o.probeAddr,
		LeaderElection:                o.leaderElect,
		LeaderElectionID:              "redis-failover-operator.redis.failover.dev",
		LeaderElectionNamespace:       o.leaderElectionNS,
		LeaderElectionReleaseOnCancel: true,
		GracefulShutdownTimeout:       &shutdown,
		Cache:                         cacheOptions,
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}

	sentinelEvents := controllers.NewSentinelEvents(logger.WithName("sentinel-events"))
	if err := mgr.Add(sentinelEvents); err != nil {
		return fmt.Errorf("adding the sentinel event relay: %w", err)
	}
	recorder := mgr.GetEventRecorder("redis-failover-operator")
	notifier := notify.New(notify.Options{
		OnFailure:   controllers.NotificationFailures(recorder),
		OnDelivered: controllers.NotificationDelivered,
	}, logger.WithName("notify"))
	if err := mgr.Add(notifier); err != nil {
		return fmt.Errorf("adding the webhook notifier: %w", err)
	}
	reconciler := &controllers.RedisFailoverReconciler{
		Client:       mgr.GetClient(),
		APIReader:    mgr.GetAPIReader(),
		Recorder:     recorder,
		Notifier:     notifier,
		Render:       renderOpts,
		RedisTimeout: o.redisTimeout,
		ResyncPeriod: o.resyncPeriod,
		Sentinels:    sentinelEvents,
	}
	if err := reconciler.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the RedisFailover controller: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return fmt.Errorf("adding the health check: %w", err)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return fmt.Errorf("adding the readiness check: %w", err)
	}
	// SIGTERM cancels the context: reconciles in flight finish (up to the graceful shutdown
	// timeout), the sentinel subscriptions close and the leader Lease is released, so that a
	// new operator pod takes over at once instead of after the lease duration.
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		return fmt.Errorf("running the manager: %w", err)
	}
	return nil
}
