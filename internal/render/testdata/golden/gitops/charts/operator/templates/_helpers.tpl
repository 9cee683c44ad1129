{{- define "op.name" -}}{{ .Release.Name }}-operator{{- end }}
