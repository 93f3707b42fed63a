package controllers

import (
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Domain metrics, served with controller-runtime's own on the manager's metrics endpoint.
var (
	hasMaster = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "redisfailover_has_master",
		Help: "1 when exactly one Redis node of the RedisFailover is a writable master, else 0.",
	}, []string{"namespace", "name"})
	replicasInSync = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "redisfailover_replicas_in_sync",
		Help: "Replicas that follow the master with their link up and no sync in progress.",
	}, []string{"namespace", "name"})
	replicasExpected = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "redisfailover_replicas_expected",
		Help: "Replicas the spec asks for (spec.redis.replicas - 1).",
	}, []string{"namespace", "name"})
	sentinelsAgreeing = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "redisfailover_sentinels_agreeing",
		Help: "Sentinels that name the observed master.",
	}, []string{"namespace", "name"})
	ready = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "redisfailover_ready",
		Help: "1 when the Ready condition is True.",
	}, []string{"namespace", "name"})
	notificationsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "redisfailover_notifications_total",
		Help: "Webhook notifications (spec.notifications.webhook) by outcome: delivered or failed.",
	}, []string{"namespace", "name", "outcome"})
	failovers = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "redisfailover_failovers_total",
		Help: "Changes of master observed by the operator.",
	}, []string{"namespace", "name"})
	actionsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "redisfailover_actions_total",
		Help: "Actions the operator took on Redis nodes, pods and sentinels, by kind and outcome.",
	}, []string{"namespace", "name", "action", "outcome"})
	reconcileErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "redisfailover_reconcile_errors_total",
		Help: "Reconcile errors by stage (apply, auth, observe, act, status).",
	}, []string{"namespace", "name", "stage"})
)

func init() {
	metrics.Registry.MustRegister(hasMaster, replicasInSync, replicasExpected, sentinelsAgreeing, ready,
		failovers, actionsTotal, reconcileErrors, notificationsTotal)
}

// forgetMetrics drops the series of a deleted RedisFailover so dashboards do not show ghosts.
func forgetMetrics(key types.NamespacedName) {
	labels := prometheus.Labels{"namespace": key.Namespace, "name": key.Name}
	for _, v := range []*prometheus.MetricVec{hasMaster.MetricVec, replicasInSync.MetricVec, replicasExpected.MetricVec,
		sentinelsAgreeing.MetricVec, ready.MetricVec, failovers.MetricVec, actionsTotal.MetricVec, reconcileErrors.MetricVec,
		notificationsTotal.MetricVec} {
		v.DeletePartialMatch(labels)
	}
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
