; Syntax highlighting for Dockerfiles (dockerfile-lsp grammar).
; Capture names follow the common set understood by Neovim and Helix.

[
  "FROM" "AS" "RUN" "CMD" "LABEL" "MAINTAINER" "EXPOSE" "ENV" "ADD" "COPY"
  "ENTRYPOINT" "VOLUME" "USER" "WORKDIR" "ARG" "ONBUILD" "STOPSIGNAL"
  "HEALTHCHECK" "SHELL"
] @keyword

(healthcheck_type) @keyword

(comment) @comment

(parser_directive) @keyword.directive
(directive_name) @property
(directive_value) @string.special

; --flag=value and --mount=type=cache,target=...
(flag
  name: (flag_name) @attribute)
(mount_flag
  name: (flag_name) @attribute)
(flag_value) @string
(option_key) @property
(option_value) @string
(end_of_flags) @operator

; images and stages
(image_name) @type
(image_tag) @label
(image_digest) @constant
(stage_name) @label

; ENV / LABEL / ARG
(key_value
  key: (key) @property)
(legacy_key_value
  key: (key) @property)
(arg_declaration
  name: (key) @variable.parameter)
(value) @string
(double_quoted_string) @string
(single_quoted_string) @string

; ports, paths, users
(expose_port) @number
(path) @string.special.path
(string_value) @string

; exec form
(json_string) @string
(json_array
  [
    "["
    "]"
  ] @punctuation.bracket)
(json_array
  "," @punctuation.delimiter)

; variables
(expansion
  [
    "$"
    "${"
    "}"
  ] @punctuation.special)
(variable) @variable
(expansion_operator) @operator

; heredocs
(heredoc_delimiter) @label
(heredoc_end) @label
(heredoc_body) @string

(line_continuation) @punctuation.special

"=" @operator
