{{- define "common.name" -}}
{{ .Chart.Name }}-{{ .Release.Name }}
{{- end -}}
