{{- define "mapped.annotations" -}}
{{ toYaml .Values.annotations }}
{{- end }}
