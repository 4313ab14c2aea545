; Shell text is opaque to the Dockerfile grammar: editors highlight it as
; bash. The whole command is injected at once (continuations included) so
; that bash sees the command as the shell will.

((shell_command) @injection.content
  (#set! injection.language "bash")
  (#set! injection.include-children))

; A heredoc fed to RUN is a script; in COPY and ADD it is file content.
(run_instruction
  (heredoc_block
    body: (heredoc_body) @injection.content)
  (#set! injection.language "bash"))

((comment) @injection.content
  (#set! injection.language "comment"))
