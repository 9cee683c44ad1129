{{/*
Every object name derives from the release name, which Argo CD sets to the
Application name (the service name).
*/}}
{{- define "service.name" -}}
{{- .Release.Name | trunc 53 | trimSuffix "-" -}}
{{- end -}}

{{- define "service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "service.labels" -}}
{{ include "service.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{/* True (non-empty) when the service has sealed keys. */}}
{{- define "service.hasSecrets" -}}
{{- $s := .Values.sealedSecrets | default dict -}}
{{- if $s.encryptedData }}true{{ end -}}
{{- end -}}

{{/* The ServiceAccount the pods run as. */}}
{{- define "service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "service.name" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}
