;;; dockerfile-lsp.el --- Dockerfiles with dockerfile-lsp through eglot  -*- lexical-binding: t; -*-

;; Keywords: languages, tools
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))

;;; Commentary:

;; Registers the dockerfile-lsp server with eglot for Dockerfile buffers,
;; whichever major mode edits them: `dockerfile-ts-mode' (Emacs 29+, when its
;; tree-sitter grammar is installed), `dockerfile-mode' (the dockerfile-mode
;; package, Debian's elpa-dockerfile-mode), or, with neither, the small
;; `dockerfile-lsp-mode' defined here (comments, instruction keywords).
;;
;; Files named Dockerfile, Containerfile, Dockerfile.*, Containerfile.*,
;; *.Dockerfile, *.dockerfile and *.containerfile open in that mode.
;;
;;   (add-to-list 'load-path "/path/to/dockerfile-lsp/editors/emacs")
;;   (require 'dockerfile-lsp)
;;   (dockerfile-lsp-enable-auto-start)  ; eglot in every Dockerfile; or M-x eglot
;;
;; `dockerfile-lsp-program' names the server (on PATH by default).

;;; Code:

(defgroup dockerfile-lsp nil
  "The dockerfile-lsp language server in Emacs."
  :group 'languages
  :prefix "dockerfile-lsp-")

(defcustom dockerfile-lsp-program "dockerfile-lsp"
  "The dockerfile-lsp executable: a name found on variable `exec-path' or a path."
  :type 'string)

(defcustom dockerfile-lsp-args nil
  "Arguments given to `dockerfile-lsp-program' (it speaks LSP on stdio)."
  :type '(repeat string))

(defcustom dockerfile-lsp-major-mode nil
  "The major mode for Dockerfiles; nil chooses the best one available.
That is `dockerfile-ts-mode' when its grammar is installed, else
`dockerfile-mode' when that package is installed, else
`dockerfile-lsp-mode'."
  :type '(choice (const :tag "Choose automatically" nil)
                 (function :tag "Major mode")))

(defconst dockerfile-lsp-modes
  '(dockerfile-ts-mode dockerfile-mode dockerfile-lsp-mode)
  "The major modes the server is registered with eglot for.")

(defconst dockerfile-lsp-file-patterns
  '("\\(?:\\`\\|/\\)\\(?:Dockerfile\\|Containerfile\\)\\(?:\\.[^/]*\\)?\\'"
    "[^/]\\.\\(?:[Dd]ockerfile\\|[Cc]ontainerfile\\)\\'")
  "File names that are Dockerfiles (matched against the whole name).")

;;;; A small major mode for when no other Dockerfile mode is installed

(defconst dockerfile-lsp--instructions
  '("ADD" "ARG" "CMD" "COPY" "ENTRYPOINT" "ENV" "EXPOSE" "FROM"
    "HEALTHCHECK" "LABEL" "MAINTAINER" "ONBUILD" "RUN" "SHELL"
    "STOPSIGNAL" "USER" "VOLUME" "WORKDIR")
  "Dockerfile instructions.")

