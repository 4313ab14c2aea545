;;; e2e.el --- End-to-end test of editors/emacs with eglot  -*- lexical-binding: t; -*-

;; Run by tests/emacs.rs:
;;   DOCKERFILE_LSP_SERVER=SERVER DOCKERFILE_LSP_E2E_FILE=FILE \
;;     emacs --batch -L editors/emacs -l tests/emacs/e2e.el
;; Uses editors/emacs as a user would (file name detection, the eglot
;; registration, `dockerfile-lsp-enable-auto-start') and eglot's own
;; commands: flymake diagnostics, hover through eldoc's function, go to
;; definition with `xref-find-definitions', a quick fix with
;; `eglot-code-actions'.  Each step prints "ok   ..." or "FAIL ..." on
;; stderr; the last line is "done: N checks, M failed"; any failure exits 1.

;;; Code:

(require 'cl-lib)
(require 'subr-x)
(require 'eglot)
(require 'dockerfile-lsp)

(defvar e2e-checks 0)
(defvar e2e-failures 0)

(defun e2e-check (ok what &rest args)
  "Report the check WHAT (a format string with ARGS); OK says it passed."
  (setq e2e-checks (1+ e2e-checks))
  (unless ok
    (setq e2e-failures (1+ e2e-failures)))
  (message "%s%s" (if ok "ok   " "FAIL ") (apply #'format what args))
  ok)

(defun e2e-finish ()
  "Print the summary and leave Emacs."
  (message "done: %d checks, %d failed" e2e-checks e2e-failures)
  (kill-emacs (if (and (zerop e2e-failures) (> e2e-checks 0)) 0 1)))

(defun e2e-wait (seconds condition)
  "Process events (server output, timers) until CONDITION returns non-nil.
Gives up after SECONDS; returns CONDITION's last value."
  (let ((deadline (+ (float-time) seconds))
        result)
    (while (and (not (setq result (funcall condition)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05))
    result))

(defun e2e-pause ()
  "The user stops typing for a second: run the idle timers due by then.
The command loop would when Emacs goes idle; batch Emacs never does, and
eglot sends `didChange' from an idle timer."
  (dolist (timer (copy-sequence timer-idle-list))
    (when (and (memq timer timer-idle-list)
               (time-less-p (timer--time timer) 1.0))
      (timer-event-handler timer))))

(defun e2e-goto (text &optional offset)
  "Put point OFFSET characters into the first TEXT in the buffer.
Returns the line number, or nil when TEXT is not there."
  (goto-char (point-min))
  (when (search-forward text nil t)
    (goto-char (+ (match-beginning 0) (or offset 0)))
    (line-number-at-pos)))

(defun e2e-line (n)
  "The text of line N."
  (save-excursion
    (goto-char (point-min))
    (forward-line (1- n))
    (buffer-substring-no-properties (line-beginning-position) (line-end-position))))

(defun e2e-diagnostics ()
  "The buffer's flymake diagnostics as (CODE LINE TEXT), in order."
  (sort (mapcar (lambda (d)
                  (list (format "%s" (plist-get (alist-get 'eglot-lsp-diag
                                                           (flymake-diagnostic-data d))
                                                :code))
                        (line-number-at-pos (flymake-diagnostic-beg d))
                        (flymake-diagnostic-text d)))
                (flymake-diagnostics))
        (lambda (a b) (< (cadr a) (cadr b)))))

(defun e2e-has-code (code line)
  "The diagnostic with CODE on LINE, or nil."
  (cl-find-if (lambda (d) (and (equal (car d) code) (= (cadr d) line)))
              (e2e-diagnostics)))

(defun e2e-dump-log (server)
  "Print the end of SERVER's events and stderr buffers, to explain a failure."
  (dolist (buffer (list (jsonrpc-events-buffer server) (jsonrpc-stderr-buffer server)))
    (when (buffer-live-p buffer)
      (with-current-buffer buffer
        (message "---- %s (its last 40000 characters)\n%s\n----" (buffer-name)
                 (buffer-substring-no-properties (max (point-min) (- (point-max) 40000))
                                                 (point-max)))))))

