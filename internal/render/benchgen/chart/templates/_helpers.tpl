{{/* Common labels of every object of the service. */}}
{{- define "service.labels" -}}
app.kubernetes.io/name: {{ .Release.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | trunc 63 }}
{{- end }}

{{- define "service.selector" -}}
app.kubernetes.io/name: {{ .Release.Name }}
{{- end }}

{{/* hasSecrets is "true" when sealed keys exist. */}}
{{- define "service.hasSecrets" -}}
{{- if and .Values.sealedSecrets .Values.sealedSecrets.encryptedData }}true{{ end -}}
{{- end }}
