{{- define "dcoc-agent.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dcoc-agent.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Deliberately not `app`: gen3-helm's network policies select on app (app: gen3job below). */}}
{{- define "dcoc-agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dcoc-agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "dcoc-agent.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "dcoc-agent.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: dcoc
{{- end }}

{{- define "dcoc-agent.serviceAccountName" -}}
{{- default (include "dcoc-agent.fullname" .) .Values.serviceAccount.name }}
{{- end }}

{{- define "dcoc-agent.enrollmentSecret" -}}
{{- .Values.enrollment.existingSecret | default (printf "%s-enrollment" (include "dcoc-agent.fullname" .)) }}
{{- end }}

{{- define "dcoc-agent.caConfigMap" -}}
{{- .Values.ca.existingConfigMap | default (printf "%s-ca" (include "dcoc-agent.fullname" .)) }}
{{- end }}

{{- define "dcoc-agent.validate" -}}
{{- if not (regexMatch "^[^:/ ]+:[0-9]{1,5}$" .Values.control.gateway) }}
{{- fail "control.gateway must be the control service's agent gateway as host:port (the dcoc chart's agents Service, port 8471), e.g. dcoc.example.org:8471" }}
{{- end }}
{{- if not (regexMatch "^[^:/ ]+:[0-9]{1,5}$" .Values.control.enroll) }}
{{- fail "control.enroll must be the control service's enrollment endpoint as host:port (port 8472), e.g. dcoc.example.org:8472" }}
{{- end }}
{{- if and (not .Values.ca.pem) (not .Values.ca.existingConfigMap) }}
{{- fail "ca.pem is required: the control service's CA certificate (caCertificate of POST /api/v1/enrollment-tokens), e.g. --set-file ca.pem=dcoc-ca.pem; or name a ConfigMap in ca.existingConfigMap" }}
{{- end }}
{{- if and .Values.enrollment.token .Values.enrollment.existingSecret }}
{{- fail "set enrollment.token or enrollment.existingSecret, not both" }}
{{- end }}
{{- end }}
