/*
Copyright 2026 The redis-failover-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package v1alpha1

import "k8s.io/apimachinery/pkg/util/intstr"

// RedisFailoverSpec is the desired failover group: Redis nodes, sentinels and authentication.
// Field names follow spotahome's databases.spotahome.com/v1 RedisFailover where the meaning is
// the same, so a spotahome manifest migrates by changing its apiVersion (docs/migrating-from-spotahome.md).
// +kubebuilder:validation:XValidation:rule="!has(self.bootstrapNode)",fieldPath=".bootstrapNode",message="spec.bootstrapNode (make the nodes replicas of a master outside this RedisFailover) is not supported yet: accepting it would start an empty master beside the data you meant to copy; remove spec.bootstrapNode and copy the data as docs/migrating-from-spotahome.md describes"
type RedisFailoverSpec struct {
	// redis describes the Redis nodes: one master and replicas in a StatefulSet.
	// +kubebuilder:default={}
	// +optional
	Redis RedisSettings `json:"redis,omitempty"`

	// sentinel describes the sentinels that detect a failed master and promote a replica.
	// +kubebuilder:default={}
	// +optional
	Sentinel SentinelSettings `json:"sentinel,omitempty"`

	// auth names the Secret holding the password of Redis and of the sentinels. Empty: no password.
	// +optional
	Auth AuthSettings `json:"auth,omitempty"`

	// labelWhitelist copies the RedisFailover's own labels whose key matches one of these regular
	// expressions (RE2, unanchored as in spotahome: anchor with ^ and $) onto every object the
	// operator renders and onto the pods. Unset or empty: none are copied (spotahome copied all of
	// them; set [".*"] for that). The operator's own labels (app.kubernetes.io/name, instance,
	// component, managed-by and redis.failover.dev/*) are never copied over.
	// +kubebuilder:validation:MaxItems=32
	// +listType=atomic
	// +optional
	LabelWhitelist []LabelPattern `json:"labelWhitelist,omitempty"`

	// notifications sends the RedisFailover's state changes to a webhook, besides the Events.
	// +optional
	Notifications Notifications `json:"notifications,omitempty"`

	// bootstrapNode is spotahome's field for starting the nodes as replicas of an existing master
	// (host, port, allowSentinels). It is refused until this operator can do that safely: see the
	// rule above.
	// +optional
	BootstrapNode *BootstrapSettings `json:"bootstrapNode,omitempty"`
}

// LabelPattern is a regular expression (RE2 syntax) matched against label keys.
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=256
// +kubebuilder:validation:XValidation:rule="'x'.matches(self) || !'x'.matches(self)",message="spec.labelWhitelist entries must be valid regular expressions (RE2 syntax): fix the expression"
type LabelPattern string

// BootstrapSettings is spotahome's bootstrapNode: the address of a master outside the RedisFailover.
type BootstrapSettings struct {
	// host of the existing master.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Host string `json:"host,omitempty"`

	// port of the existing master; spotahome's field is a string, an integer is accepted too.
	// +kubebuilder:validation:XIntOrString
	// +optional
	Port *intstr.IntOrString `json:"port,omitempty"`

	// allowSentinels runs the sentinels while bootstrapping.
	// +optional
	AllowSentinels bool `json:"allowSentinels,omitempty"`
}

// AuthSettings points at the password. The password is used as requirepass and masterauth on every
// Redis node, as auth-pass of the sentinels towards Redis, and as the sentinels' own requirepass.
// It is read from the Secret at pod start and never written to a ConfigMap, an argument or a plain
// environment value.
// +kubebuilder:validation:XValidation:rule="!has(self.secretKey) || has(self.secretPath)",message="spec.auth.secretKey is set without spec.auth.secretPath: name the Secret in spec.auth.secretPath or remove secretKey"
type AuthSettings struct {
	// secretPath is the name of a Secret in the same namespace (spotahome's name for it).
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",message="spec.auth.secretPath must be the name of a Secret in this namespace (lowercase letters, digits, '-' and '.'): fix the Secret name"
	// +optional
	SecretPath string `json:"secretPath,omitempty"`

	// secretKey is the key in the Secret whose value is the password. Defaults to "password", the
	// key spotahome reads. The value must not contain newlines or other control characters.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.matches('^[-._a-zA-Z0-9]+$')",message="spec.auth.secretKey must be a Secret key (letters, digits, '-', '_' and '.'): fix the key name"
	// +optional
	SecretKey string `json:"secretKey,omitempty"`
}

// Enabled reports whether a password is configured.
func (a AuthSettings) Enabled() bool { return a.SecretPath != "" }

// Key returns the Secret key holding the password, applying the default.
func (a AuthSettings) Key() string {
	if a.SecretKey == "" {
		return DefaultAuthSecretKey
	}
	return a.SecretKey
}
