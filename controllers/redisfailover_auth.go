package controllers

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	redisv1alpha1 "github.com/failover-dev/redis-failover-operator/api/v1alpha1"
)

// password reads the password of Redis and the sentinels from spec.auth's Secret ("" without
// auth). It is held in memory for the reconcile only and never logged. A Secret that cannot be
// read is reported (Ready=False/SecretUnreadable and a Warning Event naming the fix) and stops
// the reconcile: nothing can be asked without the password.
func (r *RedisFailoverReconciler) password(ctx context.Context, rf *redisv1alpha1.RedisFailover) (string, error) {
	password, err := r.readPassword(ctx, rf)
	if err != nil {
		reconcileErrors.WithLabelValues(rf.Namespace, rf.Name, "auth").Inc()
		r.event(rf, corev1.EventTypeWarning, redisv1alpha1.ReasonSecretUnreadable, "ReadSecret", err.Error())
		return "", errors.Join(err, r.setNotReady(ctx, rf, redisv1alpha1.ReasonSecretUnreadable, err))
	}
	return password, nil
}

func (r *RedisFailoverReconciler) readPassword(ctx context.Context, rf *redisv1alpha1.RedisFailover) (string, error) {
	a := rf.Spec.Auth
	if !a.Enabled() {
		return "", nil
	}
	secret := &corev1.Secret{}
	key := types.NamespacedName{Namespace: rf.Namespace, Name: a.SecretPath}
	if err := r.APIReader.Get(ctx, key, secret); err != nil {
		return "", fmt.Errorf("reading spec.auth.secretPath Secret %s: %w (create it, e.g. kubectl create secret generic %s --from-literal=%s=...)", key, err, a.SecretPath, a.Key())
	}
	value, ok := secret.Data[a.Key()]
	if !ok {
		return "", fmt.Errorf("Secret %s has no key %q (spec.auth.secretKey): add the key or set spec.auth.secretKey", key, a.Key())
	}
	return string(value), nil
}