(defun e2e-run (server file)
  "Every check, with SERVER the binary and FILE a Dockerfile to edit."
  (setq dockerfile-lsp-program server)
  ;; Nothing here may ask a question: batch Emacs would read stdin.
  (setq eglot-confirm-server-initiated-edits nil)
  (let ((mode (dockerfile-lsp-choose-mode)))
    (message "Emacs %s, eglot from %s, major mode %s"
             emacs-version (locate-library "eglot") mode)
    ;; File name detection for every name a Dockerfile goes by.
    (dolist (name '("Dockerfile" "Containerfile" "Dockerfile.dev" "Containerfile.prod"
                    "api.Dockerfile" "api.dockerfile" "api.containerfile"))
      (with-temp-buffer
        (setq buffer-file-name (concat "/p/" name))
        (set-auto-mode)
        (e2e-check (eq major-mode mode) "%s opens in %s (got %s)" name mode major-mode)
        (setq buffer-file-name nil)))
    (dolist (name '("Dockerfile-notes.txt" "Dockerfile.dockerignore" ".dockerignore"))
      (with-temp-buffer
        (setq buffer-file-name (concat "/p/" name))
        (set-auto-mode)
        (e2e-check (not (eq major-mode mode)) "%s is not a Dockerfile (%s)" name major-mode)
        (setq buffer-file-name nil)))
    (e2e-check (cl-find #'dockerfile-lsp-contact eglot-server-programs :key #'cdr)
               "the server is registered in eglot-server-programs")

    ;; Open the fixture as a user would: eglot-ensure from the mode hook,
    ;; connecting once the command (here, find-file) is over.
    (dockerfile-lsp-enable-auto-start)
    ;; Settings as the README shows them.
    (setq-default eglot-workspace-configuration
                  '(:dockerfile-lsp (:rules (:NoDockerignore "off"))))
    (find-file file)
    (e2e-check (eq major-mode mode) "the fixture opens in %s" major-mode)
    (when (eq major-mode 'dockerfile-lsp-mode)
      (e2e-goto "# syntax" 2)
      (e2e-check (nth 4 (syntax-ppss)) "a # at the start of a line begins a comment")
      (e2e-goto "node:22" 0)
      (e2e-check (not (nth 4 (syntax-ppss))) "FROM lines are not comments"))
    (run-hooks 'post-command-hook)
    (let ((server (e2e-wait 15 (lambda () (and (eglot-managed-p) (eglot-current-server))))))
      (unless (e2e-check server "eglot connects to the server and manages the buffer")
        (e2e-finish))
      (let ((id (plist-get (eglot--TextDocumentItem) :languageId)))
        (e2e-check (equal id "dockerfile") "the language id is dockerfile (%s)" id))

      ;; Diagnostics arrive in flymake.
      (e2e-check (e2e-wait 15 #'flymake-diagnostics) "diagnostics arrive in flymake")
      ;; The setting reaches the server right after didOpen, often while
      ;; the first diagnostics are computed: the first version's
      ;; diagnostics end up without the rule all the same.
      (e2e-check (e2e-wait 10 (lambda () (not (e2e-has-code "NoDockerignore" 2))))
                 "the setting sent after didOpen turns NoDockerignore off: %S"
                 (e2e-diagnostics))
      (let ((diag (e2e-has-code "FromAsCasing" 2)))
        (e2e-check diag "FromAsCasing on line 2: %S" (e2e-diagnostics))
        (e2e-check (and diag (string-match-p "casing" (nth 2 diag)))
                   "its message: %s" (nth 2 diag)))

      ;; Hover on a stage name explains what the stage is for (eglot's
      ;; eldoc function, as eldoc would call it).
      (let ((build-line (e2e-goto "AS build" 3))
            hover)
        (eglot-hover-eldoc-function (lambda (info &rest _) (setq hover (or info ""))))
        (e2e-wait 10 (lambda () hover))
        (setq hover (and hover (substring-no-properties hover)))
        (e2e-check (and hover
                        (string-match-p "builds the application" hover)
                        (string-match-p "Used by: \\(?:\\*\\*\\)?runner" hover))
                   "hover on the build stage gives its purpose: %S"
                   (and hover (substring hover 0 (min 200 (length hover)))))

        ;; Go to definition on --from=build moves point to the build stage.
        (let ((from-line (e2e-goto "--from=build" (length "--from=b")))
              (this-command 'xref-find-definitions))
          (condition-case err
              (call-interactively #'xref-find-definitions)
            (error (message "xref-find-definitions: %s" (error-message-string err))))
          (e2e-check (and (eq (window-buffer) (get-file-buffer file))
                          (= (line-number-at-pos) build-line))
                     "definition moves point from line %d to line %d (now %s line %d)"
                     from-line build-line (buffer-name (window-buffer))
                     (line-number-at-pos))))

      ;; A quick fix, picked from eglot-code-actions' menu as a user would,
      ;; edits the buffer.
      (goto-char (point-min))
      (forward-line 1)
      (forward-char 13)
      (let* ((offered nil)
             (completing-read-function
              (lambda (_prompt collection predicate &rest _)
                (setq offered (all-completions "" collection predicate))
                (or (cl-find-if (lambda (title)
                                  (let ((case-fold-search nil))
                                    (string-match-p "\\_<AS\\_>" title)))
                                offered)
                    "")))
             ;; a key, not a mouse click, invoked the command: a menu in the
             ;; minibuffer, not a popup
             (last-nonmenu-event ?\r)
             (this-command 'eglot-code-actions))
        (condition-case err
            (call-interactively #'eglot-code-actions)
          (error (message "eglot-code-actions: %s" (error-message-string err))))
        (e2e-check (equal (e2e-line 2) "FROM node:22 AS deps")
                   "the FromAsCasing quick fix is applied: %S (offered %S)"
                   (e2e-line 2) offered))
      ;; ... and, once the user pauses, eglot sends the edit to the server
      ;; and the warning goes away.
      (e2e-pause)
      (e2e-check (e2e-wait 10 (lambda () (not (e2e-has-code "FromAsCasing" 2))))
                 "the diagnostic is gone after the edit: %S" (e2e-diagnostics))
      (e2e-check (not (e2e-has-code "NoDockerignore" 2))
                 "the setting turns NoDockerignore off: %S" (e2e-diagnostics))

      (unless (zerop e2e-failures)
        (e2e-dump-log server))
      ;; Emacs leaves the server cleanly.
      (eglot-shutdown server)
      (e2e-check (e2e-wait 5 (lambda () (not (jsonrpc-running-p server))))
                 "eglot-shutdown stops the server"))))

(let ((server (getenv "DOCKERFILE_LSP_SERVER"))
      (file (getenv "DOCKERFILE_LSP_E2E_FILE")))
  (unless (and server file)
    (message "FAIL set DOCKERFILE_LSP_SERVER and DOCKERFILE_LSP_E2E_FILE")
    (kill-emacs 2))
  (condition-case err
      (e2e-run server file)
    (error (e2e-check nil "error: %s" (error-message-string err))))
  (e2e-finish))

;;; e2e.el ends here