(defvar dockerfile-lsp-mode-syntax-table
  (let ((table (make-syntax-table)))
    ;; `#' starts a comment only at the start of a line (see
    ;; `dockerfile-lsp--syntax-propertize'); elsewhere it is text.
    (modify-syntax-entry ?# "." table)
    (modify-syntax-entry ?\n ">" table)
    (modify-syntax-entry ?\" "\"" table)
    (modify-syntax-entry ?' "\"" table)
    (modify-syntax-entry ?- "_" table)
    (modify-syntax-entry ?_ "_" table)
    table)
  "Syntax table for `dockerfile-lsp-mode'.")

(defconst dockerfile-lsp--syntax-propertize
  (syntax-propertize-rules ("^[ \t]*\\(#\\)" (1 "<")))
  "Marks a `#' that begins a line as a comment start.")

(defvar dockerfile-lsp-font-lock-keywords
  `((,(concat "^[ \t]*\\(?:ONBUILD[ \t]+\\)?\\("
              (regexp-opt dockerfile-lsp--instructions)
              "\\)\\_>")
     1 font-lock-keyword-face)
    ("^[ \t]*ONBUILD\\_>" . font-lock-keyword-face)
    ("\\_<\\(?:AS\\|as\\)[ \t]+\\([[:alnum:]_.-]+\\)[ \t]*$"
     1 font-lock-function-name-face)
    ("\\$\\(?:{[^}\n]*}\\|[[:alpha:]_][[:alnum:]_]*\\)"
     . font-lock-variable-name-face)
    ("\\_<--[[:alnum:]-]+" . font-lock-builtin-face))
  "Highlighting for `dockerfile-lsp-mode'.")

;;;###autoload
(define-derived-mode dockerfile-lsp-mode prog-mode "Dockerfile"
  "A small major mode for Dockerfiles, for use with the dockerfile-lsp server.
Used when neither `dockerfile-ts-mode' nor `dockerfile-mode' is available."
  :syntax-table dockerfile-lsp-mode-syntax-table
  (setq-local comment-start "# ")
  (setq-local comment-start-skip "^[ \t]*#+[ \t]*")
  (setq-local comment-end "")
  (setq-local syntax-propertize-function dockerfile-lsp--syntax-propertize)
  (setq-local font-lock-defaults '(dockerfile-lsp-font-lock-keywords nil t))
  (setq-local indent-line-function #'indent-relative))

;;;; Choosing the mode

(defun dockerfile-lsp--ts-ready-p ()
  "Whether `dockerfile-ts-mode' can be used (its grammar is installed)."
  (and (fboundp 'dockerfile-ts-mode)
       (fboundp 'treesit-ready-p)
       (treesit-ready-p 'dockerfile t)))

(defun dockerfile-lsp-choose-mode ()
  "The major mode function for Dockerfiles (see `dockerfile-lsp-major-mode')."
  (cond (dockerfile-lsp-major-mode)
        ((dockerfile-lsp--ts-ready-p) 'dockerfile-ts-mode)
        ((fboundp 'dockerfile-mode) 'dockerfile-mode)
        (t 'dockerfile-lsp-mode)))

;;;###autoload
(defun dockerfile-lsp-auto-mode ()
  "Turn on the major mode `dockerfile-lsp-choose-mode' names.
This is what `auto-mode-alist' runs for Dockerfiles."
  (funcall (dockerfile-lsp-choose-mode)))

(dolist (pattern dockerfile-lsp-file-patterns)
  (add-to-list 'auto-mode-alist (cons pattern #'dockerfile-lsp-auto-mode)))

;; `Dockerfile.dockerignore' (the ignore file of one Dockerfile) matches
;; `Dockerfile.*' above; it holds patterns with `#' comments, not
;; instructions.  Placed first, unless the user has a mode for it already.
(unless (assoc "\\.dockerignore\\'" auto-mode-alist)
  (add-to-list 'auto-mode-alist '("\\.dockerignore\\'" . conf-unix-mode)))

;;;; eglot

(defvar eglot-server-programs)
(declare-function eglot-ensure "eglot" ())

(defun dockerfile-lsp-contact (&rest _)
  "Return the command that starts dockerfile-lsp, for eglot."
  (cons dockerfile-lsp-program dockerfile-lsp-args))

(defun dockerfile-lsp--eglot-entry ()
  "Return our entry for `eglot-server-programs'."
  (cons (mapcar (lambda (mode) (list mode :language-id "dockerfile"))
                dockerfile-lsp-modes)
        #'dockerfile-lsp-contact))

;;;###autoload
(defun dockerfile-lsp-register ()
  "Put dockerfile-lsp first in `eglot-server-programs' for Dockerfile modes."
  (require 'eglot)
  (let ((entry (dockerfile-lsp--eglot-entry)))
    (setq eglot-server-programs
          (cons entry (delete entry eglot-server-programs)))))

;;;###autoload
(defun dockerfile-lsp-enable-auto-start ()
  "Start eglot (`eglot-ensure') in every Dockerfile buffer from now on.
Adds it to the hook of each mode in `dockerfile-lsp-modes'."
  (dolist (mode dockerfile-lsp-modes)
    (add-hook (intern (format "%s-hook" mode)) #'eglot-ensure)))

(with-eval-after-load 'eglot
  (dockerfile-lsp-register))

(provide 'dockerfile-lsp)
;;; dockerfile-lsp.el ends here
