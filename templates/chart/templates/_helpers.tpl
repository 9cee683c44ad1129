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

{{/*
The ServiceAccount the pods run as. A values.yaml from before these keys
existed (new-service --force keeps it) has no serviceAccount: the namespace's
default account, as then.
*/}}
{{- define "service.serviceAccountName" -}}
{{- $sa := .Values.serviceAccount | default dict -}}
{{- if $sa.create -}}
{{- $sa.name | default (include "service.name" .) -}}
{{- else -}}
{{- $sa.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/* Whether the pods mount the ServiceAccount's API token ("true"/"false"). */}}
{{- define "service.automountToken" -}}
{{- $sa := .Values.serviceAccount | default dict -}}
{{- if $sa.automount }}true{{ else }}false{{ end -}}
{{- end -}}
