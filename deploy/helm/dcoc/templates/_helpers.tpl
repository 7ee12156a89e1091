{{/* Names and labels. */}}
{{- define "dcoc.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dcoc.fullname" -}}
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

{{- define "dcoc.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dcoc.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "dcoc.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "dcoc.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: dcoc
{{- end }}

{{- define "dcoc.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "dcoc.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "dcoc.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* PostgreSQL mode: a Deployment of replicaCount replicas; otherwise SQLite in a StatefulSet. */}}
{{- define "dcoc.postgres" -}}
{{- if or .Values.database.url .Values.database.existingSecret }}true{{ end }}
{{- end }}

{{- define "dcoc.databaseSecret" -}}
{{- .Values.database.existingSecret | default (printf "%s-database" (include "dcoc.fullname" .)) }}
{{- end }}

{{- define "dcoc.secretsName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "dcoc.fullname" .)) }}
{{- end }}

{{/* The Secret holding the CA, or empty when the service creates its own. */}}
{{- define "dcoc.caSecret" -}}
{{- if .Values.ca.existingSecret }}{{ .Values.ca.existingSecret }}
{{- else if .Values.ca.certManager.issuerRef }}{{ printf "%s-ca" (include "dcoc.fullname" .) }}
{{- end }}
{{- end }}

{{- define "dcoc.agentsService" -}}
{{- printf "%s-agents" (include "dcoc.fullname" .) }}
{{- end }}

{{/* What cannot work, refused at render time with what to do instead. */}}
{{- define "dcoc.validate" -}}
{{- $pg := include "dcoc.postgres" . }}
{{- if and (gt (int .Values.replicaCount) 1) (not $pg) }}
{{- fail "replicaCount > 1 needs PostgreSQL: SQLite is one file on one volume. Set database.url (or database.existingSecret) to a postgres:// URL, or set replicaCount: 1." }}
{{- end }}
{{- if and $pg (not (include "dcoc.caSecret" .)) }}
{{- fail "with PostgreSQL the control service runs as a Deployment without a volume, and every replica must sign agent certificates with one CA: set ca.existingSecret (a Secret with tls.crt and tls.key, the key PKCS#8 ECDSA P-256) or ca.certManager.issuerRef (a cert-manager Issuer that may sign a CA)." }}
{{- end }}
{{- if and .Values.ca.existingSecret .Values.ca.certManager.issuerRef }}
{{- fail "set ca.existingSecret or ca.certManager.issuerRef, not both" }}
{{- end }}
{{- if and .Values.ca.certManager.issuerRef (not .Values.ca.certManager.issuerRef.name) }}
{{- fail "ca.certManager.issuerRef needs a name (and kind: Issuer or ClusterIssuer)" }}
{{- end }}
{{- if and .Values.database.url .Values.database.existingSecret }}
{{- fail "set database.url or database.existingSecret, not both" }}
{{- end }}
{{- end }}

{{- define "dcoc.httpScheme" -}}
{{- if .Values.httpTls.existingSecret }}HTTPS{{ else }}HTTP{{ end }}
{{- end }}
