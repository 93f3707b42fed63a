package v1alpha1

// Notifications tell a system outside the cluster about the same state changes the Events
// report (MasterChanged, NotReady, Ready, SwitchoverSucceeded, ...), for users who page on
// them or keep a record: Events are kept for an hour and must be watched.
type Notifications struct {
	// webhook posts one JSON document per notification (resource, event, type, reason, master,
	// oldMaster and newMaster, time) to a URL kept in a Secret. Delivery never holds up the
	// operator: each is tried up to 6 times over about half a minute, in order per RedisFailover,
	// and one given up on is reported with a NotificationFailed Event.
	// +optional
	Webhook *WebhookNotifications `json:"webhook,omitempty"`
}

// WebhookNotifications names where the webhook URL is kept.
type WebhookNotifications struct {
	// urlSecretRef is the Secret key (in this namespace) whose value is the URL to POST to. A
	// Secret, not a field, because such URLs carry their token. It is read at each delivery:
	// changing the Secret redirects the next notification.
	URLSecretRef SecretKeyRef `json:"urlSecretRef"`
}

// SecretKeyRef is one key of a Secret in the RedisFailover's namespace.
type SecretKeyRef struct {
	// name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",message="spec.notifications.webhook.urlSecretRef.name must be the name of a Secret in this namespace (lowercase letters, digits, '-' and '.'): fix the Secret name"
	Name string `json:"name"`

	// key in the Secret. Defaults to "url".
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.matches('^[-._a-zA-Z0-9]+$')",message="spec.notifications.webhook.urlSecretRef.key must be a Secret key (letters, digits, '-', '_' and '.'): fix the key name"
	// +kubebuilder:default=url
	// +optional
	Key string `json:"key,omitempty"`
}
