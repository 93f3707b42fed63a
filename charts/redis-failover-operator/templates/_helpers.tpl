{{- define "rfo.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "rfo.labels" -}}
app.kubernetes.io/name: redis-failover-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "rfo.selector" -}}
app.kubernetes.io/name: redis-failover-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "rfo.serviceAccount" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "rfo.name" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "rfo.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- /* rfo.requireMonitoringAPI WHAT: fails the render when the cluster has no Prometheus Operator
API, instead of dropping the object without a word. */ -}}
{{- define "rfo.requireMonitoringAPI" -}}
{{- if not (.root.Capabilities.APIVersions.Has (printf "monitoring.coreos.com/v1/%s" .kind)) -}}
{{- fail (printf "%s is true but the cluster serves no monitoring.coreos.com/v1 %s: install the Prometheus Operator's CRDs first, or set %s=false (with helm template, pass --api-versions monitoring.coreos.com/v1/%s)" .value .kind .value .kind) -}}
{{- end -}}
{{- end -}}
